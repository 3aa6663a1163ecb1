"""The admin's BibTeX import of presentations and patents: upload or paste → what happened.

No preview step, unlike the publications' import: an entry becomes one row, nothing
is merged into existing records (a duplicate is skipped), and an import with any
error writes nothing (achievements/bibtex.py).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publications.bibtex.decoding import MAX_BYTES, DecodingError, decode

from . import bibtex
from .models import Patent, Presentation


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("BibTeX file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("or paste BibTeX"), required=False, widget=forms.Textarea
    )
    is_published = forms.BooleanField(
        label=gettext_lazy("Show them on the site"), required=False, initial=True
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text")
        if upload:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(limit)d MB.")
                    % {"limit": MAX_BYTES // (1024 * 1024)}
                )
            try:
                cleaned["bibtex"] = decode(upload.read()).text
            except DecodingError as error:
                raise forms.ValidationError(str(error)) from None
        elif text and text.strip():
            cleaned["bibtex"] = text
        else:
            raise forms.ValidationError(_("Choose a .bib file or paste BibTeX."))
        return cleaned


def url(admin_site, name):
    return path("import-bibtex/", admin_site.admin_view(import_view(admin_site)), name=name)


def import_view(admin_site):
    def view(request):
        for model in (Presentation, Patent):
            if not request.user.has_perm(f"achievements.add_{model._meta.model_name}"):
                raise PermissionDenied
        status, result = 200, None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = bibtex.import_text(
                        form.cleaned_data["bibtex"], form.cleaned_data["is_published"]
                    )
                except DecodingError as error:  # too many entries
                    form.add_error(None, str(error))
            if result is None:
                status = 400
            elif result.errors:
                status = 400
                messages.error(
                    request, _("Nothing was imported: correct the entries in error and try again.")
                )
            else:
                messages.success(
                    request, _("%(count)d achievements imported.") % {"count": result.created}
                )
        else:
            form = ImportForm()
        return TemplateResponse(
            request,
            "admin/achievements/import.html",
            {
                **admin_site.each_context(request),
                "title": _("Import presentations and patents from BibTeX"),
                "opts": Presentation._meta,
                "form": form,
                "result": result,
            },
            status=status,
        )

    return view
