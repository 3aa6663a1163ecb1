"""Admin screens of the BibTeX import: upload or paste → preview → confirm → progress; undo.

The uploaded text is stored with a *pending* ImportBatch, then read into its parsed
entries (ImportRecords) and planned, and the plan is stored as the preview's rows
(ImportRows): in the upload's request for a file of at most
settings.LABSITE_IMPORT_INLINE_ENTRIES entries, else by the background worker while
the editor watches its progress page. The preview (its own URL) pages through those
rows, filtered by what they are, and stores the editor's choices on them; confirming
enqueues the import (publications/tasks.py) and shows its progress page; the worker
checks that the plan is still the one shown (the database may have changed in
between) and applies it atomically. No request reads, plans or writes the whole file.
"""

import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import tasks
from .bibtex import importer, plan, undo
from .bibtex.decoding import MAX_BYTES, DecodingError
from .formfields import IdsAutocomplete, IdsChoiceField
from .models import ImportBatch, ImportRow, Keyword, Publication

Job = ImportBatch.Job
# What a row's choice can be (plan.Row.options); whether the row offers it is the worker's check.
CHOICE = re.compile(r"(new|skip|update:\d{1,18})")
# Seconds between the progress page's reloads while the import waits or runs.
PROGRESS_REFRESH = 2
# A running job that has reported nothing for this long lost its worker (killed, out
# of memory): a job reports at least every chunk of 1,000 entries.
STALLED_AFTER = 600

MAX_MB = MAX_BYTES // (1024 * 1024)


class TooLarge(forms.ValidationError):
    pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("BibTeX file"),
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("or paste BibTeX"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
    )
    keywords = IdsChoiceField(
        label=gettext_lazy("Add keywords"),
        queryset=Keyword.objects.all(),
        required=False,
        help_text=gettext_lazy("Added to every imported paper."),
    )
    unpublished = forms.BooleanField(
        label=gettext_lazy("Create new papers unpublished"),
        required=False,
        help_text=gettext_lazy("They stay hidden from visitors until you publish them."),
    )

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            # The admin's own autocomplete (select2, shipped with Django): type to find a
            # keyword among hundreds, as in the Publication form; hostile ids posted
            # back are not queried to show them again (IdsAutocomplete).
            keywords = self.fields["keywords"]
            keywords.widget = IdsAutocomplete(Publication._meta.get_field("keywords"), admin_site)
            keywords.widget.choices = keywords.choices  # what a field does for its own widget
        limit = settings.LABSITE_IMPORT_MAX_ENTRIES
        entries = _(
            "One import takes at most %(limit)s entries; split a larger file into parts."
        ) % {"limit": f"{limit:,}"}
        self.fields["file"].help_text = " ".join(
            [
                _(
                    "A .bib file from Google Scholar, Zotero, JabRef or researchmap, up to "
                    "%(size)d MB (UTF-8, Latin-1, Shift_JIS, EUC-JP or ISO-2022-JP)."
                )
                % {"size": MAX_MB},
                entries,
            ]
        )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError(_("Upload a file or paste text, not both."))
        if not upload and not text.strip():
            raise forms.ValidationError(_("Choose a .bib file to upload or paste BibTeX text."))
        size = upload.size if upload else len(text.encode("utf-8"))
        if size > MAX_BYTES:
            raise TooLarge(
                _("The BibTeX is larger than %(limit)d MB (%(size).1f MB). Split it into parts.")
                % {"limit": MAX_MB, "size": size / (1024 * 1024)}
            )
        return data


def _check(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(admin_site, request, **extra):
    return {
        **admin_site.each_context(request),
        "opts": ImportBatch._meta,
        "publication_opts": Publication._meta,
        **extra,
    }


def import_view(admin_site):
    def view(request):
        _check(request, "publications.add_importbatch")
        _check(request, "publications.add_publication")
        status = 200
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES, admin_site=admin_site)
            if form.is_valid():
                data = form.cleaned_data
                upload = data["file"]
                try:
                    batch, current = importer.start(
                        data=upload.read() if upload else None,
                        text=None if upload else data["text"],
                        filename=upload.name if upload else "",
                        user=request.user,
                        keywords=data["keywords"],
                        is_published=not data["unpublished"],
                        plan_now=settings.LABSITE_IMPORT_INLINE_ENTRIES,
                    )
                except DecodingError as error:
                    form.add_error("file" if upload else "text", str(error))
                    status = 413 if isinstance(error, importer.TooManyEntries) else 400
                else:
                    if current is None:  # a large file: the worker reads it
                        _enqueue_prepare(request, batch)
                        return redirect("admin:publications_importbatch_progress", batch.pk)
                    return redirect("admin:publications_importbatch_preview", batch.pk)
            else:
                errors = form.non_field_errors().as_data()
                status = 413 if any(isinstance(e, TooLarge) for e in errors) else 400
        else:
            form = ImportForm(admin_site=admin_site)
        return TemplateResponse(
            request,
            "admin/publications/import_form.html",
            _context(admin_site, request, form=form, title=_("Import BibTeX"), max_mb=MAX_MB),
            status=status,
        )

    return view


