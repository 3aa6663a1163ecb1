"""The import preview: what each entry of a file is, and what confirming would do with it.

`build_plan(records)` compares parsed records (mapping.to_record) with the
database, reading it in a handful of queries whatever the file's size, and gives
one `Row` per entry. Its `status` says what the entry is:

- **new**: no paper matches;
- **duplicate**: the same paper (`matching`'s identity rules) is stored, or is an
  earlier entry of this file, and the entry would change nothing;
- **update**: the same paper is stored and these fields would change;
- **possible**: a paper with the same title and year is stored or earlier in the
  file, but something contradicts it (authors, issue, pages, kind…), or only the
  BibTeX key agrees: the preview shows both side by side;
- **error**: the entry cannot be imported (with its line, key and reason).

Its `choice` says what confirming does — import as new, update a stored paper,
or skip — from the row's `options`. Defaults: new → import; duplicate → skip;
update → update; possible duplicate with the same title → import as new (a
contradiction is positive evidence of another paper — a journal's recurring
"Chairman's report", a study's conference abstract and journal paper — and a
paper imported wrongly is one click to delete or undo, while one skipped silently
is missing from the lab's list); possible duplicate by BibTeX key only → skip
(the same key with another title is most often the same paper edited since). The
editor changes any of them in the preview (`Plan.apply_choices`); the digest
covers every row's options and defaults, so a choice always refers to the plan
that was shown.

Matching and the changes of an update are in `matching`, authors and keywords are
resolved by `people` and `keywords`. The stages after the preview:
`writing.apply_plan()` writes a plan, `undo.undo()` takes it back.
"""

import hashlib
import json
import pickle
from collections import Counter
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, fields

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import names
from ..models import Publication
from .keywords import Keywords
from .matching import (
    MATCH_LABELS,
    Existing,
    Facts,
    comparison,
    contradictions,
    field_changes,
    match_keys,
    snapshots,
)
from .people import People

NEW, DUPLICATE, UPDATE, POSSIBLE, ERROR = "new", "duplicate", "update", "possible", "error"
SKIP = "skip"
STATUSES = (NEW, UPDATE, DUPLICATE, POSSIBLE, ERROR)

FIELD_LABELS = {
    "authors": gettext_lazy("authors"),
    "keywords": gettext_lazy("keywords"),
    "title": gettext_lazy("title"),
    "title_ja": gettext_lazy("title (Japanese)"),
    "title_en": gettext_lazy("title (English)"),
    "abstract_ja": gettext_lazy("abstract (Japanese)"),
    "abstract_en": gettext_lazy("abstract (English)"),
    "note_ja": gettext_lazy("note (Japanese)"),
    "note_en": gettext_lazy("note (English)"),
    "key": gettext_lazy("BibTeX key"),
}


class PlanError(Exception):
    """The plan cannot be applied or undone as asked; the message says why."""


def field_label(name):
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return str(Publication._meta.get_field(name).verbose_name)


@dataclass(slots=True)
class Candidate:
    """A paper the entry may be: stored (`pk`) or an earlier entry of the file (`number`)."""

    title: str
    contradictions: list  # field names
    pk: int | None = None
    number: int | None = None
    changes: list = field(default_factory=list)  # what updating this paper would change
    comparison: list = field(default_factory=list)  # [(field, stored, entry, differ)]

    @property
    def admin_url(self):
        if self.pk is None:
            return ""
        return reverse("admin:publications_publication_change", args=[self.pk])

    @property
    def contradiction_labels(self):
        return [field_label(name) for name in self.contradictions]

    @property
    def change_labels(self):
        return [(field_label(name), old, new) for name, old, new in self.changes]

    @property
    def comparison_labels(self):
        return [(field_label(name), *values) for name, *values in self.comparison]


