"""The import plan: what each entry of a file would do, and doing it (or undoing it).

`build_plan(records)` compares parsed records (mapping.to_record) with the
database, reading it in a handful of queries whatever the file's size, and gives
one `Row` per entry:

- **new**: no existing paper matches;
- **duplicate**: an existing paper matches and the entry would change nothing;
- **update**: an existing paper matches and these fields would change;
- **error**: the entry cannot be imported (with its line, key and reason).

Matching follows PRODUCT.md's order: DOI (lower-cased, bare) → arXiv id (no
version) → normalised title (NFKC, case-folded, letters and digits only) + year
→ citation key. Two entries of one file that are the same paper make the second
an error, so a file never imports a paper twice.

An update only ever *adds or corrects*: a field the entry leaves empty keeps its
value, keywords are added and never removed, and an entry type that fits the
paper's type (`@article` for a review) does not change it.

`apply_plan()` writes a plan in bulk inside the caller's transaction, recording
every created object and the previous state of every changed paper as
ImportItems; `undo()` restores that state. Both refresh the search index of the
papers they touch and announce the change with `freshness.content_changed`.
"""

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import freshness, names, search
from ..models import (
    Authorship,
    ImportBatch,
    ImportItem,
    Keyword,
    NameVariant,
    Person,
    Publication,
)
from .mapping import entry_type_for, language_of

NEW, DUPLICATE, UPDATE, ERROR = "new", "duplicate", "update", "error"

CONTENT_FIELDS = (
    "title_ja", "title_en", "abstract_ja", "abstract_en", "note_ja", "note_en",
    "venue", "volume", "issue", "pages", "article_number", "numpages",
    "year", "month", "day", "doi", "url", "arxiv_id", "type", "status",
)  # fmt: skip
SNAPSHOT_FIELDS = (*CONTENT_FIELDS, "authors_truncated", "is_published", "citation_key", "bibtex")

MATCH_LABELS = {
    "doi": gettext_lazy("DOI"),
    "arxiv": gettext_lazy("arXiv id"),
    "title": gettext_lazy("title and year"),
    "key": gettext_lazy("BibTeX key"),
}
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
_NOT_ALNUM = re.compile(r"[\W_]+")


class PlanError(Exception):
    """The plan cannot be applied or undone as asked; the message says why."""


def title_key(title):
    """NFKC, case-folded, letters and digits only: how two titles are compared."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", title or "").casefold())


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


@dataclass
class Plan:
    rows: list
    people: "People"
    keywords: "Keywords"

    def count(self, status):
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self):
        return {s: self.count(s) for s in (NEW, UPDATE, DUPLICATE, ERROR)}

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
            k: counts[k] for k in (NEW, UPDATE, DUPLICATE, ERROR)
        }


# ---------------------------------------------------------------- people and keywords


class People:
    """Person resolution in memory, as `Person.objects.resolve_or_create` does it.

    Two queries load every name variant and person; people the file introduces are
    added as they appear (with negative ids), so that the file's later entries
    resolve to them as they would in a sequential import.
    """

    def __init__(self, using):
        self.variants = dict(
            NameVariant.objects.using(using).values_list("key", "person_id").iterator()
        )
        self.stored_variants = set(self.variants)
        self.people = {}
        self.by_family = defaultdict(list)
        for row in Person.objects.using(using).values(
            "pk", "family_name_en", "family_name_ja", "given_name_en", "given_name_ja",
            "is_lab_member",
        ).order_by("pk"):  # fmt: skip
            self._add(row.pop("pk"), row)
        self.new = {}

    def _add(self, pid, row):
        self.people[pid] = row
        for family in {row["family_name_en"], row["family_name_ja"]}:
            if family:
                self.by_family[names.family_key(family)].append(pid)

    def initials(self, pid):
        row = self.people[pid]
        return names.initials(row["given_name_en"] or row["given_name_ja"])

    def resolve(self, printed, family, given):
        key = names.name_key(printed)
        if key in self.variants:
            return self.variants[key]
        if not names.is_cjk(family):
            wanted = names.initials(given)
            candidates = sorted(
                (
                    pid
                    for pid in dict.fromkeys(self.by_family.get(names.family_key(family), []))
                    if names.initials_compatible(wanted, self.initials(pid))
                ),
                key=lambda pid: (not self.people[pid]["is_lab_member"], pid < 0, abs(pid)),
            )
            lab = [pid for pid in candidates if self.people[pid]["is_lab_member"]]
            if len(lab) == 1 or len(candidates) == 1:
                pid = (lab or candidates)[0]
                if key:
                    self.variants[key] = pid
                return pid
        pid = -(len(self.new) + 1)
        lang = "ja" if names.is_cjk(printed) else "en"
        row = {
            "family_name_en": "", "family_name_ja": "", "given_name_en": "", "given_name_ja": "",
            "is_lab_member": False,
        }  # fmt: skip
        row[f"family_name_{lang}"], row[f"given_name_{lang}"] = family, given
        self.new[pid] = row
        self._add(pid, row)
        person = Person(**{k: v for k, v in row.items()})
        for spelling in (printed, person.full_name("en"), person.full_name("ja")):
            variant_key = names.name_key(spelling)
            if variant_key:
                self.variants.setdefault(variant_key, pid)
        return pid

    def display(self, pid):
        return Person(**self.people[pid]).full_name()


class Keywords:
    """Keywords matched by either language's name (NFKC, case-folded) or slug."""

    def __init__(self, using):
        self.by_key = {}
        self.names = {}
        for row in Keyword.objects.using(using).values(
            "pk", "slug", "name_key_ja", "name_key_en", "name_ja", "name_en"
        ):
            for key in (row["name_key_ja"], row["name_key_en"], row["slug"]):
                if key:
                    self.by_key.setdefault(key, row["pk"])
            self.names[row["pk"]] = row["name_en"] or row["name_ja"] or row["slug"]
        self.new = {}  # normalised key → name as first written

    def resolve(self, name):
        key = search.normalise_key(name)
        if key in self.by_key:
            return self.by_key[key]
        self.new.setdefault(key, name)
        return self.new[key]

    def display(self, ref):
        return ref if isinstance(ref, str) else self.names.get(ref, str(ref))


