"""Applying an import plan: the database writes, in bulk, in one transaction.

`apply_plan(plan, batch)` writes the rows the plan imports as new or updates (each
row's `choice`, the preview's default or the editor's) as this batch:
the keywords and people the file introduces, the new papers (with their author
lists, keyword links and search documents), then the updates. Every created object
and the previous and new state of every updated paper is recorded as an
ImportItem, which is what `undo` reads. The search index of the updated papers is
refreshed once, at the end, and caches are told on commit
(`freshness.content_changed`).
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import freshness, names, search
from ..models import (
    IDENTITY_FIELDS,
    Authorship,
    ImportBatch,
    ImportItem,
    ImportRecord,
    ImportRow,
    Keyword,
    NameVariant,
    Person,
    Publication,
    identity_key,
)
from ..models.slugs import RESERVED_PUBLICATION_SLUGS
from .mapping import language_of
from .matching import CONTENT_FIELDS, snapshots
from .plan import DUPLICATE, ERROR, NEW, POSSIBLE, SKIP, UPDATE, PlanError

# Rows per INSERT statement (bulk_create returns the new pks on PostgreSQL and on
# SQLite ≥ 3.35). PostgreSQL would otherwise get every row in one statement; on
# SQLite bulk_create lowers it to stay within 999 query parameters (a paper has 32 columns).
BATCH_SIZE = 500
LABEL_LENGTH = ImportItem._meta.get_field("label").max_length


class _CreatedIds:
    """The real ids of what the plan named before it existed.

    A plan refers to a new person by a negative id and to a new keyword by its
    name (`people.People`, `keywords.Keywords`); existing ones by their ids.
    """

    def __init__(self):
        self.people = {}  # negative id → Person pk
        self.keywords = {}  # name → Keyword pk

    def person(self, person_id):
        return self.people.get(person_id, person_id)

    def keyword(self, ref):
        return self.keywords.get(ref, ref)


# New papers are written this many at a time (still in the one transaction), so that
# a background import can report its progress between them and their model instances
# are not all held at once.
CHUNK = 1000


def apply_plan(plan, batch, skip_errors=False, using="default", progress=None):
    """Write the plan as this batch, atomically; returns the batch (now applied).

    Refuses a plan with errors unless `skip_errors` (the user confirmed importing
    the rest). New papers are inserted with their search documents; those of
    updated papers are refreshed once, at the end; caches are told on commit.
    `progress`, if given, is called as progress("writing", papers written, papers
    to write) after each CHUNK of new papers and after the updates.
    """
    errors = plan.count(ERROR)
    if errors and not skip_errors:
        raise PlanError(
            _("%(count)d entries have errors; confirm importing the rest to skip them.")
            % {"count": errors}
        )
    if batch.status != ImportBatch.Status.PENDING:
        raise PlanError(_("This import has already been applied."))
    actions = plan.actions
    total = actions[NEW] + actions[UPDATE]
    if progress is not None:
        progress("writing", 0, total)
    with transaction.atomic(using=using), search.deferred_refresh():
        ids = _CreatedIds()
        # The rows are read again for each step, never listed: a large plan's rows are
        # rebuilt as they are read (plan.PackedRows), a chunk is what is held.
        items = _create_keywords(_applied(plan), ids, batch, using)
        items += _create_people(_applied(plan), plan.people, ids, batch, using)
        ImportItem.objects.using(using).bulk_create(items, batch_size=BATCH_SIZE)
        taken = _slugs_in_use(Publication, using) | RESERVED_PUBLICATION_SLUGS
        written = 0
        for rows in _chunks(_applied(plan, NEW)):
            with plan.records_of(rows) as chunk:
                items = _create_publications(chunk, plan.people, ids, batch, using, taken)
            ImportItem.objects.using(using).bulk_create(items, batch_size=BATCH_SIZE)
            written += len(rows)
            if progress is not None:
                progress("writing", written, total)
        pks = [row.update_pk for row in _applied(plan, UPDATE)]
        if len(set(pks)) < len(pks):
            raise PlanError(_("Two entries would update the same paper; skip one of them."))
        for rows in _chunks(_applied(plan, UPDATE)):
            with plan.records_of(rows) as chunk:
                items = _update_publications(chunk, ids, batch, using)
            ImportItem.objects.using(using).bulk_create(items, batch_size=BATCH_SIZE)
        if progress is not None:
            progress("writing", total, total)
        _mark_applied(batch, plan, using)
        # New papers already have their documents (_fill_search_documents).
        search.schedule(pks, using)
        freshness.content_changed(using)
    return batch


def _applied(plan, action=None):
    """The rows confirming writes (imported as new or updating a paper), or those of one action."""
    for row in plan.rows:
        if row.status != ERROR and row.action != SKIP and action in (None, row.action):
            yield row


def _chunks(rows):
    """Lists of at most CHUNK of these rows."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _created_item(batch, kind, object_id, label):
    return ImportItem(batch=batch, kind=kind, object_id=object_id, label=label[:LABEL_LENGTH])


