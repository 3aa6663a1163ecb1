"""Admin screen "Add by identifier": paste DOIs / arXiv ids (or a reference list) →
the same preview, per-row choices, confirmation and undo as the BibTeX import.

The lookups run in the request (at most LABSITE_IDENTIFIERS_MAX identifiers per
paste; the command takes longer lists). When a service cannot be used, the form
comes back with the reason (503) and no batch exists: nothing half written.
"""

from django import forms
from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .admin_import import _check, _context
from .bibtex import importer
from .models import ImportBatch, Keyword
from .sources import http, lookup


class IdentifiersForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("DOIs or arXiv ids"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One or many: 10.1103/PhysRevB.99.014101, https://doi.org/…, arXiv:2401.00001, "
            "https://arxiv.org/abs/…, or a whole reference list from which they are picked out."
        ),
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

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            found = lookup.identifiers_in(text)
        except lookup.NoIdentifiers as error:
            raise forms.ValidationError(str(error)) from None
        limit = settings.LABSITE_IDENTIFIERS_MAX
        if len(found) > limit:
            raise forms.ValidationError(
                _(
                    "%(count)d identifiers were found; paste at most %(limit)d at a time, "
                    "or use the add_papers command for a longer list."
                )
                % {"count": len(found), "limit": limit}
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
                    records = lookup.records_for(form.identifiers)
                    batch, _plan = importer.create(
                        records,
                        origin=ImportBatch.Origin.IDENTIFIERS,
                        user=request.user,
                        keywords=data["keywords"],
                        is_published=not data["unpublished"],
                    )
                except http.SourceUnavailable as error:
                    form.add_error(
                        None, _("%(reason)s Nothing was imported.") % {"reason": error.message}
                    )
                    status = 503
                except importer.ImportError_ as error:  # SQLite busy with another import
                    form.add_error(None, str(error))
                    status = 503
                else:
                    return redirect("admin:publications_importbatch_preview", batch.pk)
            else:
                status = 400
        else:
            form = IdentifiersForm()
        return TemplateResponse(
            request,
            "admin/publications/identifiers_form.html",
            _context(admin_site, request, form=form, title=_("Add papers by DOI or arXiv id")),
            status=status,
        )

    return view
