from django import template

from publications import seo
from publications.translated import is_fallback, translated

register = template.Library()


@register.inclusion_tag("includes/translated.html")
def news_summary(item):
    """The start of an item's body as plain text (≤ 160 characters), marked with its
    language when it is the other language's (a fallback)."""
    text, language = translated(item, "body")
    return {
        "text": seo.describe(text, markdown=True),
        "language": language,
        "fallback": is_fallback(language),
    }
