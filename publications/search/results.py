"""One search of the publications list, counted and paged on the search entries.

``search()`` (publications/search/queryset.py) gives the same papers as a
queryset, but counting and ordering thousands of matches through the publications
table is slow, and a list never shows more than a page. The view therefore builds
the search explicitly::

    listed = Publication.objects.for_list().published()  # only() + the authors' Prefetch
    papers = filters.apply_filters(listed, state, search=False)
    results = PublicationSearch(papers, q, every_published_paper=not state.narrowed)
    paginator = SearchPaginator(results, 20)

``PublicationSearch`` is a sliceable object with a ``count()`` method, which is what
Django's ``Paginator`` pages:

* ``count()`` stops at ``cap`` (COUNT_CAP): when more papers match, it says ``cap``
  and ``count_capped`` is True — "more than 1,000 results" — so the pages stop at
  the cap's last page. The query that counts reads the matches' ids and years:
  under the cap the years are ``year_counts()``, the per-year chart (None past the
  cap). On PostgreSQL a widened search is counted in disjoint parts, one per way
  of matching, in one ``UNION ALL … LIMIT`` statement (``matching_parts``), and
  under the cap its page ranks the ids the count found.
* ``results[bottom:top]`` finds those results' ids on the entries alone — ranked by
  relevance (``queryset.relevance``) when at most ``cap`` papers match; past the cap
  keyword matches first, then the rest, each newest first; or newest first when
  asked (``order="newest"``) — and reads only those papers,
  as ``papers.filter(pk__in=…)``: with the columns, ``select_related`` and
  prefetches that ``papers`` carries, exactly as the list reads its papers. A broad
  search (more than ``cap`` matches) walks the newest-first index and stops at the
  page's end; a narrow one sorts its few matches. Which is which is decided from the
  capped count, not by the planner (docs/search.md).

When no paper has all the terms of a query of several, the papers having some
of them are the results, those with more first (``partial`` is then True: the
page says so).

A blank query (punctuation only) is no search: the papers are paged as they are.
"""

from collections import Counter
from functools import cached_property

from django.apps import apps as global_apps
from django.db import connections
from django.db.models import BooleanField, Exists, F, OuterRef, Value
from django.db.models.functions import Coalesce

from ..charts import by_year
from .query import SearchQuery
from .queryset import matching_entries, matching_parts, relevance

# A search's count stops here: beyond it the list says "more than COUNT_CAP results".
COUNT_CAP = 1000
# The entries in the order the list shows them, as the newest-first index holds them.
# Undated papers (year NULL) last, as the index (migration 0014) holds them.
NEWEST_FIRST = (
    F("year").desc(nulls_last=True),
    F("month").desc(nulls_last=True),
    "-publication_id",
)
# The same order as one expression no index has: the planner sorts the matches.
NEWEST_FIRST_SORTED = (
    (F("year") * 13 + Coalesce("month", 0)).desc(nulls_last=True),
    "-publication_id",
)


