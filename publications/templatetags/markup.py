from django import template

from publications.markup import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render editor-written Markdown as sanitised HTML."""
    return render_markdown(text)
