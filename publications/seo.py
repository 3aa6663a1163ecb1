"""What search engines, Google Scholar and reference managers read from a page.

- `PageMeta`: title, description (≤ 160 characters, in the page's language),
  Open Graph type and image, whether search engines should leave the page out of
  their index, for every page (rendered by base.html).
- `scholar_tags()`: the Highwire Press `citation_*` tags Google Scholar indexes.
- `scholarly_article()`: schema.org `ScholarlyArticle` JSON-LD.
- `coins()`: a COinS OpenURL context object, so Zotero can capture the paper.
- `json_ld()`: JSON for a <script type="application/ld+json">, with <, > and &
  escaped so no text in the data can close the script element.
"""

import html
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from .markup import math_plain, render_markdown

DESCRIPTION_LENGTH = 160
OG_LOCALES = {"ja": "ja_JP", "en": "en_US"}
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def describe(text, markdown=False):
    """Plain text of at most 160 characters for a meta description.

    Plain: Markdown's HTML loses its tags *and* its entities (`Li &amp; Na` → `Li & Na`),
    as the template and json_ld() escape what they output themselves.
    """
    if markdown:
        text = html.unescape(strip_tags(render_markdown(text)))
    return Truncator(" ".join((text or "").split())).chars(DESCRIPTION_LENGTH)


@dataclass
class PageMeta:
    title: str
    description: str = ""
    image: str = ""
    type: str = "website"
    # A search or a filtered list: its own canonical URL, but not for the index (the
    # unfiltered list and the keyword and theme pages are the pages to find).
    noindex: bool = False

    def __post_init__(self):
        self.description = describe(self.description)

    @property
    def locale(self):
        return OG_LOCALES.get((get_language() or "ja")[:2], "ja_JP")

    @property
    def alternate_locales(self):
        return [code for code in OG_LOCALES.values() if code != self.locale]


def json_ld(data):
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))


def author_names(publication):
    """Authors as "Family, Given" (Google Scholar's preferred form), in order."""
    names = []
    for authorship in publication.ordered_authorships:
        person = authorship.person
        family = person.family_name_en or person.family_name_ja
        given = person.given_name_en if person.family_name_en else person.given_name_ja
        names.append(f"{family}, {given}" if given else family)
    return names


def page_range(publication):
    first, _, last = publication.pages.partition("-")
    if not first:
        first = publication.article_number
    return first.strip(), last.strip()


def publication_date(publication, sep="/"):
    """The paper's date as "2020/05/17" (or with `sep`); "" for an undated paper."""
    if publication.year is None:
        return ""
    parts = [f"{publication.year:04d}"]
    if publication.month:
        parts.append(f"{publication.month:02d}")
        if publication.day:
            parts.append(f"{publication.day:02d}")
    return sep.join(parts)


def is_conference(publication):
    return publication.type == publication.Type.CONFERENCE


def scholar_tags(publication, request):
    """[(name, content)] Highwire tags for one paper's page; absolute URLs only."""
    tags = [("citation_title", math_plain(publication.title))]
    tags += [("citation_author", name) for name in author_names(publication)]
    if publication.year is not None:  # undated: the tag is left out, not made up
        tags.append(("citation_publication_date", publication_date(publication)))
    if publication.venue:
        venue_tag = (
            "citation_conference_title" if is_conference(publication) else "citation_journal_title"
        )
        tags.append((venue_tag, publication.venue))
    first, last = page_range(publication)
    for name, value in [
        ("citation_volume", publication.volume),
        ("citation_issue", publication.issue),
        ("citation_firstpage", first),
        ("citation_lastpage", last),
        ("citation_doi", publication.doi),
        ("citation_arxiv_id", publication.arxiv_id),
    ]:
        if value:
            tags.append((name, value))
    tags.append(
        ("citation_abstract_html_url", request.build_absolute_uri(publication.get_absolute_url()))
    )
    tags.append(("citation_language", publication.language))
    return tags


def scholarly_article(publication, request):
    first, last = page_range(publication)
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": math_plain(publication.title)[:110],
        "name": math_plain(publication.title),
        "url": request.build_absolute_uri(publication.get_absolute_url()),
        "author": [
            {"@type": "Person", "name": str(a.person)} for a in publication.ordered_authorships
        ],
        "inLanguage": publication.language,
    }
    if publication.year is not None:
        data["datePublished"] = publication_date(publication, "-")
    if publication.abstract:
        data["abstract"] = publication.abstract
    if publication.doi:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": publication.doi,
        }
        data["sameAs"] = f"https://doi.org/{publication.doi}"
    if publication.venue:
        periodical = {"@type": "Periodical", "name": publication.venue}
        if publication.volume:
            periodical = {
                "@type": "PublicationVolume",
                "volumeNumber": publication.volume,
                "isPartOf": periodical,
            }
        data["isPartOf"] = periodical
    if first:
        data["pageStart"] = first
    if last:
        data["pageEnd"] = last
    keywords = [str(k) for k in publication.keywords.all()]
    if keywords:
        data["keywords"] = ", ".join(keywords)
    return data


def coins(publication):
    """The title attribute of a COinS <span class="Z3988">."""
    first, last = page_range(publication)
    genre = "proceeding" if is_conference(publication) else "article"
    fields = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rft.genre", genre),
        ("rft.atitle", math_plain(publication.title)),
        ("rft.jtitle", publication.venue),
        ("rft.date", publication_date(publication, "-")),
        ("rft.volume", publication.volume),
        ("rft.issue", publication.issue),
        ("rft.spage", first),
        ("rft.epage", last),
    ]
    fields += [("rft.au", name) for name in author_names(publication)]
    if publication.doi:
        fields.append(("rft_id", f"info:doi/{publication.doi}"))
    return urlencode([(k, v) for k, v in fields if v])
