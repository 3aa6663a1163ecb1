"""Public pages of the publications database. Views parse the request and paginate;
the queries are named methods of the models."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from . import exports, filters, freshness, search, seo, suggest
from .bibtex import export
from .charts import year_chart
from .markup import math_plain
from .models import Keyword, Publication
from .models.papers import LIST_COLUMNS
from .translated import active_language, is_fallback, translated

PER_PAGE = 20
SHOW_ALL_LIMIT = 1000


def is_preview(request):
    """Staff see unpublished content (marked as a preview); visitors never do."""
    return request.user.is_authenticated and request.user.is_staff


def paginate_by_year(request, papers, listed, per_page=PER_PAGE, counts_key=None):
    """(a page of `listed`, the per-year counts of `papers`): the same papers, counted once.

    `listed` is `papers` as the page reads them (ordered, with what the items show).
    The per-year counts give the chart, and their sum is the paginator's count, so no
    separate COUNT query runs. With a `counts_key` (a set of papers a page always
    shows: a theme's, a keyword's, all of them) the counts are cached until the
    content changes (`freshness.cached`). A page number out of range or not a number
    gives the nearest page.
    """
    if counts_key:
        year_counts = freshness.cached(f"year-counts:{counts_key}", papers.year_counts)
    else:
        year_counts = papers.year_counts()
    paginator = Paginator(listed, per_page)
    paginator.count = sum(n for _, n in year_counts)  # a cached_property: set, not queried
    return paginator.get_page(request.GET.get("page")), year_counts


EXPORT_FORMATS = [("bibtex", "BibTeX"), ("ris", "RIS"), ("csljson", "CSL-JSON")]


def export_response(request, publications, filename, key=None, count=None):
    """The papers as a download in the `format` of the query string; 400 for an unknown one.

    `publications` is a queryset (read with `for_export()`: constant queries), a list of
    papers already prefetched that way, or a callable giving either. With a `key`
    (`exports.export_key`: what selects the papers) it is a list's export, bounded
    (publications/exports.py): counted against the client's rate limit, refused past
    LABSITE_EXPORT_MAX_PAPERS (`count()` says how many papers it holds, before any is
    read), drawn one at a time site-wide, and for visitors cached under the content
    version.
    """
    fmt = request.GET.get("format", "")
    if fmt not in export.FORMATS:
        return HttpResponseBadRequest(
            _("Unknown export format “%(format)s”: use bibtex, ris or csljson.")
            % {"format": fmt[:20]},
            content_type="text/plain; charset=utf-8",
        )

    def draw():
        papers = publications() if callable(publications) else publications
        if not isinstance(papers, list):
            papers = list(papers.for_export())
        return export.export(papers, fmt)

    def draw_list():
        exports.check_size(count())
        with exports.drawing():
            return draw()

    status = None
    try:
        if key is None:
            text, content_type, extension = draw()
        elif (limited := exports.over_limit(request)) is not None:
            return limited
        elif is_preview(request):  # staff may see unpublished papers: never cached
            text, content_type, extension = draw_list()
        else:
            (text, content_type, extension), status = exports.cached_export(
                f"{key}:{fmt}", draw_list
            )
    except exports.Refused as refused:
        return refused.response
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    if status:
        response[exports.STATUS_HEADER] = status
        # Cached above under its parameters: the page cache, keyed on the URL, must not
        # store it again under every spelling of the URL.
        patch_cache_control(response, private=True)
    return response


def cite_formats(publication):
    """The cite block of a paper's page: each format's text and download link."""
    formats = [
        {
            "id": fmt,
            "label": label,
            "text": export.export([publication], fmt)[0],
            "url": f"?format={fmt}",
        }
        for fmt, label in EXPORT_FORMATS
    ]
    formats.append({"id": "text", "label": _("Plain text"), "text": export.plain_text(publication)})
    return formats


def group_by_year(publications, ranked=False):
    """[(heading, [papers])]: keyword matches of a search first, then by year (newest first).

    ``ranked``: the papers are in order of relevance, not of years: after the keyword
    matches, one group ("ranked").
    """
    groups = []
    for publication in publications:
        if getattr(publication, "keyword_match", False):
            key = "match"
        else:
            # Undated papers come last, in their own group.
            key = "ranked" if ranked else (publication.year or "undated")
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(publication)
    return groups


def mark_matches(papers, query):
    """Give each paper of a search's page its title and abstract snippet with the matched
    words marked (``search_title``, ``search_snippet``: {text, language, fallback} or
    None).

    The list item then draws its title outside the cached fragment of the paper
    (templates/includes/publication_item.html): a marked title is never stored
    into, or read from, the fragment every list shares.
    """
    language = active_language()
    for paper in papers:
        title, title_language = translated(paper, "title", language)
        # A title with math ($…$) is drawn as math, unmarked (marks would split it).
        marked = None if "$" in title else search.highlight(title, query)
        paper.search_title = _shown(marked, title_language)
        abstract, abstract_language = translated(paper, "abstract", language)
        paper.search_snippet = _shown(search.snippet(abstract, query), abstract_language)


def _shown(marked, language):
    if not marked:
        return None
    return {"text": marked, "language": language, "fallback": is_fallback(language)}


class PublicationListView(ListView):
    template_name = "publications/publication_list.html"
    context_object_name = "publications"

    def get(self, request, *args, **kwargs):
        self.state = filters.parse_filters(request.GET)
        if "format" in request.GET:
            # What selects the papers, as parsed: the sort orders only a search's.
            params = {k: v for k, v in self.state.values.items() if k != "sort" or self.state.q}
            return export_response(
                request,
                lambda: self.papers(Publication.objects),
                "publications",
                key=exports.export_key("list", "", params),
                count=lambda: self.papers(Publication.objects).count(),
            )
        return super().get(request, *args, **kwargs)

    def papers(self, publications):
        """The published papers the filters and the search select, in the list's order."""
        queryset = filters.apply_filters(publications.published(), self.state)
        if not self.state.q:
            queryset = queryset.newest_first()
        return queryset

    def get_queryset(self):
        # Read for the list from the start, so a search reads its page's papers the same
        # way (publications/search/results.py).
        return self.papers(Publication.objects.for_list())

    def get_show_all(self):
        return self.request.GET.get("all") == "1"

    def paginate_queryset(self, queryset, page_size):
        if self.state.q:
            # A search counts up to search.COUNT_CAP matches and finds its page on the
            # search entries (publications/search/results.py); past the cap, no chart.
            # The papers as the list reads them, filtered: a page's papers come from them.
            # With the abstracts, whose matched words a result shows in a snippet.
            listed = Publication.objects.for_list().published()
            listed = listed.only(*LIST_COLUMNS, "abstract_ja", "abstract_en")
            papers = filters.apply_filters(listed, self.state, search=False)
            results = search.PublicationSearch(
                papers,
                self.state.search_query,
                every_published_paper=not self.state.narrowed,
                order=self.state.sort,
            )
            paginator = search.SearchPaginator(results, page_size)
            self.year_counts = paginator.year_counts()
            page = paginator.get_page(self.request.GET.get("page"))
            self.missing_all = results.missing_all
            mark_matches(page.object_list, self.state.search_query)
        else:
            # The whole list, unfiltered, is the same set of papers for every visitor.
            page, self.year_counts = paginate_by_year(
                self.request,
                queryset,
                queryset,
                page_size,
                counts_key=None if self.state.active else "published",
            )
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_paginate_by(self, queryset):
        return SHOW_ALL_LIMIT if self.get_show_all() else PER_PAGE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        capped = getattr(context["paginator"], "count_capped", False)  # a very broad search
        form = filters.filter_form(self.state)
        context.update(
            state=self.state,
            author_member=self.author_member(),
            # A search that found nothing: the lab's term it was probably meant to be.
            did_you_mean=suggest.did_you_mean(self.state.q)
            if self.state.q and not context["paginator"].count
            else "",
            form=form,
            filters_key=filters.filters_key(form),
            result_count=context["paginator"].count,
            result_capped=capped,
            groups=group_by_year(
                context["page_obj"].object_list,
                ranked=bool(self.state.q) and self.state.sort == "relevance",
            ),
            missing_all=getattr(self, "missing_all", []),
            chart=year_chart(self.year_counts),
            show_all=self.get_show_all(),
            nav="publications",
            meta=seo.PageMeta(
                title=_("“%(q)s” — Publications") % {"q": self.state.q}
                if self.state.q
                else _("Publications"),
                description=(
                    _(
                        "More than %(count)d publications of the laboratory: search in Japanese"
                        " or English, filter by keyword, theme, year, type and author."
                    )
                    if capped
                    else _(
                        "%(count)d publications of the laboratory: search in Japanese or"
                        " English, filter by keyword, theme, year, type and author."
                    )
                )
                % {"count": context["paginator"].count},
                noindex=self.state.active or bool(self.state.ignored),
            ),
        )
        return context

    def author_member(self):
        """The published member page of the author the list is filtered by: a paper's
        author names link to this list, and a student who clicked a lab member's name
        wants the member too (the research app's Member, by its reverse accessor)."""
        author = self.state.author
        member = getattr(author, "member", None) if author is not None else None
        return member if member is not None and member.is_published else None


