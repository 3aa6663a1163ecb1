from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from research.renditions import rendition

register = template.Library()

EAGER_CARDS = 3  # the first row of cards is above the fold on a desktop

# The generated visual's dots: three rows across the card (built once, it never changes).
_DOTS = "".join(
    f'<circle cx="{x}" cy="60" r="4"/><circle cx="{x}" cy="90" r="6"/>'
    f'<circle cx="{x}" cy="120" r="4"/>'
    for x in range(20, 320, 20)
)


@register.simple_tag
def theme_visual(theme, slot="card", position=None):
    """A theme's image as a WebP rendition for its slot, or a generated visual without one.

    Cards after the first row (`position` > 3) load lazily; the hero never does.
    Built in Python: a page of six cards drew 270 dots through template tags.
    """
    image = rendition(theme.image, slot)
    if image:
        lazy = slot == "card" and (position is None or position > EAGER_CARDS)
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}" class="theme-image"{}'
            ' decoding="async">',
            image.url, image.width, image.height, theme.image_alt,
            mark_safe(' loading="lazy"') if lazy else "",
        )  # fmt: skip
    return format_html(
        '<svg class="theme-image" viewBox="0 0 320 180" width="320" height="180"'
        ' preserveAspectRatio="xMidYMid slice" role="img" aria-label="{label}"'
        ' xmlns="http://www.w3.org/2000/svg">\n'
        '  <defs><linearGradient id="g-{slug}" x1="0" y1="0" x2="1" y2="1">'
        '<stop offset="0" stop-color="hsl({hue}, 45%, 36%)"/>'
        '<stop offset="1" stop-color="hsl({hue}, 55%, 66%)"/></linearGradient></defs>\n'
        '  <rect width="320" height="180" fill="url(#g-{slug})"/>\n'
        '  <g fill="#fff" fill-opacity="0.3">{dots}</g>\n'
        '  <g stroke="#fff" stroke-opacity="0.35" fill="none">'
        '<path d="M0 140 C80 100 160 180 320 120"/><path d="M0 40 C100 80 220 0 320 60"/>'
        "</g>\n</svg>",
        label=theme.image_alt or theme.title, slug=theme.slug, hue=theme.hue,
        dots=mark_safe(_DOTS),
    )  # fmt: skip
