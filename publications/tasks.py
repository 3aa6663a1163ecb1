"""Background tasks (django-tasks, the backport of Django 6's tasks framework).

Uploading a large file (more than settings.LABSITE_IMPORT_INLINE_ENTRIES entries)
stores its text and enqueues `prepare_import`, which reads and plans it for the
preview (`importer.prepare`: outside a transaction, a chunk at a time, so its progress
shows on SQLite too).

Confirming an import in the admin does no import work in the request: it records the
confirmation on the batch (`ImportBatch.job_options`), marks it queued and enqueues
`apply_import`. A worker (`manage.py db_worker`: beside runserver in `make run`, the
`worker` service in docker-compose.yml) runs it: the same `importer.confirm` the
synchronous paths use, with a progress callback, in one transaction. The admin's
progress page reads `progress_*` from the batch row.

Why a second connection for the progress: the import writes in one transaction (all
or nothing, undoable as one batch), and what a transaction writes is invisible to
others until it commits. On PostgreSQL the progress of the writing step therefore goes
through a connection of its own, in autocommit. SQLite allows one writer at a time,
and the import is it: there the page shows that the import runs, without a count, until
the end (docs/bibtex.md, "Background imports").
"""

import logging
import time

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, reset_queries, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.signals import task_finished, task_started

from .bibtex import importer, locking, plan, undo
from .bibtex.decoding import DecodingError
from .models import ImportBatch

logger = logging.getLogger(__name__)

Job = ImportBatch.Job


class BatchProgress:
    """progress(step, done, total) callback that records a batch's progress for its page.

    Writes at most every MIN_INTERVAL seconds (and always the last of a step), so a
    fast import is not slowed down by its own progress reports.
    """

    MIN_INTERVAL = 0.5

    def __init__(self, batch_pk, using="default", outside_transaction=False):
        self.pk, self.using = batch_pk, using
        # Reading and planning an upload runs outside a transaction: counts show on SQLite too.
        self.outside_transaction = outside_transaction
        self.last_step, self.last_time = None, 0.0
        self.side = None  # the PostgreSQL connection for writes during the transaction
        self.side_failed = False

    def __call__(self, step, done, total):
        # With DEBUG on (`make run`), every query of a task is logged until it ends (up
        # to 9,000: the bulk INSERTs of a 100,000-entry import are megabytes each); a
        # report comes between chunks, so the log holds at most a chunk's queries.
        reset_queries()
        now = time.monotonic()
        if step == self.last_step and done < total and now - self.last_time < self.MIN_INTERVAL:
            return
        self.last_step, self.last_time = step, now
        values = {
            "progress_step": step,
            "progress_done": done,
            "progress_total": total,
            "progress_at": timezone.now(),
        }
        connection = connections[self.using]
        if connection.vendor != "postgresql" and not self.outside_transaction:
            # Nothing more will be heard until the transaction commits (see the module
            # docstring): the page shows the step, with no count that would stand still.
            values["progress_done"] = values["progress_total"] = 0
        if not connection.in_atomic_block:
            ImportBatch.objects.using(self.using).filter(pk=self.pk).update(**values)
        elif connection.vendor == "postgresql" and not self.side_failed:
            self._write_aside(values)

    def _write_aside(self, values):
        """UPDATE the batch row through a connection of its own, so others see it now.

        Raw SQL on purpose: the ORM sends a query through the connection registered for
        an alias, and this one must not be (it is outside the import's transaction). A
        lock_timeout keeps it from ever waiting on the import's own transaction (which
        would wait for it in turn): on a timeout, progress stops being reported.
        """
        meta = ImportBatch._meta
        columns = ", ".join(f"{meta.get_field(name).column} = %s" for name in values)
        sql = f"UPDATE {meta.db_table} SET {columns} WHERE {meta.pk.column} = %s"
        try:
            if self.side is None:
                self.side = connections.create_connection(self.using)
                with self.side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            with self.side.cursor() as cursor:
                cursor.execute(sql, [*values.values(), self.pk])
        except DatabaseError:
            logger.warning("import #%s: progress not recorded", self.pk, exc_info=True)
            self.side_failed = True

    def close(self):
        if self.side is not None:
            self.side.close()


def _forget_queries(sender=None, **kwargs):
    """With DEBUG on (`make run`), Django logs every query until a request starts; a
    worker serves no request, so each task starts and ends with an empty log — else
    the log of an import's bulk INSERTs (thousands of statements) made the worker grow
    with every import (docs/bibtex.md)."""
    reset_queries()


task_started.connect(_forget_queries, dispatch_uid="publications.tasks.forget_queries.start")
task_finished.connect(_forget_queries, dispatch_uid="publications.tasks.forget_queries.end")


