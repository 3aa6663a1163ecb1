from django import template
from django.urls import translate_url

from publications.markup import math_html, render_markdown
from publications.translated import is_fallback, translated

register = template.Library()


@register.simple_tag(takes_context=True)
def translated_url(context, language, absolute=False):
    """The current page's URL in another language (the same object, the same query string)."""
    request = context.get("request")
    if request is None:
        return f"/{language}/"
    # A page links to each language two or three times (<link rel="alternate">, the
    # switcher): resolve its URL once per language.
    urls = request.__dict__.setdefault("_translated_urls", {})
    url = urls.get(language)
    if url is None:
        url = urls[language] = translate_url(request.get_full_path(), language)
    return request.build_absolute_uri(url) if absolute else url


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    """An absolute URL for a path (the current page's path by default)."""
    request = context["request"]
    return request.build_absolute_uri(path if path is not None else request.path)


@register.inclusion_tag("includes/translated.html")
def translated_text(obj, field):
    """A translated field's text; a fallback passage is marked with its language."""
    text, language = translated(obj, field)
    return {"text": text, "language": language, "fallback": is_fallback(language)}


@register.inclusion_tag("includes/translated.html")
def translated_math(obj, field):
    """Like translated_text, with the text's `$…$` math shown as math (a paper's title)."""
    text, language = translated(obj, field)
    return {"text": math_html(text), "language": language, "fallback": is_fallback(language)}


@register.inclusion_tag("includes/translated_markdown.html")
def translated_markdown(obj, field, css_class="prose", math=False):
    """A translated Markdown field as sanitised HTML in a <div>, with lang on a fallback.

    `math`: show the text's `$…$` math as math (a paper's abstract, from BibTeX).
    """
    text, language = translated(obj, field)
    return {
        "html": render_markdown(text, math=math) if text else "",
        "language": language,
        "fallback": is_fallback(language),
        "css_class": css_class,
    }


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (None or "" removes them).

    Keeps every other filter, so filters never reset each other; changing a
    filter goes back to page 1.
    """
    request = context["request"]
    params = request.GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