def _create_keywords(applied, ids, batch, using):
    """Save the keywords the rows introduce (few: one by one, the model makes slug and keys).

    Returns their ImportItems, as the other steps do.
    """
    items = []
    for row in applied:
        for ref in row.keyword_refs:
            if isinstance(ref, str) and ref not in ids.keywords:
                keyword = Keyword(**{f"name_{language_of(ref)}": ref})
                keyword.save(using=using)
                ids.keywords[ref] = keyword.pk
                items.append(_created_item(batch, ImportItem.Kind.KEYWORD_CREATED, keyword.pk, ref))
    return items


def _create_people(applied, people, ids, batch, using):
    """Create the people the rows introduce and the name variants resolution learnt, in bulk."""
    wanted = {}  # person id → as printed
    spellings = {}  # name key → spelling
    for row in applied:
        if row.writes_authors:
            for printed, person_id in row.authors:
                wanted.setdefault(person_id, printed)
                spellings.setdefault(names.name_key(printed), printed)
    taken = _slugs_in_use(Person, using)
    created = {}
    introduced = sorted((person_id for person_id in wanted if person_id < 0), reverse=True)
    for person_id in introduced:
        person = Person(**people.new[person_id])
        person.slug = _unique_slug(
            taken, f"{person.given_name_en} {person.family_name_en}", "person", 100
        )
        created[person_id] = person
    Person.objects.using(using).bulk_create(created.values(), batch_size=BATCH_SIZE)
    ids.people = {person_id: person.pk for person_id, person in created.items()}
    for person in created.values():
        for language in ("en", "ja"):
            name = person.full_name(language)
            spellings.setdefault(names.name_key(name), name)
    variants = [
        NameVariant(person_id=ids.person(people.variants[key]), key=key, name=name[:200])
        for key, name in spellings.items()
        if key and key not in people.stored_variants and key in people.variants
    ]
    NameVariant.objects.using(using).bulk_create(variants, batch_size=BATCH_SIZE)
    Kind = ImportItem.Kind
    items = [
        _created_item(batch, Kind.PERSON_CREATED, person.pk, person.full_name("en"))
        for person in created.values()
    ]
    # A new person's variants go with the person (on delete cascade); the others are undone alone.
    new_pks = set(ids.people.values())
    items += [
        _created_item(batch, Kind.VARIANT_CREATED, variant.pk, variant.name)
        for variant in variants
        if variant.person_id not in new_pks
    ]
    return items


