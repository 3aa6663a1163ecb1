"""One signal for "the public content changed": whoever caches pages listens to it.

`content_changed()` also raises the content revision at once, in the writer's
transaction, which the stored per-year counts are checked against
(publications/counts.py).

Saves and deletes made through the ORM are caught by model signals
(`connect_writes`, for labsite/cache.py and publications/counts.py). Bulk work
that bypasses them — a BibTeX import, undoing an import, `QuerySet.update()` —
calls `content_changed()` itself. The signal is
sent once the surrounding transaction commits, so a rolled-back import never
invalidates anything and a visitor never sees half-written content cached.
"""

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
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


M2M_BEFORE = {"pre_add", "pre_remove", "pre_clear"}
M2M_AFTER = {"post_add", "post_remove", "post_clear"}


def connect_writes(name, before=None, after=None):
    """Call `before(using)` just before, and `after(using)` just after, every write to
    public content: a save or a delete of a content model, a change to its
    many-to-many links (from either side). `name` keeps the receivers apart."""

    def on_m2m(sender, action, using=DEFAULT_DB_ALIAS, **kwargs):
        if before and action in M2M_BEFORE:
            before(using)
        elif after and action in M2M_AFTER:
            after(using)

    def receiver(function):
        return lambda sender, using=DEFAULT_DB_ALIAS, **kwargs: function(using)

    signals = [(pre_save, before), (pre_delete, before), (post_save, after), (post_delete, after)]
    for model in content_models():
        uid = f"{name}:{model._meta.label}"
        for signal, function in signals:
            if function:
                signal.connect(receiver(function), sender=model, dispatch_uid=uid, weak=False)
        if model._meta.auto_created:
            m2m_changed.connect(on_m2m, sender=model, dispatch_uid=uid, weak=False)


def content_changed(using=DEFAULT_DB_ALIAS):
    """Record, in the current transaction, that public content changed (stored counts
    are obsolete once it commits), and announce it when the transaction commits."""
    from . import counts

    counts.revise(using)
    transaction.on_commit(
        lambda: public_content_changed.send(sender=None, using=using), using=using
    )