class PublicationSearch:
    """The papers of ``papers`` that match ``q``, as the publications list counts and pages them.

    ``papers``: the publications searched, as a page reads them (the list's columns,
    related rows, prefetches). ``q``: the text typed, or a ``SearchQuery``.
    ``every_published_paper``: the caller's word that ``papers`` is
    ``Publication.objects.published()`` with no filter (the list's common case): the
    entries are then kept to published papers on their own column, with no check
    against the publications table. Otherwise (the default) the entries are kept to
    ``papers``, whatever it is. ``cap``: where the count stops (COUNT_CAP).
    """

    ORDERS = ("relevance", "newest")

    def __init__(self, papers, q, *, every_published_paper=False, cap=None, order="relevance"):
        self.papers = papers
        self.query = SearchQuery.parse(q, papers.db)
        self.every_published_paper = every_published_paper
        self.cap = COUNT_CAP if cap is None else cap
        self.order = order if order in self.ORDERS else "relevance"
        # Whether the results are the papers with some of the terms (no paper has all).
        self.partial = False

    @property
    def is_blank(self):
        return self.query.is_blank

    def entries(self, indexed=True, partial=None, query=None):
        """The search entries of the matching papers (see ``matching_entries``)."""
        partial = self.partial if partial is None else partial
        return self._kept(matching_entries(query or self.query, self.papers.db, indexed, partial))

    def _kept(self, entries):
        """``entries`` kept to those of ``papers``."""
        if self.every_published_paper:
            return entries.filter(is_published=True)
        return entries.filter(publication_id__in=self.papers.order_by().values("pk"))

    def _in_parts(self, partial=None):
        """Whether the count reads the search in parts (``matching_parts``): on
        PostgreSQL, when a term has several ways of matching or for papers with some
        of the terms (``partial``)."""
        partial = self.partial if partial is None else partial
        postgresql = connections[self.papers.db].vendor == "postgresql"
        return postgresql and (self.query.widened or partial)

    @cached_property
    def _matches(self):
        """[(id, year)] of up to cap + 1 matches: their number is the capped count (one query).

        When none has every term of a query of several, those of the papers with
        some of them (a second query), and ``partial`` becomes True.
        """
        if self.query.widened and not self._in_parts(partial=False):
            # Synonyms and word forms only add papers: when the terms as typed already
            # match more than the cap, so does the search, and the count stops there.
            # Their scan is cheap; the synonyms' (LIKE on every entry) cost more.
            typed = self.query.as_typed(self.papers.db)
            matches = self._first(self.entries(query=typed))
            if len(matches) > self.cap:
                return matches
        matches = self._count(partial=False)
        if not matches and len(self.query.groups) > 1:
            matches = self._count(partial=True)
            self.partial = bool(matches)
        return matches

    def _count(self, partial):
        """[(id, year)] of up to cap + 1 matches (``partial``: of some of the terms).

        On PostgreSQL a widened search, and one for some of the terms, is read as
        disjoint parts, one per way of matching (``matching_parts``), in one query:
        ``(part 1 LIMIT cap + 1) UNION ALL (part 2 …) LIMIT cap + 1`` stops as soon
        as the parts read so far hold more than the cap. One OR of every way cost
        many times more (docs/search.md, "Counting a widened search").
        """
        parts = self._in_parts(partial) and matching_parts(self.query, self.papers.db, partial)
        if not parts:
            return self._first(self.entries(partial=partial))
        parts = [
            self._kept(part).values_list("publication_id", "year")[: self.cap + 1] for part in parts
        ]
        if len(parts) == 1:
            return list(parts[0])
        return list(parts[0].union(*parts[1:], all=True)[: self.cap + 1])

    def _first(self, entries):
        return list(entries.values_list("publication_id", "year")[: self.cap + 1])

    @property
    def _years(self):
        return [year for _, year in self._matches]

    @property
    def missing_all(self):
        """The terms (as typed) no paper has all of, when the results have only some."""
        self.count()
        return [group.label for group in self.query.groups] if self.partial else []

    def count(self):
        """How many papers match, up to ``cap`` (every paper of a blank search)."""
        if self.is_blank:
            return self.papers.count()
        return min(len(self._years), self.cap)

    @property
    def count_capped(self):
        """True when more than ``cap`` papers match: ``count()`` then says ``cap``."""
        return not self.is_blank and len(self._years) > self.cap

    def year_counts(self):
        """[(year, papers)] of all the results, for the per-year chart; None past the cap.

        Under the cap the years come with the count (one query); past it there is no
        exact chart to draw cheaply (docs/search.md).
        """
        if self.is_blank:
            return self.papers.year_counts()
        if self.count_capped:
            return None
        return by_year(Counter(self._years).items())

    def __getitem__(self, index):
        """The papers of results ``index`` (a slice), in order; a keyword match says so."""
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a PublicationSearch is read a slice at a time: results[0:20]")
        if self.is_blank:
            return list(self.papers[index])
        bottom, top = index.start or 0, index.stop
        if top is None or top > self.count():
            top = self.count()
        tagged, others = self._page_ids(bottom, top)
        papers = {paper.pk: paper for paper in self.papers.filter(pk__in=tagged + others)}
        keyword_matches = set(tagged)
        for pk, paper in papers.items():
            paper.keyword_match = pk in keyword_matches
        return [papers[pk] for pk in tagged + others if pk in papers]

    def _tagged(self):
        """The links of the papers to the keywords the whole query names."""
        model = self.papers.model
        links = model.keywords.through._base_manager.using(self.papers.db)
        return links.filter(keyword_id__in=self.query.named)

    def _page_ids(self, bottom, top):
        """([keyword matches], [the others]): the ids of results bottom..top, in order."""
        broad = self.count_capped
        if self.order == "newest":
            return [], self._slice(self.entries, bottom, top, walk=broad)
        if not broad:
            return self._ranked(bottom, top)
        links = self._tagged()
        # How many papers have the keyword (one with two such keywords counts twice):
        # only compared with the cap, to choose between walking and sorting.
        tagged_total = links[: self.cap + 1].count() if self.query.named else 0
        if not tagged_total:  # no keyword is named like the query, or it has no papers
            return [], self._slice(self.entries, bottom, top, walk=broad)
        links = links.values("publication_id")

        def first(indexed=True):
            return self.entries(indexed).filter(publication_id__in=links)

        def rest(indexed=True):
            return self.entries(indexed).exclude(publication_id__in=links)

        tagged = self._slice(first, bottom, top, walk=broad and tagged_total > self.cap)
        if len(tagged) == top - bottom:
            return tagged, []
        # The keyword matches end on this page: the others follow them.
        first_total = bottom + len(tagged) if tagged else first()[:bottom].count()
        half = self.cap // 2
        walk = broad and (tagged_total <= half or rest()[: half + 1].count() > half)
        others = self._slice(rest, bottom + len(tagged) - first_total, top - first_total, walk)
        return tagged, others

    def _ranked(self, bottom, top):
        """Results bottom..top of at most ``cap`` matches, ranked by relevance (one query)."""
        if top <= bottom:
            return [], []
        if self.query.named:
            tagged = Exists(self._tagged().filter(publication_id=OuterRef("publication_id")))
        else:
            tagged = Value(False, output_field=BooleanField())
        annotations, order = relevance(self.query, "text", self.partial)
        if self._in_parts():
            # The count found every match (at most cap): rank those, by id, rather than
            # search again with the ways ORed (the slow scan the parts avoided). Not on
            # SQLite, whose older versions take at most 999 parameters.
            Entry = global_apps.get_model("publications", "SearchEntry")
            entries = Entry._base_manager.using(self.papers.db).filter(
                publication_id__in=[pk for pk, _ in self._matches]
            )
        else:
            entries = self.entries()
        rows = (
            entries.annotate(tagged=tagged, **annotations)
            .order_by("-tagged", *order, *NEWEST_FIRST_SORTED)
            .values_list("publication_id", "tagged")[bottom:top]
        )
        ids = list(rows)
        return [pk for pk, t in ids if t], [pk for pk, t in ids if not t]

    @staticmethod
    def _slice(entries, bottom, top, walk):
        """Entries bottom..top, newest first: walking the newest-first index, or sorting."""
        if top <= bottom:
            return []
        rows = entries(indexed=not walk).order_by(*(NEWEST_FIRST if walk else NEWEST_FIRST_SORTED))
        return list(rows.values_list("publication_id", flat=True)[bottom:top])