@task()
def apply_import(batch_id):
    """Apply a confirmed (queued) import batch; returns what it did, as text.

    Takes the batch from "queued" to "running" first (a cancelled or already applied
    batch is left alone). A refusal (the database changed since the preview, a choice
    its row does not offer…) or a failure writes nothing (one transaction) and puts the
    batch back to its preview with the reason, in the language of the confirmation.
    """
    batch = _claim(batch_id, ImportBatch.Status.PENDING, step="")
    if batch is None:
        return "not queued"
    options = batch.job_options
    progress = BatchProgress(batch.pk)
    # importer.confirm plans and writes in one transaction (under the import lock): the
    # step is recorded before it, for SQLite, where nothing more is heard until the end.
    progress("planning", 0, batch.plan_summary.get("total", 0))
    choices = {int(number): value for number, value in options["choices"].items()}
    with translation.override(options.get("language")):
        try:
            importer.confirm(
                batch,
                skip_errors=options.get("skip_errors", False),
                expected_digest=options.get("digest"),
                choices=choices,
                progress=progress,
            )
        except importer.PlanChanged as changed:
            # The preview shows the new plan, with the editor's choices where they still apply.
            importer.store_plan(batch, changed.plan, choices=choices)
            _give_back(batch_id, str(changed), 409)
            return "plan changed"
        except locking.ImportBusy as busy:
            _give_back(batch_id, str(busy), 409)
            return "busy"
        except plan.PlanError as error:
            _give_back(batch_id, str(error), 400)
            return "refused"
        except Exception:
            _give_back(batch_id, _("The import failed and wrote nothing; try again."), 200)
            raise
        finally:
            progress.close()
        ImportBatch.objects.filter(pk=batch_id).update(job=Job.NONE)
        return batch_summary(batch)


@task()
def prepare_import(batch_id):
    """Read and plan a large upload (queued by the upload's request); returns what it found.

    The same `importer.prepare` a small upload runs in its request: the entries are
    stored a chunk at a time, then planned, and the plan is stored as the preview's
    rows. A file that cannot be imported (no entries, a bound exceeded) leaves the
    reason for the preview, which sends the editor back to the upload form with it.
    """
    batch = _claim(batch_id, ImportBatch.Status.PENDING, step="reading")
    if batch is None:
        return "not queued"
    progress = BatchProgress(batch.pk, outside_transaction=True)
    with translation.override(batch.job_options.get("language")):
        try:
            current = importer.prepare(batch, progress=progress)
        except DecodingError as error:
            _give_back(batch_id, str(error), 400)
            return "refused"
        except Exception:
            _give_back(batch_id, _("Reading the file failed; upload it again."), 200)
            raise
        finally:
            progress.close()
        ImportBatch.objects.filter(pk=batch_id).update(job=Job.NONE)
        return current.summary()


@task()
def undo_import(batch_id):
    """Undo an applied import whose Undo was confirmed (queued); returns what it did.

    Undo is long work too (deleting 5,000 papers with their author lists takes several
    seconds), so the admin queues it like an import and shows the same progress page.
    A refusal leaves the batch as it was, with the reason for the undo page.
    """
    batch = _claim(batch_id, ImportBatch.Status.APPLIED, step="undoing")
    if batch is None:
        return "not queued"
    options = batch.job_options
    user = get_user_model().objects.filter(pk=options.get("user")).first()
    with translation.override(options.get("language")):
        try:
            summary = str(undo.undo(batch, user=user))
        except plan.PlanError as error:
            _give_back(batch_id, str(error), 409)
            return "refused"
        except Exception:
            _give_back(batch_id, _("The undo failed and changed nothing; try again."), 200)
            raise
    ImportBatch.objects.filter(pk=batch_id).update(
        job=Job.NONE, job_options={**options, "summary": summary}
    )
    return summary


def _claim(batch_id, status, step):
    """The batch, taken from queued to running in one UPDATE (so two workers never run
    the same job), or None when it is not queued in that status any more (cancelled,
    or already done)."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=status, job=Job.QUEUED).update(
        job=Job.RUNNING,
        progress_step=step,
        progress_done=0,
        progress_total=0,
        progress_at=timezone.now(),
    )
    # Not the text of a large upload (tens of MB): `importer.prepare` reads it itself.
    return ImportBatch.objects.defer("source_text").get(pk=batch_id) if claimed else None


def _give_back(batch_id, message, status):
    """The batch is as before the job (a preview, or applied), with the reason why."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        batch.job, batch.job_error = Job.NONE, message
        batch.job_options = {**batch.job_options, "error_status": status}
        batch.save(update_fields=["job", "job_error", "job_options"])


