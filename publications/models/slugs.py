"""Slugs for rows that visitors reach by URL."""

from django.utils.text import slugify


def unique_slug(model, text, fallback, exclude_pk=None, max_length=80):
    """An ASCII slug for `text` that no other row of `model` uses."""
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, n = base, 2
    others = model._default_manager.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug
