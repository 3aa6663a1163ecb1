"""Admin screen "Add by identifier": paste DOIs / arXiv ids (or a reference list) →
the lookups in the background → the same preview, per-row choices, confirmation and
undo as the BibTeX import.

The request only reads the paste: at most LABSITE_IDENTIFIERS_MAX_CHARS characters and
LABSITE_IDENTIFIERS_MAX identifiers (413 past either, with the bound in the message).
It stores them with a pending batch and queues `tasks.lookup_identifiers`; the
editor watches the import's progress page (it reloads itself, no script needed),
which goes on to the preview once the worker has looked everything up and planned it.

There is no inline path for short pastes: even one DOI may cost the HTTP client's
timeout and retries (3 attempts of up to 15 s, with backoff) when Crossref is slow,
and one arXiv id waits for arXiv's 3-second pause, so a lookup in the request could
not keep "no request does more than a few seconds of work" (#19). A paste of a few
DOIs is looked up within the progress page's first reload or two.

When a service cannot be used, the worker stops and writes no records; the form
comes back with the reason (503) and the paste, and the batch is gone: nothing is
half written.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import tasks
from .admin_import import _check, _context
from .bibtex import importer
from .models import ImportBatch, Keyword
from .sources import lookup

Job = ImportBatch.Job


class TooLarge(forms.ValidationError):
    """A paste past a bound: answered 413."""


class IdentifiersForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("DOIs or arXiv ids"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "spellcheck": "false"}),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = " ".join(
            [
                _(
                    "One or many: 10.1103/PhysRevB.99.014101, https://doi.org/…, "
                    "arXiv:2401.00001, https://arxiv.org/abs/…, or a whole reference list "
                    "from which they are picked out."
                ),
                _(
                    "At most %(limit)s identifiers at a time; they are looked up in the "
                    "background while a page shows how far it is."
                )
                % {"limit": f"{settings.LABSITE_IDENTIFIERS_MAX:,}"},
            ]
        )

    def clean_text(self):
        text = self.cleaned_data["text"]
        limit = settings.LABSITE_IDENTIFIERS_MAX_CHARS
        if len(text) > limit:
            raise TooLarge(
                _(
                    "The text is too long (%(size)s characters; at most %(limit)s). Paste "
                    "the identifiers or the reference list in parts."
                )
                % {"size": f"{len(text):,}", "limit": f"{limit:,}"}
            )
        try:
            found = lookup.identifiers_in(text)
        except lookup.NoIdentifiers as error:
            raise forms.ValidationError(str(error)) from None
        limit = settings.LABSITE_IDENTIFIERS_MAX
        if len(found) > limit:
            raise TooLarge(
                _(
                    "%(count)s identifiers were found; paste at most %(limit)s at a time, "
                    "or use the add_papers command for a longer list."
                )
                % {"count": f"{len(found):,}", "limit": f"{limit:,}"}
            )
        self.identifiers = found
        return text


def identifiers_view(admin_site):
    def view(request):
        _check(request, "publications.add_importbatch")
        _check(request, "publications.add_publication")
        status = 200
        if request.method == "POST":
            form = IdentifiersForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    batch = _queue_lookup(request, form.identifiers, data)
                except importer.ImportError_ as error:  # SQLite busy with another import
                    form.add_error(None, str(error))
                    status = 503
                else:
                    return redirect("admin:publications_importbatch_progress", batch.pk)
            else:
                too_large = any(
                    isinstance(error, TooLarge) for error in form.errors.as_data().get("text", [])
                )
                status = 413 if too_large else 400
        else:
            form, status = _retry_form(request)
        return TemplateResponse(
            request,
            "admin/publications/identifiers_form.html",
            _context(admin_site, request, form=form, title=_("Add papers by DOI or arXiv id")),
            status=status,
        )

    return view


def _queue_lookup(request, identifiers, data):
    """A pending batch holding the identifiers (and the paste, to show it again if the
    lookup fails), queued for the worker."""
    batch = importer.new_batch(
        ImportBatch.Origin.IDENTIFIERS,
        filename="",
        encoding="",
        user=request.user,
        source=ImportBatch.Source.ADMIN,
        keywords=data["keywords"],
        is_published=not data["unpublished"],
        using="default",
        text=data["text"],
    )
    options = {
        "action": "lookup",
        "language": request.LANGUAGE_CODE,
        "user": request.user.pk,
        "identifiers": [[i.kind, i.value] for i in identifiers],
    }
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            job=Job.QUEUED,
            job_options=options,
            progress_step="lookup",
            progress_total=len(identifiers),
            progress_at=timezone.now(),
        )
        tasks.lookup_identifiers.enqueue(batch.pk)
    return batch


def _retry_form(request):
    """(form, status): empty; or, back from a lookup that stopped (`?batch=`, where the
    preview sends a batch that has no plan), the paste again with the reason, once."""
    batch_id = request.GET.get("batch", "")
    batch = (
        ImportBatch.objects.filter(
            pk=batch_id if batch_id.isdigit() and len(batch_id) <= 18 else None,
            origin=ImportBatch.Origin.IDENTIFIERS,
            status=ImportBatch.Status.PENDING,
            job=Job.NONE,
            plan_digest="",
            created_by=request.user,
        )
        .prefetch_related("keywords")
        .first()
    )
    if batch is None:
        return IdentifiersForm(), 200
    status = batch.job_options.get("error_status", 200)
    form = IdentifiersForm(
        initial={
            "text": batch.source_text,
            "keywords": list(batch.keywords.all()),
            "unpublished": not batch.is_published,
        }
    )
    messages.error(request, batch.job_error or _("The lookup was stopped; nothing was imported."))
    batch.delete()
    return form, status
