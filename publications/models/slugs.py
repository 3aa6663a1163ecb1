"""Slugs for rows that visitors reach by URL."""

from django.utils.text import slugify

# Path segments that publications/urls.py gives a meaning of their own beside
# publications/<slug>/: a paper with one of these slugs could never be reached.
RESERVED_PUBLICATION_SLUGS = frozenset({"feed", "suggest"})


def unique_slug(model, text, fallback, exclude_pk=None, max_length=80, reserved=frozenset()):
    """An ASCII slug for `text` that no other row of `model` uses and is not `reserved`."""
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, n = base, 2
    others = model._default_manager.exclude(pk=exclude_pk)
    while slug in reserved or others.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug
