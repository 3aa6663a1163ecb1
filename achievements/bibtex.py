"""Presentations and patents from BibTeX (docs/achievements.md, "Import").

* `@patent` (biblatex) is a patent. Its `type` says application or grant:
  `patentreq`, `patentjpreq`… (biblatex's "request" types) are applications —
  `number` is the application number and the date the filing date — any other
  (`patent`, `patentjp`, none) a registered patent, whose number and date are the
  registration's. `holder` is the applicant, `author` the inventors.
* `@inproceedings`, `@conference`, `@misc` and `@unpublished` are a presentation
  when their `type` — or, failing that, `howpublished` — names one: oral, poster,
  talk, invited, keynote, 口頭, ポスター, 招待, 講演, 発表. "poster"/"ポスター"
  makes it a poster; "invited", "keynote",
  "plenary", "招待", "基調" an invited one. The meeting is `eventtitle`, else
  `booktitle`, else `organization`; the place `venue`, else `location`, else
  `address`; the day `eventdate`, else `date`, else year + month + day. A
  presentation needs the day: an entry without one is an error, never a guessed day.
* Anything else (an article, a book…) is left to the publications import.
* Awards have no BibTeX type: they are entered in the admin.

An import is all or nothing: one entry in error and nothing is written; the rows
say which and why. An entry whose BibTeX key (or, without a key, title and date)
is already stored for that kind is skipped as a duplicate, so a file can be
imported again after it grew.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from publications import names
from publications.bibtex import parsing
from publications.models import Person

from .models import Patent, PatentInventor, Presentation, PresentationAuthor

PRESENTATION_TYPES = frozenset({"inproceedings", "conference", "misc", "unpublished"})
PRESENTATION_WORDS = re.compile(
    r"oral|poster|talk|presentation|invited|keynote|plenary|口頭|ポスター|招待|講演|発表|基調",
    re.IGNORECASE,
)
POSTER = re.compile(r"poster|ポスター", re.IGNORECASE)
INVITED = re.compile(r"invited|keynote|plenary|招待|基調", re.IGNORECASE)
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
MONTHS = {name: n for n, name in enumerate(parsing.MONTHS, start=1)}


@dataclass
class Row:
    line: int
    key: str
    kind: str  # "presentation", "patent", "" (not an achievement)
    status: str  # "new", "duplicate", "skipped", "error"
    message: str = ""
    title: str = ""


@dataclass
class Result:
    rows: list
    created: int = 0

    @property
    def errors(self):
        return [row for row in self.rows if row.status == "error"]


class EntryError(Exception):
    pass


def _text_field(fields, *names):
    for name in names:
        value = " ".join((fields.get(name) or "").split())
        if value:
            return value
    return ""


def _date(fields, *date_fields):
    """The day an entry names, or None."""
    for name in date_fields:
        match = ISO_DATE.match(fields.get(name, "").strip())
        if match:
            try:
                return datetime.date(*map(int, match.groups()))
            except ValueError:
                return None
    year, month, day = fields.get("year", ""), fields.get("month", ""), fields.get("day", "")
    month = MONTHS.get(month.strip().lower()[:3], month.strip())
    try:
        return datetime.date(int(year), int(month), int(day))
    except (TypeError, ValueError):
        return None


def _language_fields(name, value):
    """{name_ja or name_en: value}: Japanese script goes to the Japanese field."""
    if not value:
        return {}
    return {f"{name}_{'ja' if names.is_cjk(value) else 'en'}": value}


def kind_of(entry):
    """ "presentation", "patent" or "" for a parsed entry."""
    if entry.entry_type == "patent":
        return "patent"
    if entry.entry_type in PRESENTATION_TYPES:
        says = entry.fields.get("type") or entry.fields.get("howpublished") or ""
        if PRESENTATION_WORDS.search(says):
            return "presentation"
    return ""


def _people(fields):
    names_, _truncated = parsing.split_names(fields.get("author", ""))
    return [name.printed for name in names_]


def _presentation(entry):
    fields = entry.fields
    says = fields.get("type") or fields.get("howpublished") or ""
    meeting = _text_field(fields, "eventtitle", "booktitle", "organization")
    if not meeting and fields.get("type"):
        meeting = _text_field(fields, "howpublished")
    values = {
        **_language_fields("title", _text_field(fields, "title")),
        **_language_fields("meeting", meeting),
        **_language_fields("place", _text_field(fields, "venue", "location", "address")),
        "date": _date(fields, "eventdate", "date"),
        "format": Presentation.Format.POSTER if POSTER.search(says) else Presentation.Format.ORAL,
        "is_invited": bool(INVITED.search(says)),
        "url": _text_field(fields, "url")[:500],
        "citation_key": entry.key[:200],
    }
    if values["date"] is None:
        raise EntryError(
            _("The presentation has no day (give date = {2024-09-12}, or year, month and day).")
        )
    return values


def _patent(entry):
    fields = entry.fields
    application = "req" in fields.get("type", "").lower()
    day = _date(fields, "date")
    number = _text_field(fields, "number")[:100]
    values = {
        **_language_fields("title", _text_field(fields, "title")),
        **_language_fields("applicant", _text_field(fields, "holder")),
        "url": _text_field(fields, "url")[:500],
        "citation_key": entry.key[:200],
    }
    if application:
        values.update(filed_on=day, application_number=number, status=Patent.Status.FILED)
    else:
        values.update(registered_on=day, registration_number=number, status="registered")
    if day is None:
        raise EntryError(_("The patent has no date (give date = {2024-09-12})."))
    return values


BUILDERS = {
    "presentation": (Presentation, PresentationAuthor, _presentation),
    "patent": (Patent, PatentInventor, _patent),
}

OWNER = {PresentationAuthor: "presentation", PatentInventor: "patent"}


def _is_duplicate(model, values):
    if values["citation_key"]:
        return model.objects.filter(citation_key=values["citation_key"]).exists()
    title = {k: v for k, v in values.items() if k.startswith("title_")}
    dates = {name: values.get(name) for name in model.DATE_FIELDS if values.get(name)}
    return model.objects.filter(**title, **dates).exists()


def import_text(text, is_published=True):
    """Import the presentations and patents of a BibTeX text; all or nothing."""
    parsed = parsing.parse(text)
    rows = [
        Row(problem.line, problem.key, "", "error", problem.reason) for problem in parsed.problems
    ]
    planned = []
    for entry in parsed.entries:
        kind = kind_of(entry)
        row = Row(entry.line, entry.key, kind, "new")
        rows.append(row)
        if not kind:
            row.status = "skipped"
            row.message = _(
                "Not a presentation or a patent: import papers and books through the "
                "publications' BibTeX import."
            )
            continue
        model, link, build = BUILDERS[kind]
        try:
            values = build(entry)
            people = _people(entry.fields)
        except EntryError as error:
            row.status, row.message = "error", str(error)
            continue
        row.title = values.get("title_ja") or values.get("title_en") or ""
        if not row.title:
            row.status, row.message = "error", _("The entry has no title.")
        elif _is_duplicate(model, values):
            row.status, row.message = "duplicate", _("Already stored (same key).")
        else:
            planned.append((model, link, values, people))
    rows.sort(key=lambda row: row.line)
    result = Result(rows)
    if result.errors:
        return result
    with transaction.atomic():
        for model, link, values, people in planned:
            obj = model.objects.create(is_published=is_published, **values)
            seen = set()
            contributors = []
            for printed in people:
                person = Person.objects.resolve_or_create(printed)
                if person.pk in seen:
                    continue
                seen.add(person.pk)
                contributors.append(
                    link(
                        **{OWNER[link]: obj},
                        person=person,
                        position=len(contributors) + 1,
                        as_printed=printed[:200],
                    )
                )
            link.objects.bulk_create(contributors)
            result.created += 1
    return result
