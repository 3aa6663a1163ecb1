from django import template

from research.renditions import portraits

register = template.Library()

# How wide a photo is drawn (static/css/site.css): the browser picks from the srcset.
SIZES = {"small": "8rem", "large": "14rem"}


@register.inclusion_tag("includes/member_photo.html")
def member_photo(member, size="small", lazy=True):
    """A member's photo as square WebP renditions with a srcset, or their initials on a
    neutral tile without one. Either is decorative (alt="", aria-hidden): the name is
    next to it."""
    photos = portraits(member.photo)
    return {
        "member": member,
        "photos": photos,
        "largest": photos[-1] if photos else None,
        "sizes": SIZES[size],
        "size": size,
        "lazy": lazy,
    }
