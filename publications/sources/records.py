"""Metadata from a service → the record shape of the import pipeline.

The BibTeX import's records (publications/bibtex/mapping.py) are what a pending
ImportBatch stores and `plan.build_plan` compares with the database; the records
made here have the same keys, so the same preview, choices, confirmation and undo
apply. Differences: `raw` is empty (there is no BibTeX source to keep; an update
keeps the stored one), `key` is empty (the export makes one), `line` is the
identifier's place in the pasted list, `identifier` says what was looked up, and
`orcids` holds each author's ORCID iD ("" when unknown), which people.resolve uses
before names.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from .. import names
from ..bibtex import mapping
from ..bibtex.parsing import Name
from ..models import MAX_YEAR, MIN_YEAR, Publication

_DASHES = re.compile(r"\s*(?:-+|–|—)\s*")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
T = Publication.Type
_url_validator = URLValidator(schemes=["http", "https"])
LICENCE_MAX = Publication._meta.get_field("license").max_length


def _is_url(value):
    try:
        _url_validator(value)
    except ValidationError:
        return False
    return True


def orcid_of(value):
    """The bare ORCID iD of "https://orcid.org/0000-…" or "0000-…", else ""."""
    match = _ORCID.search((value or "").strip().rstrip("/"))
    return match.group(1) if match else ""


def error_record(line, identifier, message):
    return {"key": "", "line": line, "raw": "", "identifier": str(identifier), "error": message}


def make_record(line, identifier, *, title, authors, origin, **values):
    """The record of one paper. `authors`: [(printed, family, given, orcid)];
    `values`: abstract, venue, volume, issue, pages, article_number, year, month, day,
    doi, url, arxiv_id, type, status, warnings."""
    warnings = list(values.pop("warnings", []))
    licence = values.get("license", "")
    if licence and (len(licence) > LICENCE_MAX or not _is_url(licence)):
        del values["license"]  # a licence named in words, not a link: nothing to store
    fields = {}
    if not title:
        return error_record(line, identifier, _("%(origin)s gives no title.") % {"origin": origin})
    fields[f"title_{mapping.language_of(title)}"] = title
    abstract = values.pop("abstract", "")
    if abstract:
        fields[f"abstract_{mapping.language_of(abstract)}"] = abstract
    year = values.pop("year", None)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        warnings.append(_("The year %(year)s is not plausible: stored undated.") % {"year": year})
        year = None
        values.pop("month", None)
        values.pop("day", None)
    fields["year"] = year
    if values.get("pages"):
        values["pages"] = _DASHES.sub("-", values["pages"].strip())
    values.setdefault("status", Publication.Status.PUBLISHED.value)
    fields.update({name: value for name, value in values.items() if value not in ("", None)})
    for name, limit in mapping.MAX_LENGTHS.items():
        if name not in fields or len(fields[name]) <= limit:
            continue
        if name in mapping.IDENTIFIERS:
            del fields[name]
            warnings.append(
                _("The %(field)s is longer than %(limit)d characters: it is left out.")
                % {"field": name, "limit": limit}
            )
        else:
            fields[name] = fields[name][: limit - 1] + "…"
            warnings.append(
                _("The %(field)s was shortened to %(limit)d characters.")
                % {"field": name, "limit": limit}
            )
    for name in ("title_ja", "title_en"):
        if len(fields.get(name, "")) > mapping.MAX_LENGTHS["title"]:
            fields[name] = fields[name][: mapping.MAX_LENGTHS["title"] - 1] + "…"
            warnings.append(_("The title was shortened to 500 characters."))
    try:
        mapping._check_lengths(fields)
        people = [Name(printed, family, given) for printed, family, given, _o in authors]
        for person in people:
            mapping._check_name(person)
    except mapping.EntryError as error:
        return error_record(line, identifier, str(error))
    return {
        "key": "",
        "line": line,
        "raw": "",
        "identifier": str(identifier),
        "entry_type": mapping.entry_type_for(fields.get("type"), fields.get("arxiv_id", "")),
        "fields": {name: value for name, value in fields.items() if value not in ("", None)},
        "authors": [[printed, family, given] for printed, family, given, _o in authors],
        "orcids": [orcid_of(orcid) for *_name, orcid in authors],
        "truncated": False,
        "keywords": [],
        "warnings": warnings,
    }


def date_parts(parts):
    """(year, month, day) of a [year, month, day] list, any of them missing."""
    parts = [p for p in (parts or []) if isinstance(p, int)]
    year = parts[0] if parts else None
    month = parts[1] if len(parts) > 1 and 1 <= parts[1] <= 12 else None
    day = parts[2] if month and len(parts) > 2 and 1 <= parts[2] <= 31 else None
    return year, month, day


def person(family, given, orcid=""):
    """(printed, family, given, orcid) as the BibTeX import has them: Japanese script
    family first (山田 太郎), other scripts given first."""
    family, given = (family or "").strip(), (given or "").strip()
    if names.is_cjk(family + given):
        printed = f"{family} {given}".strip()
    else:
        printed = f"{given} {family}".strip()
    return (printed, family, given, orcid)
