"""HTML for the parts every publication list repeats: the item, its author list, its source.

A list page shows 20 papers with 3–8 authors each (and the theme page up to 40
papers). Rendered through Django template includes — one include per paper, one
per author — they cost most of an uncached page (docs/benchmarks.md). Here they
are built here in one pass, every value escaped with `esc` (the standard
library's `html.escape`, which is what Django's `escape` calls, without its
lazy-string check per call); the templates call them through the
`{% publication_item %}`, `{% author_list %}` and `{% publication_source %}` tags
(publications/templatetags/citations.py).
"""

import functools
from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, override

from .translated import active_language, translated_html

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


@functools.cache
def choice_label(choices, value, language):
    """The label of `value` among `choices` (a TextChoices class) in `language`, escaped.

    `get_type_display()` looks the label up among every choice's lazy label, each
    translated on the way: 0.1–0.2 ms a call, for a label that only depends on the
    value and the language (the catalogues do not change while a process runs).
    An unknown value is shown as it is, as `get_FOO_display()` does.
    """
    labels = {str(member.value): member.label for member in choices}
    with override(language):
        return esc(labels.get(value, value))


def esc(value):
    """`value` as HTML text: & < > " ' escaped (as Django's `escape`)."""
    return escape(str(value), quote=True)


def _et_al(active):
    return "他" if active == "ja" else "et al."


def _author(authorship, links, member_label, active):
    person = authorship.person
    name = esc(person.full_name(active))
    if links is not None:
        name = f'<a href="{esc(links.author)}{esc(person.slug)}">{name}</a>'
    if person.is_lab_member:
        return (
            f'<strong class="lab-member">{name}<span class="visually-hidden"> ({member_label})'
            "</span></strong>"
        )
    return name


def author_list(publication, links=None, active=None):
    """Authors in order, lab members highlighted; over ten collapse into an expandable “et al.”.

    `links` (a `Links`) makes every name a link to the person's papers; `active` is
    the page's language, when the caller already has it.
    """
    active = active or active_language()
    authorships = publication.ordered_authorships
    shown, hidden = authorships[:AUTHORS_SHOWN], authorships[AUTHORS_SHOWN:]
    member = esc(gettext("lab member"))
    html = ", ".join(_author(a, links, member, active) for a in shown)
    if hidden:
        more = ngettext(
            "show %(counter)s more author", "show %(counter)s more authors", len(hidden)
        ) % {"counter": len(hidden)}
        rest = "".join(f", {_author(a, links, member, active)}" for a in hidden)
        html = (
            f'{html}<details class="more-authors"><summary>{esc(_et_al(active))}'
            f' <span class="more-count">({esc(more)})</span></summary>{rest}</details>'
        )
    elif publication.authors_truncated:
        html = f"{html} {esc(_et_al(active))}"
    return mark_safe(f'<div class="authors">{html}</div>')


def source(publication, active=None):
    """Venue, volume(issue), pages or article number (year), and the status, type and note."""
    active = active or active_language()
    parts = [f'<span class="venue">{esc(publication.venue)}</span>']
    if publication.volume:
        parts.append(f' <span class="volume">{esc(publication.volume)}</span>')
    if publication.issue:
        parts.append(f"({esc(publication.issue)})")
    if publication.pages_or_number:
        parts.append(f", {esc(publication.pages_or_number)}")
    parts.append(f" ({esc(publication.year)})")
    if publication.status != "published":
        label = choice_label(type(publication).Status, publication.status, active)
        parts.append(f' <span class="status">{label}</span>')
    if publication.type != "article":
        label = choice_label(type(publication).Type, publication.type, active)
        parts.append(f' <span class="badge">{label}</span>')
    note = translated_html(publication, "note", active)  # "" when neither language has one
    if note:
        parts.append(f' <span class="note">{note}</span>')
    return mark_safe("".join(parts))


def publication_item(publication, links):
    """One paper of a list: linked title, authors, source, the keywords it shares, its DOI."""
    active = active_language()
    parts = [
        '<article class="publication">\n  <h3 class="publication-title">'
        f'<a href="{esc(links.of_publication(publication))}">'
        f"{translated_html(publication, 'title', active)}</a></h3>\n"
        f'  <div class="citation">{author_list(publication, active=active)}</div>\n'
        f'  <p class="source">{source(publication, active)}</p>'
    ]
    matched = getattr(publication, "matched_keywords", None)
    if matched:
        chips = ", ".join(
            f'<a href="{esc(links.of_keyword(k))}" class="chip-inline">'
            f"{translated_html(k, 'name', active)}</a>"
            for k in matched
        )
        parts.append(f'\n  <p class="matched">{esc(gettext("Shares keywords:"))} {chips}</p>')
    if publication.doi:
        doi = esc(publication.doi)
        parts.append(f'\n  <p class="links"><a href="https://doi.org/{doi}">doi:{doi}</a></p>')
    parts.append("\n</article>")
    return mark_safe("".join(parts))