# ---------------------------------------------------------------- planning


def _index_publications(using):
    index = {"doi": {}, "arxiv": {}, "title": {}, "key": {}}
    rows = Publication.objects.using(using).values_list(
        "pk", "doi", "arxiv_id", "title_ja", "title_en", "year", "citation_key"
    )
    for pk, doi, arxiv, title_ja, title_en, year, key in rows.order_by("pk").iterator():
        if doi:
            index["doi"].setdefault(doi.lower(), pk)
        if arxiv:
            index["arxiv"].setdefault(arxiv, pk)
        for title in (title_ja, title_en):
            if title_key(title):
                index["title"].setdefault((title_key(title), year), pk)
        if key:
            index["key"].setdefault(key, pk)
    return index


def _match_keys(record):
    fields = record["fields"]
    keys = []
    if fields.get("doi"):
        keys.append(("doi", fields["doi"].lower()))
    if fields.get("arxiv_id"):
        keys.append(("arxiv", fields["arxiv_id"]))
    for name in ("title_en", "title_ja"):
        if title_key(fields.get(name)):
            keys.append(("title", (title_key(fields[name]), fields["year"])))
    if record.get("key"):
        keys.append(("key", record["key"]))
    return keys


def snapshots(pks, using):
    """{pk: the state of a paper that an import may change}, in three queries."""
    result = {
        row.pop("pk"): {"fields": row, "authors": [], "printed": [], "keywords": []}
        for row in Publication.objects.using(using)
        .filter(pk__in=pks)
        .values("pk", *SNAPSHOT_FIELDS)
    }
    names = ("family_name_en", "given_name_en", "family_name_ja", "given_name_ja")
    for pub_id, person_id, printed, *person in (
        Authorship.objects.using(using)
        .filter(publication_id__in=result)
        .order_by("publication_id", "position")
        .values_list("publication_id", "person_id", "as_printed", *(f"person__{n}" for n in names))
    ):
        result[pub_id]["authors"].append([person_id, printed])
        shown = printed or Person(**dict(zip(names, person, strict=True))).full_name("en")
        result[pub_id]["printed"].append(shown)
    through = Publication.keywords.through
    for pub_id, keyword_id in (
        through.objects.using(using)
        .filter(publication_id__in=result)
        .order_by("publication_id", "keyword_id")
        .values_list("publication_id", "keyword_id")
    ):
        result[pub_id]["keywords"].append(keyword_id)
    return result


