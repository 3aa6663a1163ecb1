"""Which language a translated field's displayed text is really in.

modeltranslation falls back to the other language when a translation is
missing; the page must then mark the passage with its real `lang`, so that
screen readers and browsers (hyphenation, fonts) treat it right.
"""

from html import escape

from django.conf import settings
from django.utils.safestring import mark_safe
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


def translated_html(obj, field, active=None):
    """A translated field as escaped HTML; a fallback passage is wrapped in <span lang="…">.

    Escaped with `html.escape` (what Django's `escape` calls): lists call this for
    every title and keyword they show, passing the page's language as `active`.
    """
    active = active or active_language()
    text, lang = translated(obj, field, active)
    html = escape(str(text), quote=True)
    if lang != active:
        html = f'<span lang="{lang}">{html}</span>'
    return mark_safe(html)
