from django import template

register = template.Library()

AUTHORS_SHOWN = 10


@register.inclusion_tag("includes/author_list.html", takes_context=True)
def author_list(context, publication, link_authors=False):
    """Authors in order; over ten collapse to “et al.” / 「他」, expandable without JavaScript."""
    authorships = publication.ordered_authorships
    collapse = len(authorships) > AUTHORS_SHOWN
    return {
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
        "publication": publication,
        "shown": authorships[:AUTHORS_SHOWN] if collapse else authorships,
        "hidden": authorships[AUTHORS_SHOWN:] if collapse else [],
        "link_authors": link_authors,
    }