def _create_publications(rows, people, ids, batch, using, taken):
    """Create the new papers, with their search documents, author lists and keyword links.

    `taken` is the set of slugs in use (and reserved), which the new papers' slugs join.
    """
    created = []
    for row in rows:
        fields = row.record["fields"]
        title = fields.get("title_en") or fields.get("title_ja") or ""
        year = fields.get("year") or ""  # undated: the slug has no year
        fallback = f"paper-{year}" if year else "paper"
        publication = Publication(
            **fields,
            authors_truncated=row.record.get("truncated", False),
            is_published=batch.is_published,
            citation_key=row.key,
            bibtex=row.record["raw"],
            slug=_unique_slug(taken, f"{' '.join(title.split()[:8])} {year}", fallback, 100),
        )
        publication.fill_list_defaults()  # what save() would fill: bulk_create calls none
        created.append((row, publication))
    _set_identity_keys(created, using)
    _fill_search_documents(created, people.people, ids, using)
    publications = [publication for _row, publication in created]
    Publication.objects.using(using).bulk_create(publications, batch_size=BATCH_SIZE)
    search.write_entries(publications, using)
    Through = Publication.keywords.through
    authorships, links = [], []
    for row, publication in created:
        authorships += [
            Authorship(
                publication_id=publication.pk,
                person_id=ids.person(person_id),
                position=position,
                as_printed=printed,
            )
            for position, (printed, person_id) in enumerate(row.authors, start=1)
        ]
        links += [
            Through(publication_id=publication.pk, keyword_id=ids.keyword(ref))
            for ref in row.keyword_refs
        ]
    Authorship.objects.using(using).bulk_create(authorships, batch_size=BATCH_SIZE)
    Through.objects.using(using).bulk_create(links, batch_size=BATCH_SIZE)
    return [
        _created_item(batch, ImportItem.Kind.PUBLICATION_CREATED, publication.pk, str(publication))
        for publication in publications
    ]


def _set_identity_keys(created, using):
    """Give each new paper its identity key (`Publication.identity_key`, unique).

    `created`: [(plan Row, unsaved Publication)]. A row the plan found new gets its key
    whatever the database holds: no stored paper has its title and year (or the plan
    would have matched it), so the key can only be taken by a paper another writer
    stored since the plan was made — a second copy, which the unique constraint refuses
    and the whole import rolls back (`importer.confirm` says "already imported"). A row
    the editor imported as new although it resembled a paper (a possible duplicate, or
    a duplicate by title forced new) gets the key only if no stored paper and no
    earlier row has it: the editor kept the two apart, and the second is not guarded,
    as `Publication.save()` does.
    """
    keys = [
        identity_key({name: getattr(publication, name) for name in IDENTITY_FIELDS})
        for _row, publication in created
    ]
    chosen = sorted(
        {key for (row, _p), key in zip(created, keys, strict=True) if key and row.status != NEW}
    )
    taken = set()
    for start in range(0, len(chosen), BATCH_SIZE):  # SQLite caps a query's parameters
        taken.update(
            Publication.objects.using(using)
            .filter(identity_key__in=chosen[start : start + BATCH_SIZE])
            .values_list("identity_key", flat=True)
        )
    taken.update(key for (row, _p), key in zip(created, keys, strict=True) if row.status == NEW)
    for (row, publication), key in zip(created, keys, strict=True):
        if row.status == NEW:
            publication.identity_key = key
        elif key and key not in taken:
            taken.add(key)
            publication.identity_key = key


def _update_publications(rows, ids, batch, using):
    """Update each matched paper (few per file, usually: one by one).

    Their ImportItems hold the state before and after, for undo and for
    `undo.changed_since_import`.
    """
    pks = [row.update_pk for row in rows]
    before = snapshots(pks, using)
    for row in rows:
        _update_publication(row, ids, using)
    after = snapshots(pks, using)
    return [
        ImportItem(
            batch=batch,
            kind=ImportItem.Kind.PUBLICATION_UPDATED,
            object_id=row.update_pk,
            label=(row.update_title or row.title)[:LABEL_LENGTH],
            before=before[row.update_pk],
            after=after[row.update_pk],
        )
        for row in rows
    ]


def _update_publication(row, ids, using):
    publication = Publication.objects.using(using).get(pk=row.update_pk)
    changed = row.changed_names
    for name in changed & set(CONTENT_FIELDS):
        setattr(publication, name, row.record["fields"][name])
    if "authors" in changed:
        publication.authors_truncated = row.record.get("truncated", False)
    # Records from a service (publications/sources) have no key and no BibTeX source:
    # the stored ones stay.
    if row.record["raw"]:
        publication.citation_key = row.key
        publication.bibtex = row.record["raw"]
    publication.save(using=using)
    if "authors" in changed:
        publication.authorships.all().delete()
        Authorship.objects.using(using).bulk_create(
            Authorship(
                publication=publication,
                person_id=ids.person(person_id),
                position=position,
                as_printed=printed,
            )
            for position, (printed, person_id) in enumerate(row.authors, start=1)
        )
    if "keywords" in changed:
        publication.keywords.add(*[ids.keyword(ref) for ref in row.keyword_refs])


