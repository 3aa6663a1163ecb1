from django import template

from publications.markup import math_html, math_plain, render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render editor-written Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter
def math(text):
    """Stored text with its `$…$` math shown as math (sub/sup or MathML), escaped and safe."""
    return math_html(text)


@register.filter
def plain_math(text):
    """Stored text with its math as plain text (SrTiO$_3$ → SrTiO3), for attributes and <title>."""
    return math_plain(text)