class PublicationDetailView(DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"

    def get_queryset(self):
        queryset = Publication.objects.for_export()
        return queryset if is_preview(self.request) else queryset.published()

    def get(self, request, *args, **kwargs):
        if "format" in request.GET:
            publication = self.get_object()
            return export_response(request, [publication], publication.slug)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publication = self.object
        context["themes"] = filters.theme_provider.themes_for_publication(publication)
        context["preview"] = not publication.is_published
        context["nav"] = "publications"
        context["meta"] = seo.PageMeta(
            title=math_plain(publication.title),
            description=math_plain(publication.abstract) or publication.citation_text(),
            type="article",
        )
        context["scholar_tags"] = seo.scholar_tags(publication, self.request)
        context["json_ld"] = seo.json_ld(seo.scholarly_article(publication, self.request))
        context["coins"] = seo.coins(publication)
        context["cite"] = cite_formats(publication)
        return context


class KeywordListView(ListView):
    template_name = "publications/keyword_list.html"
    context_object_name = "keywords"
    extra_context = {"nav": "keywords"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meta"] = seo.PageMeta(
            title=_("Keywords"),
            description=_("Every keyword of the laboratory's research, with its number of papers."),
        )
        return context

    def get_queryset(self):
        """Keywords that tag a published paper, most papers first, then by name: two
        queries. Vocabulary terms that tag no paper only widen search: not listed.

        The published papers per keyword are counted on the links joined to the
        published papers' index: annotating the keywords with a filtered Count
        would join every paper row.
        """
        counts = dict(
            Publication.keywords.through.objects.filter(publication__is_published=True)
            .values("keyword_id")
            .annotate(n=Count("pk"))
            .values_list("keyword_id", "n")
        )
        keywords = [
            keyword
            for keyword in Keyword.objects.by_name(get_language()[:2])
            if counts.get(keyword.pk)
        ]
        for keyword in keywords:
            keyword.paper_count = counts[keyword.pk]
        # A stable sort: keywords with as many papers stay in name order.
        return sorted(keywords, key=lambda keyword: -keyword.paper_count)


class KeywordDetailView(DetailView):
    # A keyword that tags no published paper (a vocabulary term that only widens
    # search) has no page: 404, like anything else visitors cannot see.
    queryset = Keyword.objects.with_published_papers()
    template_name = "publications/keyword_detail.html"
    context_object_name = "keyword"

    def get(self, request, *args, **kwargs):
        if "format" in request.GET:
            keyword = self.get_object()
            papers = Publication.objects.published().filter(keywords=keyword).newest_first()
            key = exports.export_key("keyword", keyword.pk)
            return export_response(request, papers, keyword.slug, key=key, count=papers.count)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publications = Publication.objects.published().filter(keywords=self.object)
        page, year_counts = paginate_by_year(
            self.request,
            publications,
            publications.for_list().newest_first(),
            counts_key=f"keyword:{self.object.pk}",
        )
        context.update(
            page_obj=page,
            groups=group_by_year(page.object_list),
            themes=filters.theme_provider.themes_for_keyword(self.object),
            chart=year_chart(year_counts),
            result_count=page.paginator.count,
            nav="keywords",
            meta=seo.PageMeta(
                title=str(self.object),
                description=_("%(count)d papers of the laboratory on %(keyword)s.")
                % {"count": page.paginator.count, "keyword": self.object},
            ),
        )
        return context


def suggest_terms(request):
    """JSON: vocabulary terms for the header's search box as the visitor types (`?q=`).

    Bounded and never an error: any text gives a list, perhaps empty
    (publications/suggest.py). Browsers may keep an answer a few minutes; the page
    cache stores none ("private"): every prefix typed would be an entry.
    """
    suggestions = suggest.suggest(request.GET.get("q", ""), get_language()[:2])
    response = JsonResponse({"suggestions": suggestions})
    patch_cache_control(response, private=True, max_age=300)
    return response
