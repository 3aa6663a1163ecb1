from django import template

from research.cards import card_url

register = template.Library()


@register.simple_tag(takes_context=True)
def title_card_url(context, title):
    """The absolute URL of the Open Graph card of a page's title (research/cards.py)."""
    return card_url(context["request"], str(title))
