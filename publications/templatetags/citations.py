from django import template

register = template.Library()

# Authors shown before the rest fold into an expandable “et al.” / 「他」.
AUTHORS_SHOWN = 10


@register.inclusion_tag("includes/author_list.html")
def author_list(publication, link_authors=False):
    """A paper's authors in order, for includes/author_list.html.

    `link_authors` makes each name a link to the person's papers.
    """
    authorships = publication.ordered_authorships
    return {
        "authorships": authorships,
        "shown": AUTHORS_SHOWN,
        "hidden_count": max(len(authorships) - AUTHORS_SHOWN, 0),
        "truncated": publication.authors_truncated,
        "link_authors": link_authors,
    }
