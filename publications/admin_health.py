"""Admin screens of the data-health page and of finding a paper's DOI on Crossref.

The data-health page (publications/data_health.py) lists what is missing or
suspicious; each paper without a DOI links to *Find the DOI*, which asks Crossref's
bibliographic search (publications/sources/doi_search.py) and shows the candidates,
best first, with their score and what differs from the paper. *Use this DOI* records
the choice as an applied import batch of its own, which *Undo this import* on the
batch's page takes back like any import.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import data_health
from .bibtex.plan import PlanError
from .models import Publication
from .sources import doi_search, http

# What the candidates' comparison calls each field (matching.comparison's names).
FIELD_LABELS = {
    "title": Publication._meta.get_field("title").verbose_name,
    "authors": Publication._meta.get_field("authors").verbose_name,
    "venue": Publication._meta.get_field("venue").verbose_name,
    "volume": Publication._meta.get_field("volume").verbose_name,
    "issue": Publication._meta.get_field("issue").verbose_name,
    "pages": Publication._meta.get_field("pages").verbose_name,
    "article_number": Publication._meta.get_field("article_number").verbose_name,
    "year": Publication._meta.get_field("year").verbose_name,
}


def _check(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(admin_site, request, **extra):
    return {**admin_site.each_context(request), "opts": Publication._meta, **extra}


def data_health_view(admin_site):
    def view(request):
        _check(request, "publications.view_publication")
        return TemplateResponse(
            request,
            "admin/publications/data_health.html",
            _context(
                admin_site,
                request,
                title=_("Data health"),
                checks=data_health.checks(),
                can_find=request.user.has_perm("publications.change_publication"),
                changelist=reverse("admin:publications_publication_changelist"),
            ),
        )

    return view


def find_doi_view(admin_site):
    def view(request, paper_id):
        _check(request, "publications.change_publication")
        paper = get_object_or_404(Publication.objects.with_authors(), pk=paper_id)
        if request.method != "POST":
            return _candidates_page(admin_site, request, paper)
        _check(request, "publications.add_importbatch")
        doi = (request.POST.get("doi") or "").strip()[:200]
        try:
            batch = doi_search.accept({paper.pk: doi}, user=request.user)
        except (doi_search.AcceptError, PlanError) as refusal:
            # A DOI taken meanwhile, a paper given one meanwhile, a forged value: the
            # candidates again, with the reason.
            return _candidates_page(admin_site, request, paper, refusal=str(refusal))
        messages.success(
            request,
            _("The DOI %(doi)s is recorded for “%(paper)s”. You can undo it here.")
            % {
                "doi": batch.items.get().after["fields"]["doi"],
                "paper": doi_search.paper_title(paper),
            },
        )
        return redirect("admin:publications_importbatch_change", batch.pk)

    return view


def _candidates_page(admin_site, request, paper, refusal=""):
    status, candidates, error = (409 if refusal else 200), [], ""
    try:
        candidates = doi_search.search(paper)
    except doi_search.NoDOIToFind as reason:
        status, error = 409, str(reason)
    except http.SourceError as failure:
        # Crossref offline, down, rate limiting or unreadable: the page says so.
        status, error = 503, failure.message
    for candidate in candidates:
        candidate.rows = [
            (FIELD_LABELS.get(name, name), ours, theirs, differs)
            for name, ours, theirs, differs in candidate.differences
        ]
    return TemplateResponse(
        request,
        "admin/publications/find_doi.html",
        _context(
            admin_site,
            request,
            title=_("Find the DOI"),
            paper=paper,
            candidates=candidates,
            error=error,
            refusal=refusal,
            health_url=reverse("admin:publications_publication_data_health"),
            paper_url=reverse("admin:publications_publication_change", args=[paper.pk]),
        ),
        status=status,
    )
