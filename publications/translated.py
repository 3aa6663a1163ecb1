"""Which language a translated field's displayed text is really in.

modeltranslation falls back to the other language when a translation is
missing; the page must then mark the passage with its real `lang`, so that
screen readers and browsers (hyphenation, fonts) treat it right
(templates/includes/translated.html).
"""

from django.conf import settings
from django.utils.translation import get_language


def languages():
    return [code for code, _ in settings.LANGUAGES]


def active_language():
    """The two-letter code of the page's language."""
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def translated(obj, field, active=None):
    """(text, language of the text) for `obj.field` in the active language, with fallback.

    `active`: the page's language code, when the caller already has it.
    """
    active = active or active_language()
    order = [active] + [code for code in languages() if code != active]
    for code in order:
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value, code
    return "", active


def is_fallback(lang):
    """Whether text in `lang` is a fallback on the current page (so it needs a lang attribute)."""
    return lang != active_language()
