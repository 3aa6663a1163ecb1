"""Which language a translated field's displayed text is really in.

modeltranslation falls back to the other language when a translation is
missing; the page must then mark the passage with its real `lang`, so that
screen readers and browsers (hyphenation, fonts) treat it right.
"""

from django.conf import settings
from django.utils.html import format_html
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


def is_fallback(lang):
    """Whether text in `lang` is a fallback on the current page (so it needs a lang attribute)."""
    return lang != (get_language() or settings.LANGUAGE_CODE)[:2]


def translated_html(obj, field):
    """A translated field as escaped HTML; a fallback passage is wrapped in <span lang="…">."""
    text, lang = translated(obj, field)
    if is_fallback(lang):
        return format_html('<span lang="{}">{}</span>', lang, text)
    return text
