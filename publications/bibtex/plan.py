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

`apply_plan()` writes a plan in bulk inside the caller's transaction, recording
every created object and the previous state of every changed paper as
ImportItems, from which `undo.undo()` restores that state. It refreshes the search
index of the papers it touches and announces the change with
`freshness.content_changed`.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import freshness, names, search
from ..counts import revise as raise_content_revision
from ..models import (
    Authorship,
    ImportBatch,
    ImportItem,
    Keyword,
    NameVariant,
    Person,
    Publication,
)
from .keywords import Keywords
from .mapping import language_of
from .matching import (
    CONTENT_FIELDS,
    MATCH_LABELS,
    field_changes,
    index_publications,
    match_keys,
    snapshots,
)
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


# ---------------------------------------------------------------- applying


def _unique_slugs(model, using):
    return set(model.objects.using(using).values_list("slug", flat=True).iterator())


def _slug(taken, text, fallback, max_length):
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    taken.add(slug)
    return slug


def _insert_rows(model, fields, rows, using):
    """INSERT plain rows (author lists, keyword links, import items), many per statement.

    These rows have no defaults, signals or translations to apply; building a model
    instance per row for bulk_create cost more than the rest of writing them. One
    multi-row INSERT per batch, not executemany: psycopg2 sends an executemany as
    one round trip per row (4.5 s for 25,000 author rows on PostgreSQL).
    """
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    fields_ = [model._meta.get_field(name) for name in fields]
    size = max(1, min(1000, connection.ops.bulk_batch_size(fields_, rows)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([one] * len(batch))}",
                [value for row in batch for value in row],
            )


def _fill_search_documents(created, real, plan, keyword_ids, using):
    """Give new papers their search document before they are inserted (and their search
    entries, from the same values, once they are: `search.write_entries`).

    `search.refresh()` would otherwise rewrite every new row once more (most of an
    import's time). The segments are those of `search._documents`, in its order,
    and `apply_plan` does not refresh new papers again (reading them back cost as
    much as computing them): tests/publications/test_bibtex_import.py checks, over
    the hard cases, that `search.refresh()` finds nothing to correct afterwards.
    """
    fields = ("family_name_ja", "given_name_ja", "family_name_en", "given_name_en")
    people = {real(pid): person for pid, person in plan.people.people.items()}
    wanted = {real(pid) for row, _p in created for _printed, pid in row.authors}
    variants = defaultdict(list)
    for person_id, name in (
        NameVariant.objects.using(using)
        .filter(person_id__in=wanted)
        .order_by("person_id", "name")
        .values_list("person_id", "name")
    ):
        variants[person_id].append(name)
    refs = {keyword_ids.get(ref, ref) for row, _p in created for ref in row.keyword_refs}
    keywords = {
        pk: (slug, name_ja, name_en)
        for pk, slug, name_ja, name_en in Keyword.objects.using(using)
        .filter(pk__in=refs)
        .values_list("pk", "slug", "name_ja", "name_en")
    }
    for row, publication in created:
        mine = sorted(keywords[keyword_ids.get(ref, ref)] for ref in row.keyword_refs)
        segments = [publication.title_ja, publication.title_en]
        segments += [name for _slug, name_ja, name_en in mine for name in (name_ja, name_en)]
        segments += [publication.venue, publication.doi, publication.arxiv_id]
        for printed, pid in row.authors:
            person = people[real(pid)]
            author = {"as_printed": printed, **{f"person__{f}": person[f] for f in fields}}
            segments += search._person_names(author) + variants[real(pid)]
        segments += [publication.abstract_ja, publication.abstract_en]
        publication.search_text, publication.search_tokens = search.build_document(segments)


