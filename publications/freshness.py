"""One signal for "the public content changed": whoever caches pages listens to it.

`content_changed()` also raises the content revision at once, in the writer's
transaction, which the stored per-year counts are checked against
(publications/counts.py).

Saves and deletes made through the ORM are caught by model signals (see
labsite/cache.py). Bulk work that bypasses them — a BibTeX import, undoing an
import, `QuerySet.update()` — calls `content_changed()` itself. The signal is
sent once the surrounding transaction commits, so a rolled-back import never
invalidates anything and a visitor never sees half-written content cached.
"""

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

# Sent with `using` (the database alias) after a change to public content commits.
public_content_changed = Signal()


# Models of the content apps whose writes visitors never see: an import's preview
# (applying or undoing an import announces itself with content_changed()), and the
# bookkeeping of publications/counts.py.
NOT_PUBLIC = {
    "publications.ImportBatch",
    "publications.ImportBatch_keywords",
    "publications.ImportItem",
    "publications.ContentRevision",
    "publications.StoredYearCounts",
}


def content_models():
    """The models of the content apps (`LABSITE_CONTENT_APPS`) whose rows are public
    content, many-to-many tables included."""
    for label in getattr(settings, "LABSITE_CONTENT_APPS", ["publications", "research"]):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label not in NOT_PUBLIC:
                yield model


def content_changed(using=DEFAULT_DB_ALIAS):
    """Record, in the current transaction, that public content changed (stored counts
    are obsolete once it commits), and announce it when the transaction commits."""
    from . import counts

    counts.revise(using)
    transaction.on_commit(
        lambda: public_content_changed.send(sender=None, using=using), using=using
    )