@dataclass(slots=True)
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
    same_as: int | None = None  # the earlier entry of the file this one duplicates
    changes: list | tuple = ()  # [(field name, old, new)]
    authors: list = field(default_factory=list)  # [(printed, person id; < 0: new person)]
    keyword_refs: list = field(default_factory=list)  # keyword ids; str: new keyword name
    new_people: list | tuple = ()
    new_keywords: list | tuple = ()
    candidates: list | tuple = ()  # [Candidate] of a possible duplicate
    options: list = field(default_factory=list)  # "new", "skip", "update:<pk>"
    default: str = SKIP
    choice: str = SKIP
    facts: Facts | None = None
    notes: list | tuple = ()  # warnings of the plan (ambiguous authors)
    source: int | None = None  # the ImportRecord's pk, when the records are stored

    def to_view(self):
        """What the preview shows of the row, as JSON (ImportRow.view); see `from_view`."""

        def cut(value):  # the preview shows at most 300 characters of a value
            return value[:VIEW_CHARS] if isinstance(value, str) else value

        return {
            "line": self.line, "key": self.key, "title": self.title, "year": self.year,
            "reason": self.reason, "match_pk": self.match_pk, "match_by": self.match_by,
            "match_title": self.match_title, "same_as": self.same_as,
            "changes": [(name, cut(old), cut(new)) for name, old, new in self.changes],
            "new_people": self.new_people, "new_keywords": self.new_keywords,
            "candidates": [
                {
                    "title": c.title, "contradictions": c.contradictions, "pk": c.pk,
                    "number": c.number,
                    "changes": [(name, cut(old), cut(new)) for name, old, new in c.changes],
                    "comparison": [
                        (name, cut(stored), cut(entry), differs)
                        for name, stored, entry, differs in c.comparison
                    ],
                }
                for c in self.candidates
            ],
            "options": self.options, "default": self.default, "warnings": self.warnings,
            "identifier": self.record.get("identifier", ""),
        }  # fmt: skip

    @classmethod
    def from_view(cls, number, status, choice, view):
        """The row as the preview shows it, from an ImportRow (not one that can be applied)."""
        view = dict(view)
        candidates = [Candidate(**candidate) for candidate in view.pop("candidates")]
        warnings = view.pop("warnings")
        # The DOI or arXiv id a record from a service (publications/sources) was found by.
        identifier = view.pop("identifier", "")
        return cls(
            number=number,
            status=status,
            choice=choice,
            record={"warnings": warnings, "identifier": identifier},
            candidates=candidates,
            **view,
        )

    @property
    def warnings(self):
        return [*self.record.get("warnings", []), *self.notes]

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
        return {name for name, _old, _new in self.update_changes}

    @property
    def action(self):
        """What confirming does with the entry: NEW, UPDATE or SKIP."""
        return UPDATE if self.choice.startswith("update:") else self.choice

    @property
    def update_pk(self):
        """The stored paper an update writes to (the match, or a chosen candidate)."""
        return int(self.choice.partition(":")[2]) if self.action == UPDATE else None

    @property
    def update_changes(self):
        if self.action != UPDATE:
            return []
        if self.update_pk == self.match_pk:
            return self.changes
        return next(c.changes for c in self.candidates if c.pk == self.update_pk)

    @property
    def update_title(self):
        if self.update_pk == self.match_pk:
            return self.match_title
        return next(c.title for c in self.candidates if c.pk == self.update_pk)

    @property
    def option_labels(self):
        """[(value, label)] of the choices the preview offers."""
        labels = {NEW: _("Import as new"), SKIP: _("Skip")}
        return [
            (
                value,
                labels.get(value) or _("Update paper #%(pk)s") % {"pk": value.partition(":")[2]},
            )
            for value in self.options
        ]

    @property
    def writes_authors(self):
        """Whether applying the row writes its author list (a new paper, or changed authors)."""
        return self.action == NEW or "authors" in self.changed_names

    def choose(self, value):
        if value not in self.options:
            raise PlanError(
                _("Entry %(number)d (line %(line)d) cannot be “%(choice)s”.")
                % {"number": self.number, "line": self.line, "choice": value[:50]}
            )
        self.choice = value


# Characters of a value the preview's stored rows keep (it shows at most 300).
VIEW_CHARS = 300
# Rows whose records are read back at a time, when the records are stored (`StoredRecords`);
# also the rows build_plan completes at a time before packing them (`PackedRows`).
LOAD_CHUNK = 1000

_ROW_FIELDS = tuple(f.name for f in fields(Row))


