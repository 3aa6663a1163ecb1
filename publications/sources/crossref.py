"""Crossref: a DOI's metadata from the REST API, `GET /works/{doi}`.

Format: https://api.crossref.org/swagger-ui/index.html and
https://github.com/CrossRef/rest-api-doc/blob/master/api_format.md (the "work"
object under "message"). docs/sources.md lists what is read.
"""

from urllib.parse import quote

from . import http, jats
from .records import date_parts, make_record, person

# Crossref's work types → ours (https://api.crossref.org/types).
TYPES = {
    "journal-article": "article",
    "proceedings-article": "conference",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "reference-entry": "chapter",
    "posted-content": "preprint",
    "dissertation": "thesis",
}


def work(doi):
    """The work object of a DOI; NotFound when Crossref does not know it."""
    data = http.get_json("crossref", "/works/" + quote(doi, safe="/()"), what=doi)
    message = data.get("message")
    if not isinstance(message, dict):
        raise http.SourceUnavailable("crossref", "malformed", detail="no message")
    return message


def _first(values):
    if isinstance(values, list):
        return next((v for v in values if isinstance(v, str) and v.strip()), "")
    return values if isinstance(values, str) else ""


def to_record(line, identifier, message):
    title = jats.to_text(_first(message.get("title")))
    subtitle = jats.to_text(_first(message.get("subtitle")))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    authors = []
    for author in message.get("author") or []:
        if not isinstance(author, dict):
            continue
        if author.get("family") or author.get("given"):
            authors.append(person(author.get("family"), author.get("given"), author.get("ORCID")))
        elif author.get("name"):  # an organisation or a consortium
            authors.append((author["name"], author["name"], "", ""))
    issued = (
        message.get("issued") or message.get("published-print") or message.get("published") or {}
    )
    year, month, day = date_parts((issued.get("date-parts") or [[]])[0])
    pages = message.get("page") or ""
    article_number = message.get("article-number") or ""
    if pages and not article_number and "-" not in pages and not pages.isdigit():
        article_number, pages = pages, ""  # "e1234": an article number in the page field
    if pages and pages == str(article_number):
        pages = ""  # the article number again in the page field (ESMO Open's "e000776")
    kind = TYPES.get(message.get("type"), "other")
    return make_record(
        line,
        identifier,
        title=title,
        authors=authors,
        origin="Crossref",
        abstract=jats.to_text(message.get("abstract") or "", abstract=True),
        venue=jats.to_text(_first(message.get("container-title"))),
        volume=str(message.get("volume") or ""),
        issue=str(message.get("issue") or ""),
        pages=pages,
        article_number=str(article_number),
        year=year,
        month=month,
        day=day,
        doi=message.get("DOI") or identifier.value,
        url=message.get("resource", {}).get("primary", {}).get("URL") or "",
        type=kind,
        license=licence_of(message),
    )


def licence_of(message):
    """The URL of the licence that applies to the version of record (else the first)."""
    licences = [item for item in message.get("license") or [] if isinstance(item, dict)]
    for item in licences:
        if item.get("content-version") == "vor" and item.get("URL"):
            return item["URL"]
    return next((item["URL"] for item in licences if item.get("URL")), "")
