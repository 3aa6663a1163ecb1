from django import template
from django.utils.html import format_html_join

from publications import charts, rendering

register = template.Library()


def _links(context):
    """The URL shapes, reversed once per template render (publications/rendering.py)."""
    links = context.render_context.get(rendering.Links)
    if links is None:
        links = context.render_context[rendering.Links] = rendering.Links.current()
    return links


@register.simple_tag(takes_context=True)
def publication_item(context, publication):
    """One paper of a list: title, authors, source, shared keywords, DOI."""
    return rendering.publication_item(publication, _links(context))


@register.simple_tag(takes_context=True)
def author_list(context, publication, link_authors=False):
    """Authors in order; over ten collapse to “et al.” / 「他」, expandable without JavaScript."""
    return rendering.author_list(publication, _links(context) if link_authors else None)


@register.simple_tag
def publication_source(publication):
    return rendering.source(publication)


@register.simple_tag
def year_chart(chart, chart_id):
    """The publications-per-year figure: inline SVG and its table (publications/charts.py)."""
    return charts.chart_html(chart, chart_id)


@register.simple_tag
def options(choices, selected=None):
    """<option>s of a filter's <select> from (value, label) pairs; `selected` is marked."""
    selected = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == selected else "", label) for value, label in choices),
    )
