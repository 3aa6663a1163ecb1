"""DataCite: a DOI's metadata from the REST API, `GET /dois/{doi}` (JSON:API).

Asked for the DOIs Crossref does not know (DataCite registers datasets, theses,
reports, and arXiv's own DOIs). Format: https://support.datacite.org/docs/api-get-doi
and the metadata schema 4.x, https://schema.datacite.org/meta/kernel-4/ (the
"attributes" of the "data" object). docs/sources.md lists what is read.
"""

import re
from urllib.parse import quote

from . import http
from .records import make_record, orcid_of, person

# resourceTypeGeneral (schema 4.x) → ours. Records deposited before schema 4.4 say
# "Text" there and name the kind in the free-text resourceType ("Dissertation",
# "ConferencePaper": recorded answers in tests/publications/data/recorded/datacite/),
# which is read with the same vocabulary.
TYPES = {
    "JournalArticle": "article",
    "ConferencePaper": "conference",
    "ConferenceProceeding": "book",
    "Book": "book",
    "BookChapter": "chapter",
    "Preprint": "preprint",
    "Dissertation": "thesis",
}


_PAGE = re.compile(r"\d")


def attributes(doi):
    data = http.get_json("datacite", "/dois/" + quote(doi, safe="/()"), what=doi)
    record = data.get("data")
    if not isinstance(record, dict) or not isinstance(record.get("attributes"), dict):
        raise http.SourceUnavailable("datacite", "malformed", detail="no data.attributes")
    return record["attributes"]


def _creator(creator):
    orcid = next(
        (
            orcid_of(identifier.get("nameIdentifier"))
            for identifier in creator.get("nameIdentifiers") or []
            if isinstance(identifier, dict)
            and (identifier.get("nameIdentifierScheme") or "").upper() == "ORCID"
        ),
        "",
    )
    family, given = creator.get("familyName"), creator.get("givenName")
    if not family and creator.get("nameType") != "Organizational":
        name = creator.get("name") or ""
        family, _sep, given = (part.strip() for part in name.partition(","))
    if family:
        return person(family, given, orcid)
    name = creator.get("name") or ""
    return (name, name, "", orcid)


def to_record(line, identifier, attrs):
    titles = [t for t in attrs.get("titles") or [] if isinstance(t, dict) and t.get("title")]
    main = [t for t in titles if not t.get("titleType")] or titles
    title = main[0]["title"].strip() if main else ""
    subtitle = next((t["title"] for t in titles if t.get("titleType") == "Subtitle"), "")
    if title and subtitle:
        title = f"{title}: {subtitle.strip()}"
    abstract = next(
        (
            d.get("description", "").strip()
            for d in attrs.get("descriptions") or []
            if isinstance(d, dict) and d.get("descriptionType") == "Abstract"
        ),
        "",
    )
    year = attrs.get("publicationYear")
    year = int(year) if str(year or "").isdigit() else None
    month = day = None
    for date in attrs.get("dates") or []:
        if isinstance(date, dict) and date.get("dateType") == "Issued":
            parts = str(date.get("date", ""))[:10].split("-")
            if all(p.isdigit() for p in parts) and parts[0] and int(parts[0]) == year:
                month = int(parts[1]) if len(parts) > 1 and 1 <= int(parts[1]) <= 12 else None
                day = int(parts[2]) if month and len(parts) > 2 else None
    container = attrs.get("container") if isinstance(attrs.get("container"), dict) else {}
    publisher = attrs.get("publisher")
    if isinstance(publisher, dict):  # ?publisher=true gives an object
        publisher = publisher.get("name", "")
    first, last = str(container.get("firstPage") or ""), str(container.get("lastPage") or "")
    if not _PAGE.search(first):
        first = last = ""  # not a page: a series' place or year ("Korea" in JACoW's)
    types = attrs.get("types") if isinstance(attrs.get("types"), dict) else {}
    kind = TYPES.get(types.get("resourceTypeGeneral")) or TYPES.get(
        str(types.get("resourceType") or "").replace(" ", ""), "other"
    )
    volume, issue = str(container.get("volume") or ""), str(container.get("issue") or "")
    if kind == "thesis":
        # A thesis is in no volume: a "Series" container holds the university, "Diss."
        # and the year (DESY's records), not a volume and pages.
        volume = issue = first = last = ""
    rights = next(
        (
            r["rightsUri"]
            for r in attrs.get("rightsList") or []
            if isinstance(r, dict) and r.get("rightsUri")
        ),
        "",
    )
    return make_record(
        line,
        identifier,
        title=title,
        authors=[_creator(c) for c in attrs.get("creators") or [] if isinstance(c, dict)],
        origin="DataCite",
        abstract=abstract,
        venue=container.get("title") or publisher or "",
        volume=volume,
        issue=issue,
        pages=f"{first}-{last}" if first and last and first != last else first,
        year=year,
        month=month,
        day=day,
        doi=attrs.get("doi") or identifier.value,
        url=attrs.get("url") or "",
        type=kind,
        license=rights,
    )
