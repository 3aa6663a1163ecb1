"""Admin screens for researchmap and ORCID: import a researcher's papers, export to researchmap.

Import: a researchmap permalink or an ORCID iD (typed, or a member's, through the
member admin's actions) → the papers are read from the service in the request → the
BibTeX import's preview (`admin_import`), where the editor chooses per row and
confirms; the batch is undoable like any import. A service that cannot be reached or
answers nonsense is a message on the form (503), never a 500 and never a batch.

Export: the lab's published papers, of one member and a range of years if chosen, as
researchmap's bulk import CSV (`sources.researchmap_export`), for the member to upload
on researchmap.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from achievements import importing as achievements_import
from research.models import Member

from .admin_import import _check, _context
from .bibtex import importer
from .models import MAX_YEAR, MIN_YEAR, ImportBatch
from .sources import http, importing, researchmap, researchmap_export

Origin = ImportBatch.Origin
SERVICES = [(Origin.RESEARCHMAP.value, "researchmap"), (Origin.ORCID.value, "ORCID")]
# What a researchmap import reads: researchmap's achievement types (the papers go to the
# papers' import, the others to achievements/importing.py).
PAPERS = "published_papers"
KINDS = [
    (PAPERS, gettext_lazy("Published papers")),
    ("presentations", gettext_lazy("Presentations")),
    ("awards", gettext_lazy("Awards")),
    ("industrial_property_rights", gettext_lazy("Patents")),
]
ALL_KINDS = [value for value, _label in KINDS]


class SourceImportForm(forms.Form):
    service = forms.ChoiceField(
        label=gettext_lazy("Service"), choices=SERVICES, widget=forms.RadioSelect
    )
    identifier = forms.CharField(
        label=gettext_lazy("researchmap permalink or ORCID iD"),
        max_length=200,
        help_text=gettext_lazy(
            "E.g. read0123456 or https://researchmap.jp/read0123456; "
            "0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("From researchmap, import"),
        choices=KINDS,
        initial=ALL_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Papers are previewed as a BibTeX import; presentations, awards and patents on a "
            "preview of their own. ORCID gives works only."
        ),
    )
    unpublished = forms.BooleanField(
        label=gettext_lazy("Create new papers unpublished"),
        required=False,
        help_text=gettext_lazy("They stay hidden from visitors until you publish them."),
    )

    def clean(self):
        data = super().clean()
        if data.get("service") == Origin.RESEARCHMAP and not data.get("kinds"):
            self.add_error("kinds", _("Choose at least one kind of achievement."))
        return data


def start(request, origin, value, owner="", is_published=True, kinds=ALL_KINDS):
    """(the address of the preview, None), or (None, (message, status)) when there is none.

    From researchmap, the other achievements (`kinds` other than papers) are read first,
    then the papers; nothing is written unless every list could be read. The papers get
    their batch, the others an achievements import linked to it, whose preview opens
    first (it links to the papers' one).
    """
    types = [kind for kind in kinds if kind != PAPERS] if origin == Origin.RESEARCHMAP else []
    batch = others = None
    try:
        fetched = {}
        if types:
            permalink = researchmap.permalink_of(value)
            if not permalink:
                raise importing.NoIdentifier(
                    _("“%(value)s” is not a researchmap permalink (e.g. read0123456).")
                    % {"value": value}
                )
            fetched = achievements_import.fetch(permalink, types)
        if origin != Origin.RESEARCHMAP or PAPERS in kinds:
            try:
                batch, _plan = importing.start(
                    origin, value, owner=owner, user=request.user, is_published=is_published
                )
            except importing.NothingToImport:
                if not any(fetched.values()):
                    raise
        if any(fetched.values()):
            others = achievements_import.create(
                f"researchmap.jp/{permalink}",
                fetched,
                holder=owner or achievements_import.holder_name(permalink),
                user=request.user,
                is_published=is_published,
                papers_batch=batch,
            )
        elif batch is None:
            raise importing.NothingToImport(
                _("%(page)s lists none of the achievements chosen: nothing to import.")
                % {"page": f"researchmap.jp/{permalink}"}
            )
    except http.NotFound as error:
        return None, (error.message, 404)
    except http.SourceError as error:
        return None, (error.message, 503)
    except importing.NothingToImport as error:
        return None, (str(error), 200)
    except importer.ImportError_ as error:
        return None, (str(error), 400)
    if others is not None:
        return others.get_absolute_url(), None
    return reverse("admin:publications_importbatch_preview", args=[batch.pk]), None


def import_view(admin_site):
    def view(request):
        _check(request, "publications.add_importbatch")
        _check(request, "publications.add_publication")
        status = 200
        if request.method == "POST":
            form = SourceImportForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                preview, problem = start(
                    request,
                    data["service"],
                    data["identifier"],
                    is_published=not data["unpublished"],
                    kinds=data["kinds"],
                )
                if preview is not None:
                    return redirect(preview)
                message, status = problem
                form.add_error("identifier" if status in (400, 404) else None, message)
            else:
                status = 400
        else:
            form = SourceImportForm(
                initial={"service": Origin.RESEARCHMAP.value, "kinds": ALL_KINDS}
            )
        return TemplateResponse(
            request,
            "admin/publications/source_import_form.html",
            _context(admin_site, request, form=form, title=_("Import from researchmap or ORCID")),
            status=status,
        )

    return view


class ResearchmapExportForm(forms.Form):
    member = forms.ModelChoiceField(
        label=gettext_lazy("Member"),
        queryset=Member.objects.filter(person__isnull=False),
        required=False,
        empty_label=gettext_lazy("All members"),
        help_text=gettext_lazy("Only the papers of this member (of the author they are)."),
    )
    year_from = forms.IntegerField(
        label=gettext_lazy("From year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first year is after the last one."))
        return data


def export_view(admin_site):
    def view(request):
        _check(request, "publications.view_publication")
        status = 200
        if "download" in request.GET:
            form = ResearchmapExportForm(request.GET)
            if form.is_valid():
                data = form.cleaned_data
                papers = researchmap_export.papers(
                    data["member"], data["year_from"], data["year_to"]
                )
                return download(papers, filename(data))
            status = 400
        else:
            form = ResearchmapExportForm()
        return TemplateResponse(
            request,
            "admin/publications/researchmap_export_form.html",
            _context(admin_site, request, form=form, title=_("Export for researchmap")),
            status=status,
        )

    return view


def filename(data):
    parts = ["researchmap", "published_papers"]
    if data.get("member"):
        parts.append(data["member"].slug)
    if data.get("year_from") or data.get("year_to"):
        parts.append(f"{data.get('year_from') or ''}-{data.get('year_to') or ''}")
    return "_".join(parts) + ".csv"


def download(papers, name):
    response = HttpResponse(
        researchmap_export.to_csv(papers).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def import_for_members(modeladmin, request, queryset, origin):
    """The member admin's actions: one member's researchmap page or ORCID record →
    the import's preview; a message (and the list again) when that cannot be."""
    if not (
        request.user.has_perm("publications.add_importbatch")
        and request.user.has_perm("publications.add_publication")
    ):
        messages.error(request, _("You may not import papers."))
        return None
    members = list(queryset[:2])
    if len(members) != 1:
        messages.warning(
            request, _("Choose one member: each member's papers are previewed on their own.")
        )
        return None
    member = members[0]
    value = member.researchmap if origin == Origin.RESEARCHMAP else member.orcid_id
    if not value:
        text = (
            _("%(member)s has no researchmap permalink: add it on the member's page.")
            if origin == Origin.RESEARCHMAP
            else _("%(member)s has no ORCID iD: add it on the member's page.")
        )
        messages.error(request, text % {"member": member})
        return None
    preview, problem = start(request, origin, value, importing.member_owner(member))
    if preview is None:
        message, status = problem
        (messages.info if status == 200 else messages.error)(request, message)
        return None
    return redirect(preview)