def _changes(row, current, plan, using):
    incoming = row.record["fields"]
    existing = current["fields"]
    changes = []
    for name in CONTENT_FIELDS:
        if name not in incoming or incoming[name] == existing[name]:
            continue
        if name.startswith("title_") and title_key(incoming[name]) == title_key(existing[name]):
            continue  # only case, width or punctuation differ: keep the curated spelling
        if (
            name == "type"
            and entry_type_for(existing["type"], existing["arxiv_id"]) == (row.record["entry_type"])
        ):
            continue  # @article for a review, @misc for "other": the type fits
        changes.append((name, existing[name], incoming[name]))
    if row.authors:
        old = current["printed"]
        new = [printed for printed, _pid in row.authors]
        truncated = row.record.get("truncated", False)
        if old != new or truncated != existing["authors_truncated"]:
            suffix = " …" if truncated else ""
            old_suffix = " …" if existing["authors_truncated"] else ""
            changes.append(("authors", "; ".join(old) + old_suffix, "; ".join(new) + suffix))
    added = [ref for ref in row.keyword_refs if ref not in current["keywords"]]
    if added:
        old = [plan.keywords.display(k) for k in current["keywords"]]
        changes.append(
            ("keywords", ", ".join(old), ", ".join(old + [plan.keywords.display(k) for k in added]))
        )
    return changes


def build_plan(records, extra_keywords=(), using="default"):
    """The plan for these records; `extra_keywords` (Keyword objects) go on every paper."""
    plan = Plan([], People(using), Keywords(using))
    index = _index_publications(using)
    in_file = {kind: {} for kind in index}
    claimed = {}
    for number, record in enumerate(records, start=1):
        row = Row(number, record.get("line", 0), record.get("key", ""), NEW, record)
        plan.rows.append(row)
        if "error" in record:
            row.status, row.reason = ERROR, record["error"]
            continue
        fields = record["fields"]
        row.title = fields.get("title_en") or fields.get("title_ja") or ""
        row.year = fields["year"]
        keys = _match_keys(record)
        for kind, value in keys:
            earlier = in_file[kind].get(value)
            if earlier is not None:
                row.status = ERROR
                row.reason = _(
                    "The same paper as entry %(number)d (line %(line)d) of this file, by %(field)s."
                ) % {
                    "number": earlier.number,
                    "line": earlier.line,
                    "field": MATCH_LABELS[kind],
                }
                break
            pk = index[kind].get(value)
            if pk is not None:
                row.match_pk, row.match_by = pk, kind
                break
        if row.status == ERROR:
            continue
        if row.match_pk is not None and row.match_pk in claimed:
            earlier = claimed[row.match_pk]
            row.status = ERROR
            row.reason = _(
                "Matches the same existing paper as entry %(number)d (line %(line)d)."
            ) % {"number": earlier.number, "line": earlier.line}
            continue
        seen = {}
        for printed, family, given in record["authors"]:
            pid = plan.people.resolve(printed, family, given)
            if pid in seen:
                row.status = ERROR
                row.reason = _("“%(name)s” and “%(other)s” are the same person, listed twice.") % {
                    "name": printed,
                    "other": seen[pid],
                }
                break
            seen[pid] = printed
            row.authors.append((printed, pid))
        if row.status == ERROR:
            continue
        refs = [plan.keywords.resolve(name) for name in record["keywords"]]
        refs += [k.pk for k in extra_keywords]
        row.keyword_refs = list(dict.fromkeys(refs))
        for kind, value in keys:
            in_file[kind].setdefault(value, row)
        if row.match_pk is not None:
            claimed[row.match_pk] = row
    matched = {row.match_pk for row in plan.rows if row.status != ERROR and row.match_pk}
    current = snapshots(matched, using)
    introduced = set()
    for row in plan.rows:
        if row.status == ERROR:
            continue
        if row.match_pk is not None:
            existing = current[row.match_pk]["fields"]
            row.match_title = existing["title_en"] or existing["title_ja"]
            row.changes = _changes(row, current[row.match_pk], plan, using)
            row.status = UPDATE if row.changes else DUPLICATE
        writes_authors = row.status == NEW or "authors" in row.changed_names
        if writes_authors:
            for _printed, pid in row.authors:
                if pid < 0 and pid not in introduced:
                    introduced.add(pid)
                    row.new_people.append(plan.people.display(pid))
        if row.status in (NEW, UPDATE):
            for ref in row.keyword_refs:
                if isinstance(ref, str) and ref not in introduced:
                    introduced.add(ref)
                    row.new_keywords.append(ref)
    return plan


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


# ---------------------------------------------------------------- undoing


