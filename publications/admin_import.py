"""Admin screens of the BibTeX import: upload or paste → preview → confirm → progress; undo.

The uploaded text is parsed once, when it arrives, and stored as the parsed
entries of a *pending* ImportBatch: the preview (its own URL) and the
confirmation read it from there, so nothing is uploaded twice and a reload of
the preview is harmless. Confirming enqueues the import (publications/tasks.py) and
shows its progress page; the worker checks that the plan is still the one shown (the
database may have changed in between) and applies it atomically. A file has at most
settings.LABSITE_IMPORT_MAX_ENTRIES entries, which keeps the upload and the preview,
done in the request, within a few seconds.
"""

import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import tasks
from .bibtex import importer, undo
from .bibtex.decoding import MAX_BYTES, DecodingError
from .models import ImportBatch, Keyword, Publication

Job = ImportBatch.Job
# What a row's choice can be (plan.Row.options); whether the row offers it is the worker's check.
CHOICE = re.compile(r"(new|skip|update:\d{1,18})")
# Seconds between the progress page's reloads while the import waits or runs.
PROGRESS_REFRESH = 2
# A running job that has reported nothing for this long lost its worker (killed, out
# of memory): a 5,000-entry import reports every few seconds and ends within minutes.
STALLED_AFTER = 600

MAX_MB = MAX_BYTES // (1024 * 1024)


class TooLarge(forms.ValidationError):
    pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("BibTeX file"),
        required=False,
        help_text=gettext_lazy(
            "A .bib file from Google Scholar, Zotero, JabRef or researchmap, up to 20 MB "
            "(UTF-8, Latin-1, Shift_JIS, EUC-JP or ISO-2022-JP)."
        ),
    )
    text = forms.CharField(
        label=gettext_lazy("or paste BibTeX"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
    )
    keywords = forms.ModelMultipleChoiceField(
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
            # keyword among hundreds, as in the Publication form.
            keywords = self.fields["keywords"]
            keywords.widget = AutocompleteSelectMultiple(
                Publication._meta.get_field("keywords"), admin_site
            )
            keywords.widget.choices = keywords.choices  # what a field does for its own widget
        limit = settings.LABSITE_IMPORT_MAX_ENTRIES
        entries = _(
            "One import takes at most %(limit)s entries; split a larger file into parts."
        ) % {"limit": f"{limit:,}"}
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {entries}"

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
                try:
                    if data["file"]:
                        batch, _plan = importer.start(
                            data=data["file"].read(),
                            filename=data["file"].name,
                            user=request.user,
                            keywords=data["keywords"],
                            is_published=not data["unpublished"],
                            plan_now=False,
                        )
                    else:
                        batch, _plan = importer.start(
                            text=data["text"],
                            user=request.user,
                            keywords=data["keywords"],
                            is_published=not data["unpublished"],
                            plan_now=False,
                        )
                except DecodingError as error:
                    form.add_error("file" if data["file"] else "text", str(error))
                    status = 413 if isinstance(error, importer.TooManyEntries) else 400
                else:
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


def preview_view(admin_site):
    def view(request, batch_id):
        _check(request, "publications.add_importbatch")
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        if batch.status != ImportBatch.Status.PENDING:
            messages.info(request, _("This import has already been confirmed."))
            return redirect("admin:publications_importbatch_change", batch.pk)
        if batch.job:
            return redirect("admin:publications_importbatch_progress", batch.pk)
        status = 200
        if request.method == "POST":
            if "cancel" in request.POST:
                batch.delete()
                messages.info(request, _("Import cancelled; nothing was written."))
                return redirect("admin:publications_publication_changelist")
            choices = _posted_choices(request.POST)
            skip_errors = request.POST.get("skip_errors") == "1"
            wrong = [value for value in choices.values() if not CHOICE.fullmatch(value)]
            errors = sum(1 for record in batch.records if "error" in record)
            if wrong:
                messages.error(
                    request, _("“%(choice)s” is not a choice.") % {"choice": wrong[0][:50]}
                )
            elif errors and not skip_errors:
                messages.error(
                    request,
                    _("%(count)d entries have errors; confirm importing the rest to skip them.")
                    % {"count": errors},
                )
            else:
                _enqueue(request, batch, choices, skip_errors)
                return redirect("admin:publications_importbatch_progress", batch.pk)
            current = importer.build(batch)
            _keep_choices(current, choices)
            status = 400
        else:
            current = importer.build(batch)
            if batch.job_error:
                # What the worker refused (shown once): the new plan, the choices kept.
                status = batch.job_options.get("error_status", 200)
                (messages.warning if status == 409 else messages.error)(request, batch.job_error)
                kept = batch.job_options.get("choices", {})
                _keep_choices(current, {int(number): value for number, value in kept.items()})
                batch.job_error = ""
                batch.save(update_fields=["job_error"])
        # What the user is shown is what confirming must do (checked by the worker).
        ImportBatch.objects.filter(pk=batch.pk).update(plan_digest=current.digest())
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
                plan=current,
                counts=current.counts,
                actions=current.actions,
                digest=current.digest(),
            ),
            status=status,
        )

    return view


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
        batch = get_object_or_404(ImportBatch.objects.defer("records"), pk=batch_id)
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
                title=_("Undo import") if undoing else _("Import BibTeX: importing"),
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
        if prefix == "choice" and number.isdigit():
            choices[int(number)] = value
    return choices


def _keep_choices(current, choices):
    """Show the editor's choices again on a preview shown anew, where they still apply."""
    for row in current.rows:
        if choices.get(row.number) in row.options:
            row.choose(choices[row.number])


def undo_view(admin_site):
    def view(request, batch_id):
        _check(request, "publications.change_importbatch")
        _check(request, "publications.delete_publication")
        batch = get_object_or_404(ImportBatch.objects.defer("records"), pk=batch_id)
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
