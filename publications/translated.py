"""Which language a translated field's displayed text is really in.

modeltranslation falls back to the other language when a translation is
missing; the page must then mark the passage with its real `lang`, so that
screen readers and browsers (hyphenation, fonts) treat it right.
"""

from django.conf import settings
from django.utils.translation import get_language


def languages():
    return [code for code, _ in settings.LANGUAGES]


def translated(obj, field):
    """(text, language of the text) for `obj.field` in the active language, with fallback."""
    active = (get_language() or settings.LANGUAGE_CODE)[:2]
    order = [active] + [code for code in languages() if code != active]
    for code in order:
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value, code
    return "", active
