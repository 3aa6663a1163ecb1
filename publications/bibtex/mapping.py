"""A parsed BibTeX entry → the values of a Publication (a JSON-serialisable dict).

`to_record()` returns a record: {"key", "line", "raw", "entry_type", "fields",
"authors", "truncated", "keywords", "warnings"} or, when the entry cannot become a
publication, {"key", "line", "raw", "error"}. Records are what a pending import
batch stores between the preview and the confirmation.

Which language: a title, abstract or note in Japanese script goes to the `_ja`
column, anything else to `_en`; explicit `title_ja` / `title_en` fields (written
by our own export when a paper has both) win.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from .. import names
from ..models import MAX_YEAR, MIN_YEAR, Publication, normalise_arxiv, normalise_doi
from .parsing import MONTH_NAMES, MONTHS, split_names

T = Publication.Type

# BibTeX / BibLaTeX entry types → publication type. Any other type is refused.
ENTRY_TYPES = {
    "article": T.ARTICLE,
    "inproceedings": T.CONFERENCE,
    "conference": T.CONFERENCE,
    "book": T.BOOK,
    "inbook": T.CHAPTER,
    "incollection": T.CHAPTER,
    "phdthesis": T.THESIS,
    "mastersthesis": T.THESIS,
    "thesis": T.THESIS,
    "unpublished": T.PREPRINT,
    "misc": T.OTHER,
    "online": T.OTHER,
    "techreport": T.OTHER,
    "report": T.OTHER,
    "manual": T.OTHER,
    "booklet": T.OTHER,
    "proceedings": T.OTHER,
}
VENUE_FIELDS = (
    "journal", "journaltitle", "booktitle", "school", "institution",
    "organization", "publisher", "howpublished",
)  # fmt: skip
ARTICLE_NUMBER_FIELDS = ("eid", "articleno", "article-number", "article_number")
STATUS = {"inpress": "in-press", "in press": "in-press", "forthcoming": "in-press"}
STATUS["accepted"] = "accepted"
MAX_LENGTHS = {
    name: Publication._meta.get_field(name).max_length
    for name in ("venue", "volume", "issue", "pages", "article_number", "doi", "url", "arxiv_id")
}
MAX_LENGTHS.update(title=500, citation_key=200)
NOTE_LENGTH = 300
TRANSLATED = ("title", "abstract", "note")

_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s]*(\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE)
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DASHES = re.compile(r"\s*(?:-+|–|—)\s*")
_url_validator = URLValidator(schemes=["http", "https", "ftp"])


# Publication type → the entry type our export writes (and that fits it on re-import).
EXPORT_TYPES = {
    T.ARTICLE: "article",
    T.REVIEW: "article",
    T.INVITED_REVIEW: "article",
    T.CONFERENCE: "inproceedings",
    T.BOOK: "book",
    T.CHAPTER: "incollection",
    T.PREPRINT: "unpublished",
    T.THESIS: "phdthesis",
    T.OTHER: "misc",
}


def entry_type_for(kind, arxiv_id=""):
    """The BibTeX entry type of a publication type (a preprint on arXiv is @misc)."""
    if kind == T.PREPRINT and arxiv_id:
        return "misc"
    return EXPORT_TYPES.get(kind, "misc")


class EntryError(Exception):
    pass


def language_of(text):
    return "ja" if names.is_cjk(text) else "en"


def parse_month(value):
    """1–12 from "3", "03", "March", "mar", "Mar."; None otherwise."""
    text = value.strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    for n, (short, long) in enumerate(zip(MONTHS, MONTH_NAMES, strict=True), start=1):
        if text in (short, long.lower()):
            return n
    return None


def _translated(fields, name, values):
    """Put `name` into values[f"{name}_ja" or "_en"]; explicit name_ja / name_en win."""
    text = fields.get(name, "")
    if text:
        values[f"{name}_{language_of(text)}"] = text
    for lang in ("ja", "en"):
        if f"{name}_{lang}" in fields:  # explicit, even empty: what our export writes
            values[f"{name}_{lang}"] = fields[f"{name}_{lang}"]


def _arxiv(fields):
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    candidates = [fields.get("arxiv", "")]
    if archive == "arxiv" or _ARXIV_ID.match(normalise_arxiv(fields.get("eprint", ""))):
        candidates.append(fields.get("eprint", ""))
    for name in ("journal", "note", "howpublished"):
        match = _ARXIV_IN_TEXT.search(fields.get(name, ""))
        if match:
            candidates.append(match.group(1))
    for candidate in candidates:
        value = normalise_arxiv(candidate)
        if value:
            if not _ARXIV_ID.match(value):
                raise EntryError(
                    _("The arXiv id “%(value)s” is not valid (e.g. 2101.00001).")
                    % {"value": candidate}
                )
            return value
    return ""


def to_record(entry):
    """The record of one parsed entry (see the module docstring)."""
    base = {"key": entry.key, "line": entry.line, "raw": entry.raw}
    try:
        return base | _map(entry)
    except EntryError as error:
        return base | {"error": str(error)}


def _map(entry):
    fields = entry.fields
    warnings = list(entry.warnings)
    if entry.entry_type not in ENTRY_TYPES:
        raise EntryError(
            _("Unknown entry type @%(type)s (known: %(known)s).")
            % {"type": entry.entry_type, "known": ", ".join(f"@{t}" for t in ENTRY_TYPES)}
        )
    if len(entry.key) > MAX_LENGTHS["citation_key"]:
        raise EntryError(_("The key is longer than 200 characters."))
    values = {}
    for name in TRANSLATED:
        _translated(fields, name, values)
    if not (values.get("title_ja") or values.get("title_en")):
        raise EntryError(_("The entry has no title."))

    year, month, day = fields.get("year", "").strip(), None, None
    date = _DATE.match(fields.get("date", "").strip())
    if date:
        year = year or date.group(1)
        month = int(date.group(2)) if date.group(2) else None
        day = int(date.group(3)) if date.group(3) else None
    if not year:
        raise EntryError(_("The entry has no year."))
    if not (year.isdigit() and MIN_YEAR <= int(year) <= MAX_YEAR):
        raise EntryError(
            _("The year “%(year)s” is not a year between %(min)d and %(max)d.")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    values["year"] = int(year)
    if fields.get("month"):
        month = parse_month(fields["month"])
        if month is None:
            warnings.append(_("The month “%(month)s” was not understood.") % fields)
    if fields.get("day", "").strip().isdigit() and 1 <= int(fields["day"]) <= 31:
        day = int(fields["day"])
    if month:
        values["month"] = month
        if day:
            values["day"] = day

    values["venue"] = next((fields[n] for n in VENUE_FIELDS if fields.get(n)), "")
    values["volume"] = fields.get("volume", "")
    values["issue"] = fields.get("number", "") or fields.get("issue", "")
    values["pages"] = _DASHES.sub("-", fields.get("pages", "").strip())
    values["article_number"] = next((fields[n] for n in ARTICLE_NUMBER_FIELDS if fields.get(n)), "")
    if fields.get("numpages", "").strip().isdigit():
        values["numpages"] = int(fields["numpages"])

    doi = normalise_doi(fields.get("doi", ""))
    if doi and not _DOI.match(doi):
        raise EntryError(
            _("The DOI “%(doi)s” is not valid (e.g. 10.1093/jmicro/dfaf038).") % {"doi": doi}
        )
    values["doi"] = doi
    url = fields.get("url", "").strip()
    if url:
        try:
            _url_validator(url)
        except ValidationError:
            raise EntryError(_("The URL “%(url)s” is not valid.") % {"url": url[:100]}) from None
    values["url"] = url
    values["arxiv_id"] = _arxiv(fields)

    kind = ENTRY_TYPES[entry.entry_type]
    if kind == T.OTHER and entry.entry_type == "misc" and values["arxiv_id"]:
        kind = T.PREPRINT
    if kind == T.ARTICLE and "arxiv" in fields.get("journal", "").lower():
        kind = T.PREPRINT
    values["type"] = str(kind)
    pubstate = fields.get("pubstate", "").strip().lower()
    values["status"] = STATUS.get(pubstate, Publication.Status.PUBLISHED.value)

    for name, limit in MAX_LENGTHS.items():
        if name in values and len(values[name]) > limit:
            raise EntryError(
                _("The field “%(field)s” is longer than %(limit)d characters.")
                % {"field": name, "limit": limit}
            )
    for name in ("note_ja", "note_en"):
        if len(values.get(name, "")) > NOTE_LENGTH:
            values[name] = values[name][: NOTE_LENGTH - 1] + "…"
            warnings.append(_("The note was shortened to 300 characters."))

    authors, truncated = split_names(fields.get("author", ""))
    for author in authors:
        if len(author.printed) > 200 or len(author.family) > 100 or len(author.given) > 100:
            raise EntryError(_("An author's name is too long: “%(name)s”.") % author.__dict__)
    keywords = [k.strip() for k in re.split(r"[,;]", fields.get("keywords", "")) if k.strip()]
    return {
        "entry_type": entry.entry_type,
        "fields": {name: value for name, value in values.items() if value not in ("", None)},
        "authors": [[a.printed, a.family, a.given] for a in authors],
        "truncated": truncated,
        "keywords": list(dict.fromkeys(keywords)),
        "warnings": warnings,
    }
