from django import template
from django.utils.safestring import mark_safe

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
    """<option>s of a filter's <select> from (value, label) pairs; `selected` is marked.

    Escaped with `rendering.esc`: the filters list every keyword and lab member,
    and `format_html` per option was a tenth of the publications page.
    """
    selected = "" if selected is None else str(selected)
    esc = rendering.esc
    return mark_safe(
        "".join(
            f'<option value="{esc(value)}"{" selected" if str(value) == selected else ""}>'
            f"{esc(label)}</option>"
            for value, label in choices
        )
    )
