"""One signal for "the public content changed": whoever caches pages listens to it.

Saves and deletes made through the ORM are caught by model signals (see
labsite/cache.py). Bulk work that bypasses them — a BibTeX import, undoing an
import, `QuerySet.update()` — calls `content_changed()` itself. The signal is
sent once the surrounding transaction commits, so a rolled-back import never
invalidates anything and a visitor never sees half-written content cached.
"""

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

# Sent with `using` (the database alias) after a change to public content commits.
public_content_changed = Signal()


def content_changed(using=DEFAULT_DB_ALIAS):
    """Announce, when the current transaction commits, that public content changed."""
    transaction.on_commit(
        lambda: public_content_changed.send(sender=None, using=using), using=using
    )
