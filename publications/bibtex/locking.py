"""One import (or undo) applies at a time: the lock `importer.confirm` and `undo.undo` take.

Confirming plans the import again inside the lock and writes it in the same
transaction, so a second import that waited for the first sees the first one's
papers and finds them already imported, instead of inserting them again (issue 19).

- **PostgreSQL**: a transaction-level advisory lock (`pg_advisory_xact_lock`) on one
  key. It needs no table or row, is released by the commit or rollback itself (never
  left behind by a crashed worker), and does not block the readers and editors who do
  not ask for it: the public site and the admin's saves go on while an import applies.
  The planner's reads run after the lock is granted, and under READ COMMITTED each
  statement sees what the previous holder committed.
- **SQLite** has one writer at a time for the whole database: the transaction's
  first statement is a write (the batch's own row, unchanged), which takes that
  write lock until the commit, so the plan is read while nobody else can write. A
  second import waits up to SQLite's busy timeout (settings.py) and then gets
  "database is locked", which becomes `ImportBusy` ("try again in a moment"), never a
  500. Taking the write lock up front matters: a transaction that reads first and
  writes later can fail at its first write without waiting at all.

The unique constraints on DOI, arXiv id and identity key (`Publication.Meta`) stay the
last word for writers that take no lock (an editor saving in the admin meanwhile).
"""

from django.db import connections
from django.db.models import F
from django.utils.translation import gettext as _

from ..models import ImportBatch
from .plan import PlanError

# The advisory lock's key: any 64-bit number no other code of this database uses.
IMPORT_LOCK_KEY = 0x6C61_6273_6974_6501  # "labsite", import


class ImportBusy(PlanError):
    """Another import is being applied (SQLite gave up waiting for its write lock)."""

    def __init__(self):
        super().__init__(
            _("Another import is being written; nothing was imported. Try again in a moment.")
        )


def lock_imports(batch, using="default"):
    """Wait until no other import or undo is applying; held until this transaction ends.

    Must run inside `transaction.atomic()` and, on SQLite, as its first statement.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_imports() holds the lock for a transaction: call it in one.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    else:
        ImportBatch.objects.using(using).filter(pk=batch.pk).update(status=F("status"))


def is_busy(error, using="default"):
    """Whether an OperationalError is SQLite's "database is locked" (another writer)."""
    return connections[using].vendor == "sqlite" and "locked" in str(error)
