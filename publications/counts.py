"""Per-year counts stored in the database, read back until the content changes.

A theme page counts the papers that share a keyword with the theme, per year, for
its chart and its "N more papers" line: at 10,000 papers that is 4,300 papers and
the page's costliest query, at 100,000 papers 43,000 and most of the page's time
(docs/benchmarks.md). The counts change only when content is written, so they are
stored (`StoredYearCounts`) with the *content revision* they were computed at,
and read back while the revision is the same.

The revision (`ContentRevision`, one row) is raised by every write to public
content: by the model signals of the content apps (saves, deletes, many-to-many
changes on either side) and by `freshness.content_changed()`, which the bulk
writers (the BibTeX import and its undo, `QuerySet.update()`) call. Inside a
transaction it is raised *before* the row is written, so that the revision is
the first row every writer locks (the import and its undo raise it first thing
too); outside one, *after* the row is committed. So no counts outlive a change:
- in a transaction, a write and its new revision commit together, or roll back
  together; in autocommit the write commits first and the revision a moment
  later: in between a reader may still get the old counts (as it may get the old
  page from the page cache, whose version also moves after the commit), and no
  old counts are ever stored under the new revision;
- a reader reads the revision *before* computing counts, so counts it stores
  under a revision are at least as new as that revision (if a write commits in
  between, they are stored under a revision that is already obsolete, and
  nobody reads them);
- one query reads the revision and the stored counts together.

The first view after a change computes the counts as before and stores them (two
queries more); the following views read them (one query, whatever the number of
papers). Migrations raise the revision too (`post_migrate`): a data migration
writes through historical models, which send no signals this module hears.
"""

import json

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, OuterRef, Subquery
from django.db.models.signals import post_migrate

from .freshness import connect_writes
from .models import ContentRevision, StoredYearCounts

# Part of every key: counts stored by an earlier definition of a key (before a
# deploy that changed what a theme's related papers are, say) are never read.
KEY_FORMAT = "1"


def revise(using=DEFAULT_DB_ALIAS):
    """Raise the content revision in the current transaction: the stored counts are
    obsolete once it commits (and stay valid if it rolls back)."""
    revisions = ContentRevision._base_manager.using(using)
    if not revisions.filter(pk=1).update(number=F("number") + 1):
        # The row is made by a migration; a test database flushed between tests lacks it.
        revisions.bulk_create([ContentRevision(pk=1, number=1)], ignore_conflicts=True)


def year_counts(queryset, key):
    """`queryset.year_counts()`, stored under `key` and read back until the content changes.

    `key` names what the queryset counts ("theme:7:related"); the same key must
    always mean the same set of papers.
    """
    using = queryset.db
    key = f"{KEY_FORMAT}:{key}"
    stored = StoredYearCounts._base_manager.using(using).filter(
        key=key, revision=OuterRef("number")
    )
    row = (
        ContentRevision._base_manager.using(using)
        .filter(pk=1)
        .values_list("number", Subquery(stored.values("counts")[:1]))
        .first()
    )
    if row is None:  # no revision to check counts against: count, store nothing
        return queryset.year_counts()
    revision, counts = row
    if counts is not None:
        return [tuple(pair) for pair in json.loads(counts)]
    counts = queryset.year_counts()
    StoredYearCounts._base_manager.using(using).bulk_create(
        [StoredYearCounts(key=key, revision=revision, counts=json.dumps(counts))],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["revision", "counts"],
    )
    return counts


# When a write raises the revision. Inside a transaction: *before* the row is
# written, so that the revision's row is the first one every writer locks and no
# two writers can wait on each other through it (PostgreSQL would abort one as a
# deadlock); the new number commits or rolls back with the write. Outside a
# transaction (a save in autocommit): *after* the row is written and committed, so
# that a reader in between sees old counts only under the old revision.


def _before_write(using):
    if connections[using].in_atomic_block:
        revise(using)


def _after_write(using):
    if not connections[using].in_atomic_block:
        revise(using)


def _migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if ContentRevision._meta.db_table in connections[using].introspection.table_names():
        revise(using)


def connect_signals():
    """Raise the revision on every write to a content model (called from AppConfig.ready)."""
    connect_writes("counts", before=_before_write, after=_after_write)
    post_migrate.connect(
        _migrated, sender=apps.get_app_config("publications"), dispatch_uid="counts:migrate"
    )