def _pack(row):
    """One bytes object for a row: its values in field order, without names or classes."""
    values = [getattr(row, name) for name in _ROW_FIELDS]
    values[_FACTS] = None if row.facts is None else astuple(row.facts)
    values[_CANDIDATES] = tuple(astuple(candidate) for candidate in row.candidates)
    return pickle.dumps(tuple(values), pickle.HIGHEST_PROTOCOL)


def _unpack(data):
    values = list(pickle.loads(data))
    if values[_FACTS] is not None:
        values[_FACTS] = Facts(*values[_FACTS])
    values[_CANDIDATES] = [Candidate(*candidate) for candidate in values[_CANDIDATES]]
    return Row(*values)


_FACTS, _CANDIDATES = _ROW_FIELDS.index("facts"), _ROW_FIELDS.index("candidates")


class PackedRows:
    """A large plan's rows, each kept as one bytes object and rebuilt when read.

    A planned row is some thirty small Python objects (its authors, keyword
    references, facts…); packed it is one, a fraction of their size, so a 100,000-entry
    plan fits the worker's memory bound (figures: docs/limits.md, "Large files"). Reading
    gives a new Row each time: a change to it is kept only by assigning it back
    (`rows[i] = row`), which `Plan.apply_choices` does. Used when the records are
    stored (`StoredRecords`); a plan of records in memory keeps a plain list.
    """

    def __init__(self):
        self._packed = []

    def __len__(self):
        return len(self._packed)

    def append(self, row):
        self._packed.append(_pack(row))

    def extend(self, rows):
        self._packed.extend(_pack(row) for row in rows)

    def __iter__(self):
        return map(_unpack, self._packed)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_unpack(data) for data in self._packed[index]]
        return _unpack(self._packed[index])

    def __setitem__(self, index, row):
        self._packed[index] = _pack(row)


@dataclass
class Plan:
    rows: list
    people: People
    keywords: Keywords
    # records' pks → {pk: record}, when the records are stored rather than in the rows
    load: object = None

    @contextmanager
    def records_of(self, rows):
        """The rows with their whole records for a while (writing needs their fields).

        When the records are stored (`load`), a row keeps only its warnings between
        the steps that need the rest: a large file's records are never all in memory.
        """
        if self.load is None:
            yield rows
            return
        found = self.load([row.source for row in rows])
        slim = [row.record for row in rows]
        for row in rows:
            row.record = found[row.source]
        try:
            yield rows
        finally:
            for row, record in zip(rows, slim, strict=True):
                row.record = record

    def count(self, status):
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self):
        """How many entries are new, updates, duplicates, possible duplicates, errors."""
        found = Counter(row.status for row in self.rows)  # one pass: packed rows are rebuilt
        return {status: found[status] for status in STATUSES}

    @property
    def actions(self):
        """How many entries confirming would import as new, update, skip (errors apart)."""
        result = dict.fromkeys((NEW, UPDATE, SKIP), 0)
        for row in self.rows:
            if row.status != ERROR:
                result[row.action] += 1
        return result

    @property
    def has_errors(self):
        return any(row.status == ERROR for row in self.rows)

    @property
    def has_choices(self):
        return any(len(row.options) > 1 for row in self.rows)

    def digest(self):
        """Changes when what the preview offers changes (the database moved on).

        It covers each row's status, match, changes, options and default, and the
        candidates of possible duplicates with their changes; not the choices
        themselves, which arrive with the confirmation and must be among the options.
        """
        # The JSON of the list of every row's tuple, hashed a row at a time (the same
        # bytes as json.dumps of the whole list, which a large plan need not build).
        digest = hashlib.sha256(b"[")
        for n, r in enumerate(self.rows):
            data = (
                r.status, r.match_pk, r.same_as, r.changes, r.authors, r.keyword_refs,
                r.options, r.default, [(c.pk, c.number, c.changes) for c in r.candidates],
            )  # fmt: skip
            digest.update((", " if n else "").encode() + json.dumps(data, default=str).encode())
        digest.update(b"]")
        return digest.hexdigest()

    def apply_choices(self, choices):
        """Set the rows' choices from {row number: option}; PlanError for an impossible one."""
        for number, value in choices.items():
            # Rows are numbered from 1, in order (build_plan).
            if not 1 <= number <= len(self.rows):
                raise PlanError(_("There is no entry %(number)d.") % {"number": number})
            row = self.rows[number - 1]
            row.choose(value)
            self.rows[number - 1] = row  # packed rows keep a change only when given back

    def summary(self):
        counts, actions = self.counts, self.actions
        skipped = sum(
            1 for row in self.rows if row.action == SKIP and row.status in (NEW, UPDATE, POSSIBLE)
        )
        return _(
            "%(new)d new, %(update)d updated, %(duplicate)d duplicates, "
            "%(possible)d possible duplicates, %(skipped)d skipped, %(error)d errors"
        ) % {
            "new": actions[NEW],
            "update": actions[UPDATE],
            "duplicate": counts[DUPLICATE],
            "possible": counts[POSSIBLE],
            "skipped": skipped,
            "error": counts[ERROR],
        }