def _mark_applied(batch, plan, using):
    """Record the outcome; `skipped` lists the entries with errors and those the editor
    (or the defaults) skipped although they were not plain duplicates."""
    actions = plan.actions
    batch.status = ImportBatch.Status.APPLIED
    batch.created_count = actions[NEW]
    batch.updated_count = actions[UPDATE]
    batch.duplicate_count = actions[SKIP]
    batch.error_count = plan.count(ERROR)
    batch.skipped = [
        [row.line, row.key, _skip_reason(row)]
        for row in plan.rows
        if row.status == ERROR or (row.action == SKIP and row.status != DUPLICATE)
    ]
    # The parsed entries and the preview's rows were for confirming: what was done is in
    # the ImportItems now.
    ImportRecord.objects.using(using).filter(batch=batch).delete()
    ImportRow.objects.using(using).filter(batch=batch).delete()
    batch.plan_summary = {}
    batch.applied_at = timezone.now()
    batch.save(using=using)


def _skip_reason(row):
    if row.status == ERROR:
        return row.reason
    if row.status == POSSIBLE:
        return _("skipped: possibly the same paper as %(papers)s") % {
            "papers": ", ".join(
                f"#{c.pk}" if c.pk else _("entry %(number)d") % {"number": c.number}
                for c in row.candidates
            )
        }
    return _("skipped by choice")


def _slugs_in_use(model, using):
    return set(model.objects.using(using).values_list("slug", flat=True).iterator())


def _unique_slug(taken, text, fallback, max_length):
    """A slug of `text` not in `taken` (which it joins), made unique with -2, -3…"""
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        number += 1
    taken.add(slug)
    return slug


def _fill_search_documents(created, person_names, ids, using):
    """Give new papers their search document before they are inserted (and their search
    entries, from the same values, once they are: `search.write_entries`).

    In: `created`, [(plan Row, unsaved Publication)]; `person_names`, {person id as
    the plan knows it: name fields} (`People.people`); `ids`, the real ids of the
    people and keywords the plan introduced. Out: each publication's `search_text` and
    `search_tokens` are set. Reads the authors' name variants and the keywords
    (two queries).

    Built by `search.publication_document()`, the function that keeps every other
    paper's document, so `search.refresh()` finds nothing to correct afterwards (a
    test in tests/publications/test_bibtex_import.py checks it over the hard cases)
    and new papers need not be refreshed again.
    """
    names_by_pk = {ids.person(person_id): row for person_id, row in person_names.items()}
    wanted = {
        ids.person(person_id)
        for row, _publication in created
        for _printed, person_id in row.authors
    }
    variants = defaultdict(list)
    for person_id, name in (
        NameVariant.objects.using(using)
        .filter(person_id__in=wanted)
        .values_list("person_id", "name")
    ):
        variants[person_id].append(name)
    refs = {ids.keyword(ref) for row, _publication in created for ref in row.keyword_refs}
    keywords = {
        pk: search.KeywordNames(slug, name_ja, name_en)
        for pk, slug, name_ja, name_en in Keyword.objects.using(using)
        .filter(pk__in=refs)
        .values_list("pk", "slug", "name_ja", "name_en")
    }
    for row, publication in created:
        authors = []
        for printed, person_id in row.authors:
            person = ids.person(person_id)
            names = {field: names_by_pk[person][field] for field in search.PERSON_FIELDS}
            authors.append(search.AuthorNames(printed, **names, variants=variants[person]))
        publication.search_text, publication.search_tokens = search.publication_document(
            **{field: getattr(publication, field) for field in search.PUBLICATION_FIELDS},
            keywords=[keywords[ids.keyword(ref)] for ref in row.keyword_refs],
            authors=authors,
        )
