"""The import as the admin and `import_bibtex` run it: bytes → pending batch → plan → apply.

A preview creates a *pending* ImportBatch holding the text; `prepare` reads it, a
piece at a time, into the batch's records (ImportRecords) and stores the plan as the
preview's rows (ImportRows), so that the user can confirm it in a later request
without uploading the file again, and so that a large file is never held whole (in
the worker for a large file: publications/tasks.py). Confirming builds the plan again
from those records against the database as it is then (it may have changed since the
preview) and applies it in one transaction, under the import lock (`locking`): one
import applies at a time, and the one that waited plans against what the first wrote.
Pending batches older than a day are deleted when a new one starts.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportBatch, ImportItem, ImportRecord, ImportRow, ImportText
from . import locking, mapping, parsing, plan, writing
from .decoding import MAX_BYTES, DecodingError, decode

PENDING_LIFETIME = timedelta(days=1)


class ImportError_(DecodingError):
    """Nothing can be imported from this input; the message says why."""


class TooManyEntries(ImportError_):
    """More entries than settings.LABSITE_IMPORT_MAX_ENTRIES (the admin answers 413)."""


# What starts an entry for BibTeX: @type{ or @type( — @string, @preamble and @comment
# are not entries. Counted before parsing, so a file over the limit costs no parse.
ENTRY_START = re.compile(r"@\s*([A-Za-z][\w:-]*)\s*[{(]")
NOT_ENTRIES = {"string", "preamble", "comment"}


def count_entries(text):
    """How many entries the text starts (an upper bound: an entry of a @comment counts)."""
    return sum(1 for match in ENTRY_START.finditer(text) if match[1].lower() not in NOT_ENTRIES)


def check_size(text):
    """How many entries the text starts; refuses (TooManyEntries) more than one import takes."""
    limit = settings.LABSITE_IMPORT_MAX_ENTRIES
    count = count_entries(text)
    if count > limit:
        raise TooManyEntries(
            _(
                "The BibTeX has %(count)s entries; one import takes at most %(limit)s. "
                "Split it into parts: each part is an import of its own, undoable on its own."
            )
            % {"count": f"{count:,}", "limit": f"{limit:,}"}
        )
    return count


def _records_of(entries, problems):
    """The records (mapping.to_record) of parsed entries and unreadable blocks."""
    records = []
    for n, entry in enumerate(entries):
        records.append(mapping.to_record(entry))
        entries[n] = None  # its fields are garbage now: a large file's peak stays lower
    records += [{"key": p.key, "line": p.line, "raw": p.raw, "error": p.reason} for p in problems]
    return records


def records_from_text(text):
    """The records of every entry and every unreadable block, in file order."""
    check_size(text)
    records = []
    for entries, problems in parsing.parse_pieces(text):
        records += _records_of(entries, problems)
    if not records:
        raise ImportError_(_("No BibTeX entries were found (an entry starts with @article{…)."))
    return sorted(records, key=lambda r: r["line"])


class StoredRecords:
    """A pending batch's records (ImportRecords), read a chunk at a time in file order.

    What `plan.build_plan` takes instead of a list: it iterates them (twice), and
    `load(pks)` reads again the few it needs later, so a large file's records are
    never all in memory at once.
    """

    CHUNK = 1000

    def __init__(self, batch, using="default"):
        self.batch, self.using = batch, using

    def _queryset(self):
        return ImportRecord.objects.using(self.using).filter(batch=self.batch)

    def __len__(self):
        return self._queryset().count()

    def __iter__(self):
        rows = self._queryset().order_by("line", "pk").values_list("pk", "record")
        for pk, record in rows.iterator(chunk_size=self.CHUNK):
            record["pk"] = pk
            yield record

    def load(self, pks):
        """{pk: record} of these records, read a chunk at a time."""
        pks, found = sorted(set(pks)), {}
        for start in range(0, len(pks), self.CHUNK // 2):  # SQLite caps a query's parameters
            chunk = pks[start : start + self.CHUNK // 2]
            for pk, record in self._queryset().filter(pk__in=chunk).values_list("pk", "record"):
                record["pk"] = pk
                found[pk] = record
        return found


class StoredText:
    """A large upload's text as `new_batch` stored it (ImportTexts), for
    `parsing.parse_pieces`: its pieces are read back one at a time, never joined."""

    def __init__(self, batch, using="default"):
        self.pieces = ImportText.objects.using(using).filter(batch=batch).order_by("number")

    def __len__(self):
        return self.pieces.aggregate(chars=Sum(Length("text")))["chars"] or 0

    def __call__(self):
        yield from self.pieces.values_list("line", "text").iterator(chunk_size=1)


def start(
    data=None,
    text=None,
    filename="",
    user=None,
    source=ImportBatch.Source.ADMIN,
    keywords=(),
    is_published=True,
    using="default",
    plan_now=True,
):
    """A pending batch for these bytes or this binary file (an upload) or this text
    (pasted), and its plan.

    `plan_now`: True, False, or a number of entries (plan now a text with at most that
    many: the admin reads a small file in its request, a large one in the worker).
    Raises ImportError_ for input that cannot be read (TooManyEntries past the
    entries limit), and when SQLite gave up waiting for another import's write lock
    (try again). The text is stored with the batch; with `plan_now` (the default) its
    entries are read and planned now (`prepare`) and the plan is returned, else that
    is left to the background worker (publications/tasks.py) and None is returned.
    """
    if data is not None:
        if hasattr(data, "read"):
            # Read here, so that this frame holds the only reference to the bytes and
            # they go once decoded: a caller's `start(data=upload.read())` keeps its
            # argument alive until the call returns, a whole file more at the peak.
            data = data.read(MAX_BYTES + 1)
        decoded = decode(data)
        text, encoding = decoded.text, decoded.encoding
        del data, decoded
    else:
        if not (text or "").strip():
            raise ImportError_(_("The text is empty."))
        encoding = ""
    count = check_size(text)
    if plan_now is not True and plan_now is not False:
        plan_now = count <= plan_now
    batch = new_batch(
        ImportBatch.Origin.BIBTEX,
        filename=filename,
        encoding=encoding,
        user=user,
        source=source,
        keywords=keywords,
        is_published=is_published,
        using=using,
        text=text,
    )
    batch.source_text = ""  # the row keeps it; this object need not
    if not plan_now:
        return batch, None
    try:
        return batch, prepare(batch, using, text=text)
    except Exception:
        batch.delete()
        raise


def create(
    records,
    origin=ImportBatch.Origin.BIBTEX,
    filename="",
    encoding="",
    user=None,
    source=ImportBatch.Source.ADMIN,
    keywords=(),
    is_published=True,
    using="default",
):
    """(batch, plan): a pending batch holding these records (of any origin: BibTeX, or
    metadata from publications/sources mapped to the same shape), planned and ready for
    the preview.

    The records are few (a pasted list of identifiers, one person's works), so they
    are stored and planned at once, without the worker.
    """
    batch = new_batch(
        origin,
        filename=filename,
        encoding=encoding,
        user=user,
        source=source,
        keywords=keywords,
        is_published=is_published,
        using=using,
    )
    try:
        ImportRecord.objects.using(using).bulk_create(
            [ImportRecord(batch=batch, line=record["line"], record=record) for record in records],
            batch_size=writing.BATCH_SIZE,
        )
        current = build(batch, using)
        store_plan(batch, current, using)
    except Exception:
        batch.delete()
        raise
    return batch, current


def new_batch(origin, filename, encoding, user, source, keywords, is_published, using, text=""):
    """Insert a pending batch (with the text still to read, if any) and drop stale ones.

    Used by `start` and `create`, and by the admin's paste of identifiers
    (admin_sources), which queues its lookup itself. Raises ImportError_ when SQLite
    gave up waiting for another import's write lock.
    """
    try:
        with transaction.atomic(using=using):
            # The INSERT first: on SQLite a transaction that reads before it writes fails
            # at once when another import holds the write lock, instead of waiting.
            batch = ImportBatch.objects.using(using).create(
                source=source,
                origin=origin,
                filename=filename[:255],
                encoding=encoding,
                created_by=user if user is not None and user.is_authenticated else None,
                is_published=is_published,
                source_text=text if len(text) <= parsing.CHUNK_CHARS else "",
            )
            if len(text) > parsing.CHUNK_CHARS:  # a large upload: in pieces (ImportText)
                for number, (line, piece) in enumerate(parsing.chunks(text)):
                    ImportText.objects.using(using).create(
                        batch=batch, number=number, line=line, text=piece
                    )
            batch.keywords.set(keywords)
            ImportBatch.objects.using(using).pending().filter(
                created_at__lt=timezone.now() - PENDING_LIFETIME, job=ImportBatch.Job.NONE
            ).exclude(pk=batch.pk).delete()
    except OperationalError as error:
        if not locking.is_busy(error, using):
            raise
        raise ImportError_(str(locking.ImportBusy())) from None
    return batch


def prepare(batch, using="default", progress=None, text=None):
    """Read a pending batch's text into its records, plan them and store the plan's rows.

    The records are stored a piece of the file at a time (each in a transaction of
    its own, so that the worker's progress is seen), the text is emptied, and the plan
    (against the database as it is now) is stored as the preview's rows. Returns the
    plan. Raises ImportError_ (or parsing.LimitExceeded) for a text that yields
    nothing or asks too much; the records stored so far are then deleted.
    `progress(step, done, total)` hears how far it is ("reading": characters of the
    text; "planning": entries).
    """
    # One copy of the text: the caller's batch may have loaded it too (a file with kanji
    # is a string twice its size), and it is emptied below.
    batch.source_text = ""
    if text is None:
        pending = ImportBatch.objects.using(using).filter(pk=batch.pk)
        text = pending.values_list("source_text", flat=True).get() or StoredText(batch, using)
    records = ImportRecord.objects.using(using)
    try:
        stored, done, total = 0, 0, len(text)
        for entries, problems in parsing.parse_pieces(text):
            chunk = [
                ImportRecord(batch=batch, line=record["line"], record=record)
                for record in _records_of(entries, problems)
            ]
            records.bulk_create(chunk, batch_size=writing.BATCH_SIZE)
            stored += len(chunk)
            done = min(total, done + parsing.CHUNK_CHARS)
            if progress is not None:
                progress("reading", done, total)
        if not stored:
            raise ImportError_(_("No BibTeX entries were found (an entry starts with @article{…)."))
    except DecodingError:
        records.filter(batch=batch).delete()
        raise
    del text
    ImportBatch.objects.using(using).filter(pk=batch.pk).update(source_text="")
    ImportText.objects.using(using).filter(batch=batch).delete()
    current = build(batch, using, progress=progress)
    store_plan(batch, current, using)
    return current


def build(batch, using="default", progress=None):
    """The plan of a pending batch against the database as it is now."""
    return plan.build_plan(
        StoredRecords(batch, using), list(batch.keywords.all()), using, progress=progress
    )


# Preview rows written per INSERT.
ROWS_PER_INSERT = 500


def store_plan(batch, current, using="default", choices=None):
    """Store a plan as the batch's preview rows, its digest and its summary.

    `choices` ({row number: option}) are kept where the new plan still offers them
    (the editor's choices, when a plan is made again because the database changed).
    """
    choices = choices or {}
    with transaction.atomic(using=using):
        ImportRow.objects.using(using).filter(batch=batch).delete()
        chunk = []
        for row in current.rows:
            choice = choices.get(row.number)
            chunk.append(
                ImportRow(
                    batch=batch,
                    number=row.number,
                    status=row.status,
                    default=row.default,
                    choice=choice if choice in row.options else row.default,
                    view=row.to_view(),
                )
            )
            if len(chunk) == ROWS_PER_INSERT:
                ImportRow.objects.using(using).bulk_create(chunk)
                chunk = []
        ImportRow.objects.using(using).bulk_create(chunk)
        summary = {
            "counts": current.counts,
            "actions": current.actions,
            "total": len(current.rows),
            "has_choices": current.has_choices,
        }
        batch.plan_digest, batch.plan_summary = current.digest(), summary
        ImportBatch.objects.using(using).filter(pk=batch.pk).update(
            plan_digest=batch.plan_digest, plan_summary=summary
        )


def confirm(
    batch, skip_errors=False, using="default", expected_digest=None, choices=None, progress=None
):
    """Apply a pending batch with these choices ({row number: option}); returns (batch, plan).

    The plan is built again inside the import lock (`locking.lock_imports`) and written
    in the same transaction, so two confirmations at once run one after the other and
    the second plans against what the first wrote. With `expected_digest`, refuses
    (PlanChanged) when the plan differs from the one the user saw — e.g. another import
    stored the same papers meanwhile: the message says they are already imported — so
    nobody confirms something they did not preview and every choice refers to the row
    and the papers that were shown. A write that took no lock (an editor saving the
    same paper in the admin) and collides with the unique constraints on DOI, arXiv id
    or identity key rolls everything back and is a PlanChanged too. A choice that is
    not among its row's options raises PlanError; SQLite giving up waiting for another
    import raises `locking.ImportBusy` (a PlanError). `progress(step, done, total)`, if
    given, hears how far planning and writing are (the background import:
    publications/tasks.py).
    """
    try:
        with transaction.atomic(using=using):
            locking.lock_imports(batch, using)
            current = build(batch, using, progress=progress)
            if expected_digest is not None and current.digest() != expected_digest:
                raise PlanChanged(current, changed_message(current, batch, using))
            current.apply_choices(choices or {})
            writing.apply_plan(
                current, batch, skip_errors=skip_errors, using=using, progress=progress
            )
    except IntegrityError:
        batch.refresh_from_db(using=using)  # the rolled-back apply had marked it applied
        current = build(batch, using)
        raise PlanChanged(current, changed_message(current, batch, using)) from None
    except OperationalError as error:
        if not locking.is_busy(error, using):
            raise
        batch.refresh_from_db(using=using)
        raise locking.ImportBusy() from None
    return batch, current


def changed_message(current, batch, using="default"):
    """Why confirming refused: the entries other imports stored meanwhile, if any."""
    # The papers other imports created since this batch was previewed, and which import.
    created_since = dict(
        ImportItem.objects.using(using)
        .filter(
            kind=ImportItem.Kind.PUBLICATION_CREATED,
            batch__status=ImportBatch.Status.APPLIED,
            batch__applied_at__gte=batch.created_at,
        )
        .exclude(batch=batch.pk)
        .values_list("object_id", "batch_id")
    )
    found = [created_since[row.match_pk] for row in current.rows if row.match_pk in created_since]
    count, imports = len(found), sorted(set(found))
    if not imports:
        return _("The database changed since the preview; check the new preview.")
    return _(
        "Already imported: %(count)d of these entries were imported meanwhile by another "
        "import (%(imports)s). Nothing was written; check the new preview."
    ) % {"count": count, "imports": ", ".join(f"#{pk}" for pk in imports)}


class PlanChanged(Exception):
    def __init__(self, new_plan, message=None):
        super().__init__(
            message or _("The database changed since the preview; check the new preview.")
        )
        self.plan = new_plan
