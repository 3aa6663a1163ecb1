"""ORCID → the publications database: a researcher's works through ORCID's public API.

`GET https://pub.orcid.org/v3.0/{orcid}/works` lists the works (grouped: one group per
work, one summary per source that added it); the details of each work (contributors,
citation, description) come from the bulk read `GET /v3.0/{orcid}/works/{put-codes}`,
at most 100 put-codes a request (ORCID API v3.0; docs/sources-researchmap-orcid.md).
Each work becomes a BibTeX entry (`entries`) and takes the BibTeX import's path.
"""

import re

from django.utils.translation import gettext as _

from .. import names
from ..bibtex import parsing
from . import entries, http

BULK_SIZE = 100  # put-codes per bulk read: ORCID's limit
ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$")

# ORCID work types (v3.0's work-type vocabulary) → BibTeX entry types.
ENTRY_TYPES = {
    "journal-article": "article",
    "journal-issue": "periodical",
    "review": "article",
    "conference-paper": "inproceedings",
    "conference-abstract": "inproceedings",
    "conference-poster": "inproceedings",
    "book": "book",
    "edited-book": "collection",
    "book-chapter": "incollection",
    "encyclopedia-entry": "inreference",
    "dictionary-entry": "inreference",
    "dissertation-thesis": "phdthesis",
    "dissertation": "phdthesis",
    "preprint": "unpublished",
    "working-paper": "unpublished",
    "report": "techreport",
    "data-set": "dataset",
    "software": "software",
    "patent": "patent",
    "standards-and-policy": "standard",
}
VENUE_FIELD = {
    "article": "journal",
    "periodical": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "inreference": "booktitle",
    "phdthesis": "school",
    "techreport": "institution",
}
# Fields of the work's own BibTeX citation that the JSON has no place for.
FROM_CITATION = ("volume", "number", "pages", "eid", "publisher")


def orcid_of(value):
    """The ORCID iD in a pasted iD or https://orcid.org/ address, or "" when there is none."""
    match = ORCID.match((value or "").strip())
    return match.group(1) if match else ""


def _malformed(detail):
    return http.SourceUnavailable("orcid", "malformed", detail=detail)


def fetch_works(orcid, progress=None):
    """Every public work of an ORCID record, with its details: the list, then one bulk
    read per 100 works. Raises http.NotFound for an iD ORCID does not know and
    http.SourceUnavailable when ORCID cannot be read. `progress(done, total)` hears
    each bulk read."""
    what = f"ORCID iD {orcid}"
    codes = put_codes(http.get_json("orcid", f"/{orcid}/works", what=what))
    works = []
    if progress:
        progress(0, len(codes))
    for start in range(0, len(codes), BULK_SIZE):
        chunk = ",".join(str(code) for code in codes[start : start + BULK_SIZE])
        works += bulk_works(http.get_json("orcid", f"/{orcid}/works/{chunk}", what=what))
        if progress:
            progress(min(start + BULK_SIZE, len(codes)), len(codes))
    return works


def holder_name(orcid):
    """The record holder's published name ("Given Family"), or "" when it is private."""
    person = http.get_json("orcid", f"/{orcid}/person", what=f"ORCID iD {orcid}")
    name = person.get("name") if isinstance(person.get("name"), dict) else {}
    credit = _value(name, "credit-name")
    return credit or " ".join(
        part for part in (_value(name, "given-names"), _value(name, "family-name")) if part
    )


def _dict(node, name):
    """node[name] when it is an object, else {} (ORCID writes null for what is not there)."""
    value = node.get(name) if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}


def _list(node, *path):
    """node[path…] when it is a list, else []."""
    for name in path[:-1]:
        node = _dict(node, name)
    value = node.get(path[-1]) if isinstance(node, dict) else None
    return value if isinstance(value, list) else []


def contributors(work):
    return [c for c in _list(work, "contributors", "contributor") if isinstance(c, dict)]


def _value(node, *path):
    """node[path…]["value"]-style lookups that tolerate the nulls ORCID writes."""
    for name in path:
        if not isinstance(node, dict):
            return ""
        node = node.get(name)
    if isinstance(node, dict):
        node = node.get("value")
    return " ".join(str(node).split()) if node not in (None, "") else ""


def _display_index(summary):
    value = str(summary.get("display-index") or "0")
    return int(value) if value.isdigit() else 0


def put_codes(payload):
    """The put-code of one summary of each work group (the preferred source's: ORCID
    shows the summary with the highest display index), in the list's order."""
    if not isinstance(payload.get("group", []), list):
        raise _malformed(_("no list of works"))
    codes = []
    for group in payload.get("group") or []:
        summaries = group.get("work-summary") if isinstance(group, dict) else None
        if not isinstance(summaries, list) or not summaries:
            raise _malformed(_("a group of works without a work"))
        best = max(
            (s for s in summaries if isinstance(s, dict) and s.get("put-code") is not None),
            key=_display_index,
            default=None,
        )
        if best is None:
            raise _malformed(_("a work without a put-code"))
        code = str(best["put-code"])
        if not code.isdigit():  # it goes into the next request's path
            raise _malformed(_("a work without a put-code"))
        codes.append(code)
    return codes