def batch_summary(batch):
    return _("%(new)d new, %(update)d updated, %(duplicate)d skipped, %(error)d errors") % {
        "new": batch.created_count,
        "update": batch.updated_count,
        "duplicate": batch.duplicate_count,
        "error": batch.error_count,
    }


# --- Add by identifier and find the missing DOIs (#20), in the background ---------------
# Looking identifiers up takes the services' time, not ours: arXiv asks for one request
# every 3 seconds, Crossref answers in about a second. So the admin's paste and the
# data-health page's whole-list DOI search run here, while their pages show the progress.


@task()
def lookup_identifiers(batch_id):
    """Look up the identifiers of a pasted list (queued by admin_sources) and plan them
    for the preview; returns what it found.

    The batch's `job_options["identifiers"]` are [[kind, value]] as the paste was read.
    A service down, slow or answering nonsense stops the lookup: the batch gets the
    reason and no records, and the form shows it again with the paste (nothing is
    half written). An identifier no service knows is an error row, as in the command.
    """
    from .models import ImportRecord
    from .sources import http, lookup
    from .sources.identifiers import Identifier

    batch = _claim(batch_id, ImportBatch.Status.PENDING, step="lookup")
    if batch is None:
        return "not queued"
    options = batch.job_options
    identifiers = [Identifier(kind, value) for kind, value in options.get("identifiers", [])]
    progress = BatchProgress(batch.pk, outside_transaction=True)
    with translation.override(options.get("language")):
        try:
            records = lookup.records_for(
                identifiers, progress=lambda done, total: progress("lookup", done, total)
            )
            progress("planning", 0, len(records))
            with transaction.atomic():
                ImportRecord.objects.bulk_create(
                    [ImportRecord(batch=batch, line=r["line"], record=r) for r in records]
                )
                current = importer.build(batch, progress=progress)
                importer.store_plan(batch, current)
        except http.SourceError as error:
            _give_back(
                batch_id, _("%(reason)s Nothing was imported.") % {"reason": error.message}, 503
            )
            return "service unavailable"
        except Exception:
            _give_back(batch_id, _("The lookup failed and imported nothing; try again."), 200)
            raise
        finally:
            progress.close()
    ImportBatch.objects.filter(pk=batch_id).update(job=Job.NONE, source_text="")
    return current.summary()


@task()
def search_dois(search_id):
    """Ask Crossref for the candidates of every paper without a DOI (at most
    settings.LABSITE_DOI_SEARCH_MAX, newest first), queued by the data-health page.

    Each paper's candidates are stored as they come (DoiSearchResult), so the page can
    count them; nothing is written to the papers (the editor accepts later). Crossref
    down stops the search with the reason: the candidates found so far stay.
    """
    from django.conf import settings

    from .data_health import missing_papers
    from .models import DoiSearch, DoiSearchResult
    from .sources import doi_search, http

    claimed = DoiSearch.objects.filter(pk=search_id, status=DoiSearch.Status.QUEUED).update(
        status=DoiSearch.Status.RUNNING, progress_at=timezone.now()
    )
    if not claimed:
        return "not queued"
    search = DoiSearch.objects.get(pk=search_id)
    limit = settings.LABSITE_DOI_SEARCH_MAX
    papers = list(missing_papers("doi").with_authors()[:limit])
    running = DoiSearch.objects.filter(pk=search_id)
    running.update(progress_total=len(papers), progress_done=0, progress_at=timezone.now())
    with translation.override(search.language or None):
        for number, paper in enumerate(papers, start=1):
            result = DoiSearchResult(search=search, number=number, paper=paper)
            try:
                result.candidates = [c.to_json() for c in doi_search.search(paper)]
            except doi_search.NoDOIToFind as reason:  # given a DOI meanwhile, or no title
                result.error = str(reason)
            except http.SourceError as error:
                message = _(
                    "%(reason)s The search stopped after %(done)d of %(total)d papers; "
                    "the candidates found so far are below. Start it again for the rest."
                ) % {"reason": error.message, "done": number - 1, "total": len(papers)}
                running.update(status=DoiSearch.Status.FAILED, error=message)
                return "service unavailable"
            except Exception:
                running.update(
                    status=DoiSearch.Status.FAILED,
                    error=_("The search failed; start it again."),
                )
                raise
            result.save()
            running.update(progress_done=number, progress_at=timezone.now())
            reset_queries()
    running.update(status=DoiSearch.Status.DONE, progress_at=timezone.now())
    return f"{len(papers)} papers searched"