def apply_plan(plan, batch, skip_errors=False, using="default"):
    """Write the plan as this batch, atomically; returns the batch (now applied).

    Refuses a plan with errors unless `skip_errors` (the user confirmed importing
    the rest). New papers are inserted with their search documents; those of
    updated papers are refreshed once, at the end; caches are told on commit.
    """
    if plan.has_errors and not skip_errors:
        raise PlanError(
            _("%(count)d entries have errors; confirm importing the rest to skip them.")
            % {"count": plan.count(ERROR)}
        )
    if batch.status != ImportBatch.Status.PENDING:
        raise PlanError(_("This import has already been applied."))
    with transaction.atomic(using=using), search.deferred_refresh():
        raise_content_revision(using)  # the first row it locks (publications/counts.py)
        items = []
        applied = [row for row in plan.rows if row.status in (NEW, UPDATE)]

        # Keywords the file introduces (few: saved one by one, slug and keys on save).
        keyword_ids = {}
        for row in applied:
            for ref in row.keyword_refs:
                if isinstance(ref, str) and ref not in keyword_ids:
                    lang = language_of(ref)
                    keyword = Keyword(**{f"name_{lang}": ref})
                    keyword.save(using=using)
                    keyword_ids[ref] = keyword.pk
                    items.append(
                        (
                            batch.pk,
                            ImportItem.Kind.KEYWORD_CREATED.value,
                            keyword.pk,
                            ref[:500],
                        )
                    )

        # People the applied rows introduce, in bulk, with their name variants.
        wanted = {}
        for row in applied:
            if row.status == NEW or "authors" in row.changed_names:
                for printed, pid in row.authors:
                    wanted.setdefault(pid, printed)
        taken = _unique_slugs(Person, using)
        new_people = {}
        for pid in sorted((p for p in wanted if p < 0), reverse=True):
            person = Person(**plan.people.new[pid])
            person.slug = _slug(
                taken, f"{person.given_name_en} {person.family_name_en}", "person", 100
            )
            new_people[pid] = person
        Person.objects.using(using).bulk_create(new_people.values(), batch_size=500)
        person_ids = {pid: person.pk for pid, person in new_people.items()}

        def real(pid):
            return person_ids.get(pid, pid)

        items += [
            (
                batch.pk,
                ImportItem.Kind.PERSON_CREATED.value,
                person.pk,
                person.full_name("en")[:500],
            )
            for person in new_people.values()
        ]
        # The variants resolution added: each printed spelling, each new person's names.
        spellings = {}
        for row in applied:
            if row.status == NEW or "authors" in row.changed_names:
                for printed, _pid in row.authors:
                    spellings.setdefault(names.name_key(printed), printed)
        for person in new_people.values():
            for lang in ("en", "ja"):
                spellings.setdefault(names.name_key(person.full_name(lang)), person.full_name(lang))
        variants = {
            key: NameVariant(person_id=real(plan.people.variants[key]), key=key, name=name[:200])
            for key, name in spellings.items()
            if key and key not in plan.people.stored_variants and key in plan.people.variants
        }
        NameVariant.objects.using(using).bulk_create(variants.values(), batch_size=500)
        items += [
            (
                batch.pk,
                ImportItem.Kind.VARIANT_CREATED.value,
                variant.pk,
                variant.name,
            )
            for variant in variants.values()
            if variant.person_id not in person_ids.values()
        ]

        # New publications, in bulk.
        taken = _unique_slugs(Publication, using)
        created = []
        for row in applied:
            if row.status != NEW:
                continue
            fields = row.record["fields"]
            title = fields.get("title_en") or fields.get("title_ja") or ""
            year = fields["year"]
            publication = Publication(
                **fields,
                authors_truncated=row.record.get("truncated", False),
                is_published=batch.is_published,
                citation_key=row.key,
                bibtex=row.record["raw"],
                slug=_slug(taken, f"{' '.join(title.split()[:8])} {year}", f"paper-{year}", 100),
            )
            created.append((row, publication))
        _fill_search_documents(created, real, plan, keyword_ids, using)
        Publication.objects.using(using).bulk_create([p for _r, p in created], batch_size=500)
        search.write_entries([p for _r, p in created], using)
        authorships, links = [], []
        through = Publication.keywords.through
        for row, publication in created:
            authorships += [
                (publication.pk, real(pid), n, printed)
                for n, (printed, pid) in enumerate(row.authors, start=1)
            ]
            links += [(publication.pk, keyword_ids.get(ref, ref)) for ref in row.keyword_refs]
        _insert_rows(
            Authorship, ["publication", "person", "position", "as_printed"], authorships, using
        )
        _insert_rows(through, ["publication", "keyword"], links, using)
        items += [
            (
                batch.pk,
                ImportItem.Kind.PUBLICATION_CREATED.value,
                publication.pk,
                str(publication)[:500],
            )
            for _row, publication in created
        ]

        # Updates, one by one (a few per file, usually).
        updates = [row for row in applied if row.status == UPDATE]
        before = snapshots([row.match_pk for row in updates], using)
        for row in updates:
            publication = Publication.objects.using(using).get(pk=row.match_pk)
            changed = row.changed_names
            for name in changed & set(CONTENT_FIELDS):
                setattr(publication, name, row.record["fields"][name])
            if "authors" in changed:
                publication.authors_truncated = row.record.get("truncated", False)
            publication.citation_key = row.key
            publication.bibtex = row.record["raw"]
            publication.save(using=using)
            if "authors" in changed:
                publication.authorships.all().delete()
                Authorship.objects.using(using).bulk_create(
                    Authorship(
                        publication=publication,
                        person_id=real(pid),
                        position=n,
                        as_printed=printed,
                    )
                    for n, (printed, pid) in enumerate(row.authors, start=1)
                )
            if "keywords" in changed:
                publication.keywords.add(*[keyword_ids.get(r, r) for r in row.keyword_refs])
        after = snapshots([row.match_pk for row in updates], using)
        updated_items = [
            ImportItem(
                batch=batch,
                kind=ImportItem.Kind.PUBLICATION_UPDATED,
                object_id=row.match_pk,
                label=(row.match_title or row.title)[:500],
                before=before[row.match_pk],
                after=after[row.match_pk],
            )
            for row in updates
        ]
        # What was created, as plain rows (as _insert_rows says); the updates' snapshots
        # are JSON, through the model.
        _insert_rows(ImportItem, ["batch", "kind", "object_id", "label"], items, using)
        ImportItem.objects.using(using).bulk_create(updated_items, batch_size=1000)

        counts = plan.counts
        batch.status = ImportBatch.Status.APPLIED
        batch.created_count = counts[NEW]
        batch.updated_count = counts[UPDATE]
        batch.duplicate_count = counts[DUPLICATE]
        batch.error_count = counts[ERROR]
        batch.skipped = [[r.line, r.key, r.reason] for r in plan.rows if r.status == ERROR]
        batch.records = []
        batch.applied_at = timezone.now()
        batch.save(using=using)
        # New papers were inserted with their documents (_fill_search_documents): reading
        # 5,000 of them back to recompute the same documents was a third of confirming.
        search.schedule([r.match_pk for r in updates], using)
        freshness.content_changed(using)
    return batch