def bulk_works(payload):
    """The works of a bulk read; works ORCID could not give (an "error" item) are skipped."""
    if not isinstance(payload.get("bulk"), list):
        raise _malformed(_("no list of works"))
    return [
        item["work"]
        for item in payload["bulk"]
        if isinstance(item, dict) and isinstance(item.get("work"), dict)
    ]


def _external_ids(work):
    ids = {}
    for ext in _list(work, "external-ids", "external-id"):
        if not isinstance(ext, dict) or ext.get("external-id-relationship") not in (None, "self"):
            continue  # "part-of" is the journal's ISSN, "version-of" another version
        kind = str(ext.get("external-id-type") or "").lower()
        value = _value(ext, "external-id-normalized") or str(ext.get("external-id-value") or "")
        ids.setdefault(kind, value.strip())
    return ids


def _citation_fields(work):
    """Volume, number, pages… from the work's BibTeX citation, when it has one."""
    citation = _dict(work, "citation")
    if str(citation.get("citation-type") or "").lower() != "bibtex":
        return {}
    try:
        result = parsing.parse(str(citation.get("citation-value") or ""))
    except parsing.LimitExceeded:
        return {}
    if len(result.entries) != 1:
        return {}
    fields = result.entries[0].fields
    return {name: fields[name] for name in FROM_CITATION if fields.get(name)}


def _authors(work, owner, holder=""):
    """(names, truncated, ORCID iDs): the authors as printed and each one's iD ("" when
    the record does not give one); `owner` (with `holder`'s iD) when none is listed."""
    names, orcids = [], []
    for contributor in contributors(work):
        # An editor or a translator is not an author; CRediT roles (URIs) all are.
        role = _value(contributor, "contributor-attributes", "contributor-role").lower()
        if role not in ("", "author") and not role.startswith("http://credit.niso.org/"):
            continue
        name = _value(contributor, "credit-name")
        if name:
            names.append(name)
            orcids.append(orcid_of(_value(contributor, "contributor-orcid", "path")))
    if names:
        return names, False, orcids
    # A work with no contributors listed is still the ORCID holder's: them, and others.
    return ([owner], True, [holder]) if owner else ([], False, [])


def key_of(work):
    return f"orcid-{re.sub(r'[^0-9]', '', str(work.get('put-code') or '')) or 'work'}"


def author_orcids(works, owner="", holder=""):
    """{entry key: the ORCID iD of each author, in order}: the import resolves an author
    by their iD before their name (publications/bibtex/people.py)."""
    return {key_of(work): _authors(work, owner, holder)[2] for work in works}


def bibtex_entry(work, owner=""):
    """One work → a BibTeX entry, keyed by its put-code. `owner`: the holder's name."""
    entry_type = ENTRY_TYPES.get(str(work.get("type") or "").lower(), "misc")
    title = _value(work, "title", "title")
    subtitle = _value(work, "title", "subtitle")
    translated = _value(work, "title", "translated-title")
    fields = {"title": title, "subtitle": subtitle}
    if translated and names.is_cjk(translated) != names.is_cjk(title):
        # The title in the other script too: each to its column (the subtitle with its title).
        whole = f"{title}: {subtitle}" if subtitle else title
        columns = ("title_ja", "title_en") if names.is_cjk(title) else ("title_en", "title_ja")
        fields[columns[0]], fields[columns[1]] = whole, translated
    fields[VENUE_FIELD.get(entry_type, "howpublished")] = _value(work, "journal-title")
    date = _dict(work, "publication-date")
    parts = [_value(date, "year"), _value(date, "month"), _value(date, "day")]
    fields["date"] = "-".join(p.zfill(2) if n else p for n, p in enumerate(parts) if p)
    fields |= _citation_fields(work)
    ids = _external_ids(work)
    fields["doi"] = ids.get("doi", "")
    if ids.get("arxiv"):
        fields["eprint"], fields["archiveprefix"] = ids["arxiv"], "arXiv"
    fields["url"] = _value(work, "url")
    fields["abstract"] = _value(work, "short-description")
    fields["langid"] = _value(work, "language-code")
    fields["orcid"] = str(work.get("path") or "")
    authors, truncated, _orcids = _authors(work, owner)
    return entries.entry(entry_type, key_of(work), fields, authors, truncated)


def bibtex(works, owner=""):
    return "\n\n".join(bibtex_entry(work, owner) for work in works) + "\n"
