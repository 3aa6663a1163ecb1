"""The import preview: what each entry of a file would do.

`build_plan(records)` compares parsed records (mapping.to_record) with the
database, reading it in a handful of queries whatever the file's size, and gives
one `Row` per entry:

- **new**: no existing paper matches;
- **duplicate**: an existing paper matches and the entry would change nothing;
- **update**: an existing paper matches and these fields would change;
- **error**: the entry cannot be imported (with its line, key and reason).

Matching and the changes of an update are in `matching`, authors and keywords are
resolved by `people` and `keywords`. Two entries of one file that are the same
paper make the second an error, so a file never imports a paper twice.

The stages after the preview: `writing.apply_plan()` writes a plan, `undo.undo()`
takes it back.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Publication
from .keywords import Keywords
from .matching import MATCH_LABELS, field_changes, index_publications, match_keys, snapshots
from .people import People

NEW, DUPLICATE, UPDATE, ERROR = "new", "duplicate", "update", "error"

FIELD_LABELS = {
    "authors": gettext_lazy("authors"),
    "keywords": gettext_lazy("keywords"),
    "title_ja": gettext_lazy("title (Japanese)"),
    "title_en": gettext_lazy("title (English)"),
    "abstract_ja": gettext_lazy("abstract (Japanese)"),
    "abstract_en": gettext_lazy("abstract (English)"),
    "note_ja": gettext_lazy("note (Japanese)"),
    "note_en": gettext_lazy("note (English)"),
}


class PlanError(Exception):
    """The plan cannot be applied or undone as asked; the message says why."""


def field_label(name):
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return str(Publication._meta.get_field(name).verbose_name)


@dataclass
class Row:
    number: int
    line: int
    key: str
    status: str
    record: dict
    title: str = ""
    year: int | None = None
    reason: str = ""
    match_pk: int | None = None
    match_by: str = ""
    match_title: str = ""
    changes: list = field(default_factory=list)  # [(field name, old, new)]
    authors: list = field(default_factory=list)  # [(printed, person id; < 0: new person)]
    keyword_refs: list = field(default_factory=list)  # keyword ids; str: new keyword name
    new_people: list = field(default_factory=list)
    new_keywords: list = field(default_factory=list)

    @property
    def warnings(self):
        return self.record.get("warnings", [])

    @property
    def match_label(self):
        return str(MATCH_LABELS.get(self.match_by, ""))

    @property
    def match_admin_url(self):
        if self.match_pk is None:
            return ""
        return reverse("admin:publications_publication_change", args=[self.match_pk])

    @property
    def change_labels(self):
        return [(field_label(name), old, new) for name, old, new in self.changes]

    @property
    def changed_names(self):
        return {name for name, _old, _new in self.changes}

    @property
    def writes_authors(self):
        """Whether applying the row writes its author list (a new paper, or changed authors)."""
        return self.status == NEW or "authors" in self.changed_names


@dataclass
class Plan:
    rows: list
    people: People
    keywords: Keywords

    def count(self, status):
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self):
        return {status: self.count(status) for status in (NEW, UPDATE, DUPLICATE, ERROR)}

    @property
    def has_errors(self):
        return any(row.status == ERROR for row in self.rows)

    def digest(self):
        """Changes when what confirming would do changes (the database moved on)."""
        data = [(r.status, r.match_pk, r.changes, r.authors, r.keyword_refs) for r in self.rows]
        return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()

    def summary(self):
        counts = self.counts
        return _("%(new)d new, %(update)d updated, %(duplicate)d duplicates, %(error)d errors") % {
            status: counts[status] for status in (NEW, UPDATE, DUPLICATE, ERROR)
        }


class _EarlierEntries:
    """The file's entries planned so far, by their match keys and by the paper they match."""

    def __init__(self):
        self.by_key = {kind: {} for kind in MATCH_LABELS}  # kind → key → Row
        self.by_match = {}  # existing paper's pk → Row

    def add(self, row, keys):
        for kind, value in keys:
            self.by_key[kind].setdefault(value, row)
        if row.match_pk is not None:
            self.by_match[row.match_pk] = row


def build_plan(records, extra_keywords=(), using="default"):
    """The plan for these records; `extra_keywords` (Keyword objects) go on every paper."""
    plan = Plan([], People(using), Keywords(using))
    existing = index_publications(using)
    earlier = _EarlierEntries()
    for number, record in enumerate(records, start=1):
        row = Row(number, record.get("line", 0), record.get("key", ""), NEW, record)
        plan.rows.append(row)
        if "error" in record:
            row.status, row.reason = ERROR, record["error"]
            continue
        fields = record["fields"]
        row.title = fields.get("title_en") or fields.get("title_ja") or ""
        row.year = fields["year"]
        keys = match_keys(record)
        row.reason = _match(row, keys, existing, earlier) or _resolve_authors(row, plan.people)
        if row.reason:
            row.status = ERROR
            continue
        refs = [plan.keywords.resolve(name) for name in record["keywords"]]
        refs += [keyword.pk for keyword in extra_keywords]
        row.keyword_refs = list(dict.fromkeys(refs))
        earlier.add(row, keys)
    _compare_with_matches(plan, using)
    _list_introductions(plan)
    return plan


def _match(row, keys, existing, earlier):
    """Match the row with an existing paper; the reason it is an error, or ""."""
    for kind, value in keys:
        same = earlier.by_key[kind].get(value)
        if same is not None:
            return _(
                "The same paper as entry %(number)d (line %(line)d) of this file, by %(field)s."
            ) % {"number": same.number, "line": same.line, "field": MATCH_LABELS[kind]}
        pk = existing[kind].get(value)
        if pk is not None:
            row.match_pk, row.match_by = pk, kind
            break
    if row.match_pk is not None and row.match_pk in earlier.by_match:
        same = earlier.by_match[row.match_pk]
        return _("Matches the same existing paper as entry %(number)d (line %(line)d).") % {
            "number": same.number,
            "line": same.line,
        }
    return ""


def _resolve_authors(row, people):
    """Fill the row's authors; the reason it is an error (one person twice), or ""."""
    seen = {}  # person id → as printed
    for printed, family, given in row.record["authors"]:
        person_id = people.resolve(printed, family, given)
        if person_id in seen:
            return _("“%(name)s” and “%(other)s” are the same person, listed twice.") % {
                "name": printed,
                "other": seen[person_id],
            }
        seen[person_id] = printed
        row.authors.append((printed, person_id))
    return ""


def _compare_with_matches(plan, using):
    """Make each row that matched an existing paper an update, or a duplicate if nothing changes."""
    matched = {row.match_pk for row in plan.rows if row.status != ERROR and row.match_pk}
    current = snapshots(matched, using)
    for row in plan.rows:
        if row.status == ERROR or row.match_pk is None:
            continue
        snapshot = current[row.match_pk]
        row.match_title = snapshot["fields"]["title_en"] or snapshot["fields"]["title_ja"]
        row.changes = field_changes(row, snapshot, plan.keywords)
        row.status = UPDATE if row.changes else DUPLICATE


def _list_introductions(plan):
    """Name each new person and keyword on the first row that would create it."""
    introduced = set()
    for row in plan.rows:
        if row.status == ERROR:
            continue
        if row.writes_authors:
            for _printed, person_id in row.authors:
                if person_id < 0 and person_id not in introduced:
                    introduced.add(person_id)
                    row.new_people.append(plan.people.display(person_id))
        if row.status in (NEW, UPDATE):
            for ref in row.keyword_refs:
                if isinstance(ref, str) and ref not in introduced:
                    introduced.add(ref)
                    row.new_keywords.append(ref)