def _enqueue_prepare(request, batch):
    """Queue the reading and planning of a large upload for the worker."""
    options = {"action": "prepare", "language": request.LANGUAGE_CODE, "user": request.user.pk}
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            job=Job.QUEUED, job_options=options, progress_at=timezone.now()
        )
        tasks.prepare_import.enqueue(batch.pk)


# Rows on one page of the preview.
ROWS_PER_PAGE = 100
# What the preview's status filter offers (`?status=`), as the rows name them.
FILTERS = ("new", "update", "duplicate", "possible", "error")


def preview_view(admin_site):
    def view(request, batch_id):
        _check(request, "publications.add_importbatch")
        batch = get_object_or_404(ImportBatch.objects.defer("source_text"), pk=batch_id)
        if batch.status != ImportBatch.Status.PENDING:
            messages.info(request, _("This import has already been confirmed."))
            return redirect("admin:publications_importbatch_change", batch.pk)
        if batch.job:
            return redirect("admin:publications_importbatch_progress", batch.pk)
        if not batch.plan_digest and batch.origin == ImportBatch.Origin.IDENTIFIERS:
            # The lookup stopped (admin_sources): the paste again, with the reason.
            url = reverse("admin:publications_publication_add_by_identifier")
            return redirect(f"{url}?batch={batch.pk}")
        if not batch.plan_digest:
            # Its file was never read: the worker refused it (the reason, once) or stopped.
            messages.error(request, batch.job_error or _("The file was not read; upload it again."))
            batch.delete()
            return redirect("admin:publications_publication_import")
        status = 200
        rows = ImportRow.objects.filter(batch=batch)
        if request.method == "POST":
            if "cancel" in request.POST:
                batch.delete()
                messages.info(request, _("Import cancelled; nothing was written."))
                return redirect("admin:publications_publication_changelist")
            error = _save_choices(rows, _posted_choices(request.POST))
            skip_errors = request.POST.get("skip_errors") == "1"
            errors = batch.plan_summary["counts"]["error"]
            shown = request.POST.get("digest", batch.plan_digest)
            if error:
                messages.error(request, error)
                status = 400
            elif "save" in request.POST:
                messages.success(request, _("Your choices are saved."))
                return redirect(request.get_full_path())
            elif shown != batch.plan_digest:
                messages.warning(
                    request, _("The preview has changed since you saw it; check it again.")
                )
                status = 409
            elif errors and not skip_errors:
                messages.error(
                    request,
                    _("%(count)d entries have errors; confirm importing the rest to skip them.")
                    % {"count": errors},
                )
                status = 400
            else:
                choices = dict(rows.exclude(choice=F("default")).values_list("number", "choice"))
                _enqueue(request, batch, choices, skip_errors)
                return redirect("admin:publications_importbatch_progress", batch.pk)
        elif batch.job_error:
            # What the worker refused (shown once): the new plan, the choices kept.
            status = batch.job_options.get("error_status", 200)
            (messages.warning if status == 409 else messages.error)(request, batch.job_error)
            batch.job_error = ""
            batch.save(update_fields=["job_error"])
        shown = request.GET.get("status")
        if shown in FILTERS:
            rows = rows.filter(status=shown)
        page = Paginator(rows.order_by("number"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
        summary = batch.plan_summary
        return TemplateResponse(
            request,
            "admin/publications/import_preview.html",
            _context(
                admin_site,
                request,
                title={
                    ImportBatch.Origin.IDENTIFIERS: _("Add by DOI or arXiv id: preview"),
                    ImportBatch.Origin.RESEARCHMAP: _("Import from researchmap: preview"),
                    ImportBatch.Origin.ORCID: _("Import from ORCID: preview"),
                }.get(batch.origin, _("Import BibTeX: preview")),
                batch=batch,
                rows=[
                    plan.Row.from_view(row.number, row.status, row.choice, row.view) for row in page
                ],
                page=page,
                filters=[(name, summary["counts"][name]) for name in FILTERS],
                shown=shown if shown in FILTERS else "",
                total=summary["total"],
                has_choices=summary["has_choices"],
                counts=summary["counts"],
                actions=_actions(batch),
                digest=batch.plan_digest,
            ),
            status=status,
        )

    return view


def _save_choices(rows, choices):
    """Store the editor's choices ({row number: option}); the message of a refused one."""
    wrong = [value for value in choices.values() if not CHOICE.fullmatch(value)]
    if wrong:
        return _("“%(choice)s” is not a choice.") % {"choice": wrong[0][:50]}
    found = {row.number: row for row in rows.filter(number__in=list(choices)[: ROWS_PER_PAGE * 2])}
    for number, value in choices.items():
        row = found.get(number)
        if row is None:
            return _("There is no entry %(number)d.") % {"number": number}
        if value not in row.view["options"]:
            return _("Entry %(number)d (line %(line)d) cannot be “%(choice)s”.") % {
                "number": number,
                "line": row.view["line"],
                "choice": value,
            }
        row.choice = value
    ImportRow.objects.bulk_update(found.values(), ["choice"])
    return None


def _actions(batch):
    """How many entries confirming would import as new, update and skip (errors apart), as
    the rows' choices stand: one query."""
    counted = ImportRow.objects.filter(batch=batch).exclude(status=plan.ERROR)
    return counted.aggregate(
        new=Count("pk", filter=Q(choice=plan.NEW)),
        update=Count("pk", filter=Q(choice__startswith="update:")),
        skip=Count("pk", filter=Q(choice=plan.SKIP)),
    )


def _enqueue(request, batch, choices, skip_errors):
    """Queue the confirmed batch for the worker, once (a second Confirm finds it queued)."""
    options = {
        "action": "apply",
        "choices": {str(number): value for number, value in choices.items()},
        "skip_errors": skip_errors,
        "digest": batch.plan_digest,
        "language": request.LANGUAGE_CODE,
        "user": request.user.pk,
    }
    with transaction.atomic():
        queued = ImportBatch.objects.filter(
            pk=batch.pk, status=ImportBatch.Status.PENDING, job=Job.NONE
        ).update(
            job=Job.QUEUED,
            job_options=options,
            job_error="",
            progress_step="",
            progress_done=0,
            progress_total=0,
            progress_at=timezone.now(),  # since when it waits
        )
        if queued:
            tasks.apply_import.enqueue(batch.pk)


def progress_view(admin_site):
    """The progress of an import (or an undo) while the worker has it: a <progress> bar,
    and a page that reloads itself (<meta http-equiv="refresh">, which the CSP allows:
    no script) until the job is done, then goes on to the batch (or back to the
    preview or the undo page, which say why nothing was done)."""

    def view(request, batch_id):
        _check(request, "publications.add_importbatch")
        batch = get_object_or_404(ImportBatch.objects.defer("source_text"), pk=batch_id)
        if not batch.job:
            return _after_job(request, batch)
        if request.method == "POST" and "cancel" in request.POST:
            # Only while waiting, or once its worker is gone: a running job finishes (or
            # fails) as one transaction, and one that died wrote nothing.
            since = timezone.now() - timedelta(seconds=STALLED_AFTER)
            ImportBatch.objects.filter(pk=batch.pk, job=Job.QUEUED).update(job=Job.NONE)
            ImportBatch.objects.filter(pk=batch.pk, job=Job.RUNNING, progress_at__lt=since).update(
                job=Job.NONE
            )
            if batch.job_options.get("action") == "undo":
                return redirect("admin:publications_importbatch_change", batch.pk)
            return redirect("admin:publications_importbatch_preview", batch.pk)
        waiting = (timezone.now() - (batch.progress_at or batch.created_at)).total_seconds()
        undoing = batch.status == ImportBatch.Status.APPLIED  # a job on an applied batch
        lost = batch.job == Job.RUNNING and waiting > STALLED_AFTER
        return TemplateResponse(
            request,
            "admin/publications/import_progress.html",
            _context(
                admin_site,
                request,
                title=(
                    _("Undo import")
                    if undoing
                    else _("Add by DOI or arXiv id: looking up")
                    if batch.job_options.get("action") == "lookup"
                    else _("Import BibTeX: reading the file")
                    if batch.job_options.get("action") == "prepare"
                    else _("Import BibTeX: importing")
                ),
                undoing=undoing,
                batch=batch,
                step=_step_label(batch),
                refresh=PROGRESS_REFRESH,
                percent=(
                    round(100 * batch.progress_done / batch.progress_total)
                    if batch.progress_total
                    else None
                ),
                can_cancel=batch.job == Job.QUEUED or lost,
                stalled=batch.job == Job.QUEUED and waiting > 60,
                lost=lost,
                lost_minutes=STALLED_AFTER // 60,
            ),
        )

    return view


def _after_job(request, batch):
    """Where the progress page sends the editor once the worker is done with the batch."""
    change = redirect("admin:publications_importbatch_change", batch.pk)
    action = batch.job_options.get("action")
    if batch.status == ImportBatch.Status.PENDING:
        return redirect("admin:publications_importbatch_preview", batch.pk)
    if batch.status == ImportBatch.Status.APPLIED and action == "undo" and batch.job_error:
        return redirect("admin:publications_importbatch_undo", batch.pk)
    if batch.status == ImportBatch.Status.APPLIED and action == "apply":
        messages.success(
            request,
            _("Imported: %(summary)s. You can undo this import here.")
            % {"summary": tasks.batch_summary(batch)},
        )
    elif batch.status == ImportBatch.Status.UNDONE and batch.job_options.get("summary"):
        messages.success(
            request, _("Import undone: %(summary)s.") % {"summary": batch.job_options["summary"]}
        )
    return change


def _step_label(batch):
    numbers = {"done": f"{batch.progress_done:,}", "total": f"{batch.progress_total:,}"}
    if batch.job == Job.QUEUED:
        return _("Waiting for the worker…")
    if batch.progress_step == "lookup":
        return _("Looking up the identifiers: %(done)s of %(total)s") % numbers
    if batch.progress_step == "reading":
        return _("Reading the file…")
    if batch.progress_step == "undoing":
        return _("Undoing the import…")
    if batch.progress_step == "planning" and not batch.progress_total:
        return _("Checking the entries against the database and writing them…")
    if batch.progress_step == "planning":
        return _("Checking the entries against the database: %(done)s of %(total)s") % numbers
    if batch.progress_step == "writing" and not batch.progress_total:
        return _("Writing the papers…")
    if batch.progress_step == "writing":
        return _("Writing: %(done)s of %(total)s papers") % numbers
    return _("Starting…")


def _posted_choices(data):
    """{row number: option} from the preview's per-row fields `choice-<number>`."""
    choices = {}
    for name, value in data.items():
        prefix, _sep, number = name.partition("-")
        if prefix == "choice" and number.isdigit() and len(number) <= 9:
            choices[int(number)] = value
    return choices


def undo_view(admin_site):
    def view(request, batch_id):
        _check(request, "publications.change_importbatch")
        _check(request, "publications.delete_publication")
        batch = get_object_or_404(ImportBatch.objects.defer("source_text"), pk=batch_id)
        if batch.job:
            return redirect("admin:publications_importbatch_progress", batch.pk)
        status = 200
        if batch.job_error and batch.job_options.get("action") == "undo":
            # What the worker refused or failed (shown once).
            status = batch.job_options.get("error_status", 200)
            (messages.error if status == 409 else messages.warning)(request, batch.job_error)
            batch.job_error = ""
            batch.save(update_fields=["job_error"])
        if batch.status != ImportBatch.Status.APPLIED:
            status = 409  # the page says why: undone already, or never applied
        elif request.method == "POST":
            _enqueue_undo(request, batch)
            return redirect("admin:publications_importbatch_progress", batch.pk)
        changed = undo.changed_since_import(batch) if batch.status == batch.Status.APPLIED else []
        return TemplateResponse(
            request,
            "admin/publications/import_undo.html",
            _context(
                admin_site,
                request,
                title=_("Undo import"),
                batch=batch,
                changed=changed,
                can_undo=batch.status == ImportBatch.Status.APPLIED,
                batch_url=reverse("admin:publications_importbatch_change", args=[batch.pk]),
            ),
            status=status,
        )

    return view


def _enqueue_undo(request, batch):
    """Queue the undo of an applied batch for the worker, once."""
    options = {"action": "undo", "language": request.LANGUAGE_CODE, "user": request.user.pk}
    with transaction.atomic():
        queued = ImportBatch.objects.filter(
            pk=batch.pk, status=ImportBatch.Status.APPLIED, job=Job.NONE
        ).update(job=Job.QUEUED, job_options=options, job_error="", progress_at=timezone.now())
        if queued:
            tasks.undo_import.enqueue(batch.pk)
