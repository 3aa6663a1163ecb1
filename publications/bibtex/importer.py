"""The import as the admin and `import_bibtex` run it: bytes → pending batch → plan → apply.

A preview creates a *pending* ImportBatch holding the parsed records (JSON), so
the user can confirm it in a later request without uploading the file again.
Confirming builds the plan again from those records against the database as it
is then (it may have changed since the preview) and applies it in one
transaction, under the import lock (`locking`): one import applies at a time, and
the one that waited plans against what the first wrote. Pending batches older than
a day are deleted when a new one starts.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportBatch, ImportItem
from . import locking, mapping, parsing, plan, writing
from .decoding import DecodingError, decode

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
    """Refuse (TooManyEntries) a text with more entries than one import takes."""
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


def records_from_text(text):
    """The records of every entry and every unreadable block, in file order."""
    check_size(text)
    result = parsing.parse(text)
    if not result.entries and not result.problems:
        raise ImportError_(_("No BibTeX entries were found (an entry starts with @article{…)."))
    entries, records = result.entries, []
    for n, entry in enumerate(entries):
        records.append(mapping.to_record(entry))
        entries[n] = None  # its fields are garbage now: a large file's peak stays lower
    records += [
        {"key": p.key, "line": p.line, "raw": p.raw, "error": p.reason} for p in result.problems
    ]
    return sorted(records, key=lambda r: r["line"])


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
    """A pending batch for these bytes (an upload) or this text (pasted), and its plan.

    Raises ImportError_ for input that cannot be read, and when SQLite gave up waiting
    for another import's write lock (try again). With `plan_now=False` the plan
    is left for the preview page to build (it returns None), which saves building
    it twice in the admin.
    """
    if data is not None:
        decoded = decode(data)
        text, encoding = decoded.text, decoded.encoding
    else:
        if not (text or "").strip():
            raise ImportError_(_("The text is empty."))
        encoding = ""
    records = records_from_text(text)
    batch = create(
        records,
        filename=filename,
        encoding=encoding,
        user=user,
        source=source,
        keywords=keywords,
        is_published=is_published,
        using=using,
    )
    return batch, build(batch, using) if plan_now else None


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
    """A pending batch holding these records (of any origin: BibTeX, or metadata from
    publications/sources mapped to the same shape), ready for the preview."""
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
                records=records,
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


def build(batch, using="default", progress=None):
    """The plan of a pending batch against the database as it is now."""
    return plan.build_plan(batch.records, list(batch.keywords.all()), using, progress=progress)


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
