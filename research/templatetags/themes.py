from django import template

from research.renditions import rendition

register = template.Library()

EAGER_CARDS = 3  # the first row of cards is above the fold on a desktop
# Where the generated visual's columns of dots stand across the card.
DOT_COLUMNS = range(20, 320, 20)


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
        "dot_columns": DOT_COLUMNS,
    }
