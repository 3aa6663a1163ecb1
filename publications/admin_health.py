"""Admin screens of the data-health page and of finding a paper's DOI on Crossref.

The data-health page (publications/data_health.py) lists what is missing or
suspicious; each paper without a DOI links to *Find the DOI*, which asks Crossref's
bibliographic search (publications/sources/doi_search.py) and shows the candidates,
best first, with their score and what differs from the paper. *Use this DOI* records
the choice as an applied import batch of its own, which *Undo this import* on the
batch's page takes back like any import.

*Look for the DOIs of the N papers without one* does the same for the whole list in
the background (`tasks.search_dois`: one Crossref search per paper, about a second
each, so never in a request): its page shows the progress (reloading itself, no
script needed), then each paper with its candidates, a *Use this DOI* per candidate,
and *Accept every candidate scoring at least X*: the certain ones (the rule of
`find_dois --accept-above`, `doi_search.verdict`) recorded as one undoable batch.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.functions import Lower
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import data_health, tasks
from .bibtex.plan import PlanError
from .models import DoiSearch, DoiSearchResult, Publication
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
                search_max=settings.LABSITE_DOI_SEARCH_MAX,
                last_search=DoiSearch.objects.only("pk", "status", "created_at").first(),
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


# --- The whole list, in the background ----------------------------------------------

# Papers per page of a search's results (each with up to doi_search.ROWS candidates).
RESULTS_PER_PAGE = 25
# What the results page reads of a result and its paper.
RESULT_COLUMNS = (
    "pk", "number", "candidates", "error", "paper__id", "paper__title_ja", "paper__title_en",
    "paper__year", "paper__venue", "paper__doi",
)  # fmt: skip
# Seconds between the progress page's reloads.
SEARCH_REFRESH = 2
# A running search reports after each paper (about a second); one silent this long lost
# its worker. Longer than the HTTP client's longest wait for one answer.
STALLED_AFTER = 600
# A search is kept this long for its page; older ones go when a new one starts.
SEARCH_LIFETIME = timedelta(days=1)
# The threshold "accept every candidate scoring at least" proposes.
DEFAULT_THRESHOLD = 90


def doi_search_start_view(admin_site):
    """POST from the data-health page: queue a search (or show the one running)."""

    def view(request):
        _check(request, "publications.change_publication")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        _forget_lost_searches()
        running = DoiSearch.objects.filter(
            status__in=[DoiSearch.Status.QUEUED, DoiSearch.Status.RUNNING]
        ).first()
        if running is not None:
            messages.info(request, _("A search is already running; here it is."))
            return redirect("admin:publications_publication_doi_search", running.pk)
        with transaction.atomic():
            DoiSearch.objects.filter(created_at__lt=timezone.now() - SEARCH_LIFETIME).delete()
            search = DoiSearch.objects.create(
                created_by=request.user,
                language=request.LANGUAGE_CODE,
                progress_at=timezone.now(),
            )
            tasks.search_dois.enqueue(search.pk)
        return redirect("admin:publications_publication_doi_search", search.pk)

    return view


def _forget_lost_searches():
    """A running search that has reported nothing for STALLED_AFTER seconds lost its
    worker (restarted, killed): it is marked stopped, so that a new one can start.
    Returns how many were."""
    since = timezone.now() - timedelta(seconds=STALLED_AFTER)
    return DoiSearch.objects.filter(status=DoiSearch.Status.RUNNING, progress_at__lt=since).update(
        status=DoiSearch.Status.FAILED,
        error=_("The worker stopped during the search; start it again."),
    )


def doi_search_view(admin_site):
    """A search's page: its progress while the worker searches, then its results.

    POST `paper` and `doi`: record that paper's DOI; POST `threshold`: record every
    certain candidate scoring at least that. Each is one undoable batch.
    """

    def view(request, search_id):
        _check(request, "publications.change_publication")
        search = get_object_or_404(DoiSearch, pk=search_id)
        if search.running and _forget_lost_searches():
            search.refresh_from_db()
        if search.running:
            return _search_progress(admin_site, request, search)
        status = 200
        if request.method == "POST":
            _check(request, "publications.add_importbatch")
            if "threshold" in request.POST:
                response, status = _accept_above(request, search)
            else:
                response, status = _accept_one(request, search)
            if response is not None:
                return response
        return _search_results(admin_site, request, search, status)

    return view


def _search_progress(admin_site, request, search):
    waiting = (timezone.now() - (search.progress_at or search.created_at)).total_seconds()
    return TemplateResponse(
        request,
        "admin/publications/doi_search_progress.html",
        _context(
            admin_site,
            request,
            title=_("Look for the missing DOIs"),
            search=search,
            refresh=SEARCH_REFRESH,
            percent=(
                round(100 * search.progress_done / search.progress_total)
                if search.progress_total
                else None
            ),
            stalled=search.status == DoiSearch.Status.QUEUED and waiting > 60,
            health_url=reverse("admin:publications_publication_data_health"),
        ),
    )


def _search_results(admin_site, request, search, status=200):
    results = DoiSearchResult.objects.filter(search=search).order_by("number")
    page = Paginator(
        results.select_related("paper").only(*RESULT_COLUMNS),
        RESULTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    shown = list(page)
    taken = _taken({c["doi"] for result in shown for c in result.candidates})
    for result in shown:
        result.shown = []
        for data in result.candidates:
            candidate = doi_search.Candidate.from_json(data)
            candidate.taken_by = taken.get(candidate.doi.lower())
            candidate.rows = [
                (FIELD_LABELS.get(name, name), ours, theirs, differs)
                for name, ours, theirs, differs in candidate.differences
            ]
            candidate.differing = ", ".join(str(row[0]) for row in candidate.rows if row[3])
            result.shown.append(candidate)
    return TemplateResponse(
        request,
        "admin/publications/doi_search.html",
        _context(
            admin_site,
            request,
            title=_("Look for the missing DOIs"),
            search=search,
            page=page,
            results=shown,
            threshold=request.POST.get("threshold", DEFAULT_THRESHOLD),
            health_url=reverse("admin:publications_publication_data_health"),
        ),
        status=status,
    )


def _taken(dois):
    """{lower-cased DOI: the paper that has it} among these DOIs (one query)."""
    if not dois:
        return {}
    return {
        paper.doi_lower: paper
        for paper in Publication.objects.annotate(doi_lower=Lower("doi"))
        .filter(doi_lower__in=[doi.lower() for doi in dois])
        .only("pk", "title_ja", "title_en", "doi")
    }


def _record(request, chosen, describe):
    """Record these DOIs ({paper pk: DOI}) as one undoable batch and say so, with the link
    to undo it (`describe(batch)` is the message); None, the refusal said, when they
    cannot be (a DOI taken or a paper given one meanwhile, a forged value)."""
    try:
        batch = doi_search.accept(chosen, user=request.user)
    except (doi_search.AcceptError, PlanError) as refusal:
        messages.error(request, str(refusal))
        return None
    url = reverse("admin:publications_importbatch_change", args=[batch.pk])
    messages.success(
        request,
        format_html('{} <a href="{}">{}</a>', describe(batch), url, _("Undo it on its page.")),
    )
    return batch


def _accept_one(request, search):
    """(redirect, 302) once the paper has its DOI, or (None, status) with the reason."""
    paper_id = request.POST.get("paper", "")
    doi = (request.POST.get("doi") or "").strip()[:200]
    result = (
        DoiSearchResult.objects.filter(search=search, paper_id=paper_id).select_related("paper")
        if paper_id.isdigit() and len(paper_id) <= 18
        else DoiSearchResult.objects.none()
    ).first()
    if result is None:
        messages.error(request, _("This search has no such paper."))
        return None, 400
    recorded = _record(
        request,
        {result.paper_id: doi},
        lambda batch: (
            _("The DOI %(doi)s is recorded for “%(paper)s”.")
            % {
                "doi": batch.items.get().after["fields"]["doi"],
                "paper": doi_search.paper_title(result.paper),
            }
        ),
    )
    if recorded is None:
        return None, 409
    page = request.GET.get("page", "")
    url = reverse("admin:publications_publication_doi_search", args=[search.pk])
    return redirect(f"{url}?page={page}" if page.isdigit() else url), 302


def _accept_above(request, search):
    """Record the best candidate of every paper where it is certain (doi_search.verdict)
    at the posted threshold, as one batch."""
    value = request.POST.get("threshold", "").strip()
    if not (value.isdigit() and 0 <= int(value) <= 100):
        messages.error(request, _("The score is a whole number from 0 to 100."))
        return None, 400
    threshold = int(value)
    results = list(
        DoiSearchResult.objects.filter(search=search, paper__doi="")
        .order_by("number")
        .values_list("paper_id", "candidates")
    )
    taken = _taken({c[0]["doi"] for _pk, c in results if c})
    chosen, left = {}, 0
    for paper_id, candidates in results:
        ranked = [doi_search.Candidate.from_json(c) for c in candidates]
        for candidate in ranked:
            candidate.taken_by = taken.get(candidate.doi.lower())
        found, best = doi_search.verdict(
            ranked, threshold, {doi.lower() for doi in chosen.values()}
        )
        if found == doi_search.ACCEPTED:
            chosen[paper_id] = best.doi
        elif found != doi_search.NONE:
            left += 1
    if not chosen:
        messages.warning(
            request,
            _("No candidate scores at least %(score)d without a rival: nothing was recorded.")
            % {"score": threshold},
        )
        return None, 200
    recorded = _record(
        request,
        chosen,
        lambda batch: (
            _(
                "%(count)d DOIs scoring at least %(score)d are recorded as one import; "
                "%(left)d papers have candidates to check by hand."
            )
            % {"count": len(chosen), "score": threshold, "left": left}
        ),
    )
    if recorded is None:
        return None, 409
    return redirect("admin:publications_publication_doi_search", search.pk), 302