class _EarlierEntries:
    """The file's entries planned so far, by their match keys and by the paper they match.

    The indexes hold row numbers, not rows: a large plan's rows are packed once
    complete (`PackedRows`), and an entry only rarely repeats an earlier one.
    """

    def __init__(self, done):
        self.by_key = {kind: {} for kind in MATCH_LABELS}  # kind → key → number ("title": [n])
        self.by_match = {}  # existing paper's pk → number
        self.done = done  # the plan's rows so far
        self.pending = {}  # number → Row: planned, not yet complete (`_complete`)

    def add(self, row, keys):
        for kind, value in keys:
            if kind == "title":
                self.by_key[kind].setdefault(value, []).append(row.number)
            else:
                self.by_key[kind].setdefault(value, row.number)
        if row.match_pk is not None:
            self.by_match.setdefault(row.match_pk, row.number)

    def row(self, number):
        if number in self.pending:
            return self.pending[number]
        return self.done[number - 1]  # rows are numbered from 1, in order


# How often build_plan reports progress (rows); see `progress` below.
PROGRESS_EVERY = 250


def build_plan(records, extra_keywords=(), using="default", progress=None):
    """The plan for these records; `extra_keywords` (Keyword objects) go on every paper.

    `progress`, if given, is called as progress("planning", rows done, rows in all)
    every PROGRESS_EVERY rows (the background import shows it: publications/tasks.py).
    """
    load = getattr(records, "load", None)
    rows = [] if load is None else PackedRows()
    plan = Plan(rows, People(using), Keywords(using), load=load)
    total = len(records)
    # Only the stored papers an entry could be: memory is the file's, not the database's.
    wanted = {kind: set() for kind in MATCH_LABELS}
    for record in records:
        if "error" not in record:
            for kind, value in match_keys(record):
                wanted[kind].add(value)
    existing = Existing(using, wanted)
    # The stored papers an entry's title and year name: their authors decide (one query).
    titled = {pk for value in wanted["title"] for pk in existing.keys["title"].get(value, ())}
    existing.load_authors(titled)
    del wanted, titled
    earlier = _EarlierEntries(plan.rows)
    introduced = set()
    # Rows are completed (compared, given their options) a chunk at a time and then
    # added to the plan, packed when the records are stored: only a chunk is whole.
    for number, record in enumerate(records, start=1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress("planning", number, total)
        if len(earlier.pending) == LOAD_CHUNK:
            _complete(plan, earlier, introduced, using)
        row = Row(number, record.get("line", 0), record.get("key", ""), NEW, record)
        row.source = record.get("pk")
        earlier.pending[number] = row
        if "error" in record:
            row.status, row.reason = ERROR, record["error"]
            _slim(plan, row)
            continue
        fields = record["fields"]
        row.title = fields.get("title_en") or fields.get("title_ja") or ""
        row.year = fields.get("year")  # None: undated
        _resolve_authors(row, plan.people)
        row.facts = _facts(row, plan.people)
        keys = match_keys(record)
        _match(row, keys, existing, earlier)
        refs = [plan.keywords.resolve(name) for name in record["keywords"]]
        refs += [keyword.pk for keyword in extra_keywords]
        row.keyword_refs = list(dict.fromkeys(refs))
        if row.same_as is None:
            earlier.add(row, keys)
        _slim(plan, row)
    _complete(plan, earlier, introduced, using)
    return plan


def _complete(plan, earlier, introduced, using):
    """Compare the pending rows with their matches, give them their options and
    introductions, and add them to the plan (in file order: each step needs only the
    rows before)."""
    rows = list(earlier.pending.values())
    _compare_with_matches(plan, rows, earlier, using)
    _set_options(rows)
    _list_introductions(plan, rows, introduced)
    plan.rows.extend(rows)
    earlier.pending = {}


def _slim(plan, row):
    """Let the row's record go when it can be read again (`Plan.records_of`)."""
    if plan.load is not None:
        # What the preview shows of the record: its warnings, and the DOI or arXiv id a
        # record from a service (publications/sources) was found by.
        kept = {
            name: row.record[name] for name in ("warnings", "identifier") if row.record.get(name)
        }
        row.record = kept or _NO_RECORD


_NO_RECORD = {}


def _facts(row, people):
    """The row's identity facts; its authors' family names in every script known for them."""
    families = {names.family_key(family) for _printed, family, _given in row.record["authors"]}
    for _printed, person_id in row.authors:
        person = people.people[person_id]
        known = (person["family_name_en"], person["family_name_ja"])
        families.update(names.family_key(name) for name in known)
    families = {people.names.setdefault(family, family) for family in families}  # once each
    return Facts.of(row.record["fields"], families, (person_id for _p, person_id in row.authors))


def _match(row, keys, existing, earlier):
    """Find the paper the row is: a stored one (match_pk), an earlier entry (same_as), or
    the candidates of a possible duplicate."""
    for kind, value in keys:
        if kind not in ("doi", "arxiv"):
            continue
        same = earlier.by_key[kind].get(value)
        if same is not None:
            return _same_as(row, earlier.row(same), kind)
        pk = existing.keys[kind].get(value)
        if pk is not None:
            row.match_pk, row.match_by = pk, kind
            break
    if row.match_pk is None:
        for kind, value in keys:
            if kind != "title":
                continue
            for number in earlier.by_key["title"].get(value, ()):
                same = earlier.row(number)
                found = contradictions(row.facts, same.facts)
                if not found:
                    return _same_as(row, same, kind)
                _add_candidate(row, Candidate(same.title, found, number=same.number))
            for pk in existing.keys["title"].get(value, ()):
                found = contradictions(row.facts, existing.facts[pk])
                if not found:
                    row.match_pk, row.match_by = pk, kind
                    break
                _add_candidate(row, Candidate("", found, pk=pk))
            if row.match_pk is not None:
                break
    if row.match_pk is None and row.key:
        pk = existing.keys["key"].get(row.key)
        if pk is not None and all(c.pk != pk for c in row.candidates):
            _add_candidate(row, Candidate("", ["key"], pk=pk))
    if row.match_pk is not None:
        row.candidates = []
        same = earlier.by_match.get(row.match_pk)
        if same is not None:
            _same_as(row, earlier.row(same), row.match_by)
    elif row.candidates:
        row.status = POSSIBLE


def _add_candidate(row, candidate):
    if all((c.pk, c.number) != (candidate.pk, candidate.number) for c in row.candidates):
        row.candidates = [*row.candidates, candidate]


def _same_as(row, same, kind):
    """The row repeats an earlier entry of the file: a duplicate, skipped by default."""
    row.status, row.same_as, row.match_by = DUPLICATE, same.number, kind
    row.match_pk, row.candidates = None, []
    row.reason = _(
        "The same paper as entry %(number)d (line %(line)d) of this file, by %(field)s."
    ) % {"number": same.number, "line": same.line, "field": MATCH_LABELS[kind]}


def _resolve_authors(row, people):
    """Fill the row's authors, each person once.

    A person listed twice (a slip in the file, which BibTeX prints as written) keeps
    the first place, with a warning: the entry is still worth importing and its
    stored source keeps the list as written.
    """
    seen, notes = {}, []  # person id → as printed
    orcids = row.record.get("orcids") or [""] * len(row.record["authors"])
    for (printed, family, given), orcid in zip(row.record["authors"], orcids, strict=True):
        person_id = people.resolve(printed, family, given, notes, orcid=orcid)
        if person_id in seen:
            notes.append(
                _("“%(name)s” and “%(other)s” are the same person, listed twice: kept once.")
                % {"name": printed, "other": seen[person_id]}
            )
            continue
        seen[person_id] = printed
        # One string for each name however many rows print it: a large file's plan is
        # held whole, and its authors repeat.
        row.authors.append((people.names.setdefault(printed, printed), person_id))
    if notes:
        row.notes = notes


def _compare_with_matches(plan, rows, earlier, using):
    """Make each row that matched a stored paper an update, or a duplicate if nothing changes;
    give each candidate of a possible duplicate its changes and the side-by-side comparison.

    `rows` are at most LOAD_CHUNK; a candidate that is an earlier entry of the file is
    read back from `earlier` (`_EarlierEntries`) with its record.
    """
    compared = [
        row
        for row in rows
        if (row.match_pk is not None and row.status != DUPLICATE) or row.candidates
    ]
    if not compared:
        return
    numbers = {row.number for row in compared}
    by_number = {row.number: row for row in compared}
    by_number |= {
        c.number: earlier.row(c.number)
        for row in compared
        for c in row.candidates
        if c.pk is None and c.number not in numbers
    }
    with plan.records_of(list(by_number.values())):
        _compare_rows(plan, compared, by_number, using)


def _compare_rows(plan, rows, by_number, using):
    wanted = {row.match_pk for row in rows if row.match_pk}
    wanted |= {c.pk for row in rows for c in row.candidates if c.pk}
    current = snapshots(wanted, using)
    for row in rows:
        if row.match_pk is not None and row.status != DUPLICATE:
            snapshot = current[row.match_pk]
            row.match_title = snapshot["fields"]["title_en"] or snapshot["fields"]["title_ja"]
            row.changes = field_changes(row, snapshot, plan.keywords)
            row.status = UPDATE if row.changes else DUPLICATE
        printed = [name for name, _person_id in row.authors]
        for candidate in row.candidates:
            if candidate.pk is not None:
                snapshot = current[candidate.pk]
                stored_fields, stored_authors = snapshot["fields"], snapshot["printed"]
                candidate.title = stored_fields["title_en"] or stored_fields["title_ja"]
                candidate.changes = field_changes(row, snapshot, plan.keywords)
            else:
                other = by_number[candidate.number]
                stored_fields = other.record["fields"]
                stored_authors = [name for name, _person_id in other.authors]
            candidate.comparison = comparison(
                row.record["fields"], printed, stored_fields, stored_authors
            )


# The options of most rows, shared (a row's own list otherwise).
ONLY_SKIP, NEW_OR_SKIP = (SKIP,), (NEW, SKIP)


def _set_options(rows):
    """Each row's choices and default (see the module docstring)."""
    for row in rows:
        loose = row.match_by in ("title", "key")  # not by DOI or arXiv id: "new" stays possible
        if row.status == ERROR:
            row.options, row.default = ONLY_SKIP, SKIP
        elif row.status == NEW:
            row.options, row.default = NEW_OR_SKIP, NEW
        elif row.status == UPDATE:
            update = f"update:{row.match_pk}"
            row.options, row.default = [update, SKIP] + ([NEW] if loose else []), update
        elif row.status == DUPLICATE:
            row.options, row.default = [SKIP] + ([NEW] if loose else []), SKIP
        else:  # POSSIBLE
            updates = [f"update:{c.pk}" for c in row.candidates if c.pk is not None]
            by_key_only = all(c.contradictions == ["key"] for c in row.candidates)
            row.default = SKIP if by_key_only else NEW
            row.options = [NEW, SKIP, *updates]
        row.choice = row.default


def _list_introductions(plan, rows, introduced):
    """Name each new person and keyword on the first row that would create it (by default).

    `introduced` holds those named on earlier rows (rows come a chunk at a time)."""
    for row in rows:
        if row.status == ERROR:
            continue
        if row.writes_authors:
            for _printed, person_id in row.authors:
                if person_id < 0 and person_id not in introduced:
                    introduced.add(person_id)
                    row.new_people = [*row.new_people, plan.people.display(person_id)]
        if row.action in (NEW, UPDATE):
            for ref in row.keyword_refs:
                if isinstance(ref, str) and ref not in introduced:
                    introduced.add(ref)
                    row.new_keywords = [*row.new_keywords, ref]
