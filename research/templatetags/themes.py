from django import template

from research.renditions import rendition
from research.visuals import theme_visual as generated_visual

register = template.Library()

EAGER_CARDS = 3  # the first row of cards is above the fold on a desktop


@register.inclusion_tag("includes/theme_visual.html")
def theme_visual(theme, slot="card", position=None):
    """A theme's image as a WebP rendition for its slot, or a generated visual without one.

    Cards after the first row (`position` > 3) load lazily; the hero never does.
    """
    image = rendition(theme.image, slot)
    return {
        "theme": theme,
        "image": image,
        "lazy": slot == "card" and (position is None or position > EAGER_CARDS),
        "visual": None if image else generated_visual(theme.slug, theme.hue),
    }
