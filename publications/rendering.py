"""HTML for the parts every publication list repeats: the item, its author list, its source.

A list page shows 20 papers with 3–8 authors each (and the theme page up to 40
papers). Rendered through Django template includes — one include per paper, one
per author — they cost most of an uncached page (docs/benchmarks.md). Here they
are built with `format_html`, which escapes every value, in one pass; the
templates call them through the `{% publication_item %}`, `{% author_list %}` and
`{% publication_source %}` tags (publications/templatetags/citations.py).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from .translated import translated_html

AUTHORS_SHOWN = 10
_SLUG = "--slug--"  # a placeholder that URL quoting leaves alone (slugs are [-a-zA-Z0-9_])


@dataclass(frozen=True)
class Links:
    """The URL shapes of the active language, reversed once per list instead of once per link."""

    publication: str
    keyword: str
    author: str

    @classmethod
    def current(cls):
        return cls(
            publication=reverse("publications:detail", kwargs={"slug": _SLUG}),
            keyword=reverse("publications:keyword", kwargs={"slug": _SLUG}),
            author=reverse("publications:list") + "?author=",
        )

    def of_publication(self, publication):
        return self.publication.replace(_SLUG, publication.slug)

    def of_keyword(self, keyword):
        return self.keyword.replace(_SLUG, keyword.slug)


def _et_al():
    return "他" if (get_language() or "ja")[:2] == "ja" else "et al."


def _author(authorship, links):
    person = authorship.person
    name = str(person)
    if links is not None:
        name = format_html('<a href="{}{}">{}</a>', links.author, person.slug, name)
    if person.is_lab_member:
        return format_html(
            '<strong class="lab-member">{}<span class="visually-hidden"> ({})</span></strong>',
            name,
            gettext("lab member"),
        )
    return name


def author_list(publication, links=None):
    """Authors in order, lab members highlighted; over ten collapse into an expandable “et al.”.

    `links` (a `Links`) makes every name a link to the person's papers.
    """
    authorships = publication.ordered_authorships
    shown, hidden = authorships[:AUTHORS_SHOWN], authorships[AUTHORS_SHOWN:]
    html = format_html_join(", ", "{}", ((_author(a, links),) for a in shown))
    if hidden:
        more = ngettext(
            "show %(counter)s more author", "show %(counter)s more authors", len(hidden)
        ) % {"counter": len(hidden)}
        rest = format_html_join("", ", {}", ((_author(a, links),) for a in hidden))
        html = format_html(
            '{}<details class="more-authors"><summary>{} <span class="more-count">({})</span>'
            "</summary>{}</details>",
            html,
            _et_al(),
            more,
            rest,
        )
    elif publication.authors_truncated:
        html = format_html("{} {}", html, _et_al())
    return format_html('<div class="authors">{}</div>', html)


def source(publication):
    """Venue, volume(issue), pages or article number (year), and the status, type and note."""
    parts = [format_html('<span class="venue">{}</span>', publication.venue)]
    if publication.volume:
        parts.append(format_html(' <span class="volume">{}</span>', publication.volume))
    if publication.issue:
        parts.append(format_html("({})", publication.issue))
    if publication.pages_or_number:
        parts.append(format_html(", {}", publication.pages_or_number))
    parts.append(format_html(" ({})", publication.year))
    if publication.status != "published":
        parts.append(
            format_html(' <span class="status">{}</span>', publication.get_status_display())
        )
    if publication.type != "article":
        parts.append(format_html(' <span class="badge">{}</span>', publication.get_type_display()))
    if publication.note:
        note = translated_html(publication, "note")
        parts.append(format_html(' <span class="note">{}</span>', note))
    return mark_safe("".join(parts))


def publication_item(publication, links):
    """One paper of a list: linked title, authors, source, the keywords it shares, its DOI."""
    parts = [
        format_html(
            '<article class="publication">\n  <h3 class="publication-title">'
            '<a href="{}">{}</a></h3>\n  <div class="citation">{}</div>'
            '\n  <p class="source">{}</p>',
            links.of_publication(publication),
            translated_html(publication, "title"),
            author_list(publication),
            source(publication),
        )
    ]
    matched = getattr(publication, "matched_keywords", None)
    if matched:
        chips = format_html_join(
            ", ",
            '<a href="{}" class="chip-inline">{}</a>',
            ((links.of_keyword(k), translated_html(k, "name")) for k in matched),
        )
        parts.append(
            format_html('\n  <p class="matched">{} {}</p>', gettext("Shares keywords:"), chips)
        )
    if publication.doi:
        parts.append(
            format_html(
                '\n  <p class="links"><a href="https://doi.org/{}">doi:{}</a></p>',
                publication.doi,
                publication.doi,
            )
        )
    parts.append("\n</article>")
    return mark_safe("".join(parts))