def changed_since_import(batch, using="default"):
    """Labels of the papers this batch wrote that were edited after it.

    A created paper counts as edited when it was saved after the import; an updated
    one when its state differs from the state the import left it in.
    """
    K = ImportItem.Kind
    created = batch.items.filter(kind=K.PUBLICATION_CREATED).values_list("object_id", "label")
    edited = set(
        Publication.objects.using(using)
        .filter(pk__in=[pk for pk, _label in created], updated_at__gt=batch.applied_at)
        .values_list("pk", flat=True)
    )
    labels = [label for pk, label in created if pk in edited]
    updated = list(batch.items.filter(kind=K.PUBLICATION_UPDATED))
    now = snapshots([item.object_id for item in updated], using)
    labels += [
        item.label
        for item in updated
        if item.object_id in now and _comparable(now[item.object_id]) != _comparable(item.after)
    ]
    return labels


def _comparable(snapshot):
    return json.loads(json.dumps(snapshot, default=str)) if snapshot else None


@dataclass
class UndoSummary:
    deleted: int = 0
    restored: int = 0
    people_deleted: int = 0
    people_kept: int = 0
    keywords_deleted: int = 0

    def __str__(self):
        return _(
            "%(deleted)d papers deleted, %(restored)d restored to their previous state, "
            "%(people)d people and %(keywords)d keywords removed"
        ) % {
            "deleted": self.deleted,
            "restored": self.restored,
            "people": self.people_deleted,
            "keywords": self.keywords_deleted,
        }


def undo(batch, user=None, using="default"):
    """Restore what the batch changed and delete what it created; refuses a second undo."""
    with transaction.atomic(using=using), search.deferred_refresh():
        batch = ImportBatch.objects.using(using).select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.UNDONE:
            when = timezone.localtime(batch.undone_at).strftime("%Y-%m-%d %H:%M")
            raise PlanError(_("This import was already undone (%(when)s).") % {"when": when})
        if batch.status != ImportBatch.Status.APPLIED:
            raise PlanError(_("This import was never applied, so there is nothing to undo."))
        summary = UndoSummary()
        items = defaultdict(list)
        for item in batch.items.all():
            items[item.kind].append(item)
        K = ImportItem.Kind
        created = [item.object_id for item in items[K.PUBLICATION_CREATED]]
        deleted = Publication.objects.using(using).filter(pk__in=created).delete()[1]
        summary.deleted = deleted.get(Publication._meta.label, 0)
        restored = []
        for item in items[K.PUBLICATION_UPDATED]:
            publication = Publication.objects.using(using).filter(pk=item.object_id).first()
            if publication is None:
                continue  # deleted since: nothing to restore
            for name, value in item.before["fields"].items():
                setattr(publication, name, value)
            publication.save(using=using)
            existing_people = set(
                Person.objects.using(using)
                .filter(pk__in=[pid for pid, _p in item.before["authors"]])
                .values_list("pk", flat=True)
            )
            publication.authorships.all().delete()
            Authorship.objects.using(using).bulk_create(
                Authorship(publication=publication, person_id=pid, position=n, as_printed=printed)
                for n, (pid, printed) in enumerate(
                    [(pid, p) for pid, p in item.before["authors"] if pid in existing_people],
                    start=1,
                )
            )
            publication.keywords.set(
                Keyword.objects.using(using).filter(pk__in=item.before["keywords"])
            )
            restored.append(publication.pk)
        summary.restored = len(restored)
        NameVariant.objects.using(using).filter(
            pk__in=[item.object_id for item in items[K.VARIANT_CREATED]]
        ).delete()
        people = Person.objects.using(using).filter(
            pk__in=[item.object_id for item in items[K.PERSON_CREATED]]
        )
        unused = people.filter(authorships__isnull=True)
        summary.people_kept = people.count() - unused.count()
        summary.people_deleted = unused.delete()[1].get(Person._meta.label, 0)
        keywords = Keyword.objects.using(using).filter(
            pk__in=[item.object_id for item in items[K.KEYWORD_CREATED]]
        )
        for keyword in keywords:
            in_use = any(
                getattr(keyword, rel.get_accessor_name()).exists()
                for rel in Keyword._meta.related_objects
                if not rel.hidden
            )
            if not in_use:
                keyword.delete(using=using)
                summary.keywords_deleted += 1
        batch.status = ImportBatch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.undone_by = user if user and user.is_authenticated else None
        batch.save(using=using)
        search.schedule(restored, using)
        freshness.content_changed(using)
    return summary
