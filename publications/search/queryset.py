"""The search as querysets: ``search(queryset, q)`` and the entries and keywords it reads.

``Publication.objects.search(q)`` is ``search()``: the papers of the queryset whose
search entry matches, each annotated ``keyword_match``, ranked. It returns a plain
queryset that composes with everything (filters, exports, ``count()``, Django's
``Paginator``). The publications list pages a search faster with
``PublicationSearch`` and ``SearchPaginator`` (publications/search/results.py,
paginator.py), which read the same entries.

**Ranking** (``relevance()``, docs/search.md): papers having a keyword the whole
query names (by any of its spellings) come first (``keyword_match=True``); then
papers matching more of the query's terms (when no paper has them all); then those
matching more terms in their head (titles, keyword names) rather than only in the
venue, authors or abstract; then those matching more terms as typed rather than by
a synonym or another word form; then newest first (year, month with no month last,
pk, all descending). Each is computed by the database from the stored text, the
same way on SQLite and PostgreSQL.
"""

import functools
import operator

from django.apps import apps as global_apps
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import StrIndex, Substr
from django.db.models.lookups import Contains, GreaterThan

from .document import HEAD_MARK
from .query import MAX_ALTERNATIVES, SearchQuery
from .text import PAIR_MARK

# At most this many parts in a search counted in parts (matching_parts): one group's
# ways of matching are at most MAX_ALTERNATIVES; a count for some of the terms with
# more ways in all is one query.
MAX_PARTS = MAX_ALTERNATIVES
# Newest first, after the relevance; undated papers last.
NEWEST = (F("year").desc(nulls_last=True), F("month").desc(nulls_last=True), "-pk")


class MatchesLexemes(Func):
    """PostgreSQL: ``<vector> @@ <query>::tsquery``, which the GIN index serves.

    With ``indexed=False`` the same test is written as the function behind ``@@``:
    no index can serve it, so a query ordered like ``search_entry_newest`` walks
    that index newest first and stops at its LIMIT (``PublicationSearch``).
    """

    output_field = BooleanField()

    def __init__(self, vector, query, indexed=True):
        super().__init__(vector, query)
        self.indexed = indexed

    def as_sql(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.source_expressions[0])
        query, query_params = compiler.compile(self.source_expressions[1])
        if self.indexed:
            sql = f"{column} @@ ({query})::tsquery"
        else:
            sql = f"ts_match_vq({column}, ({query})::tsquery)"
        return sql, (*column_params, *query_params)


def keywords_matching(keyword_queryset, q):
    """Keywords the whole query names: by their Japanese or English name or another
    spelling, as search compares them (folded, by words; ``grain boundaries`` names
    "Grain boundary")."""
    query = SearchQuery.parse(q, keyword_queryset.db)
    if not query.named:
        return keyword_queryset.none()
    return keyword_queryset.filter(pk__in=query.named)


def _any(lookups):
    return functools.reduce(operator.or_, (Q(lookup) for lookup in lookups))


def _counted(conditions):
    """How many of ``conditions`` hold, as an integer expression."""
    cases = [
        Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
        for condition in conditions
    ]
    return functools.reduce(operator.add, cases)


def relevance(query, text="text", partial=False):
    """{annotation: expression}, [order]: the ranking of a search on the ``text`` column.

    ``partial``: some results may lack some terms (no paper has them all), so the
    number of terms matched ranks first.
    """
    groups = query.groups
    head = Substr(F(text), 1, StrIndex(F(text), Value(HEAD_MARK)))
    annotations = {
        "rank_head": _counted(
            _any(Contains(head, term.pattern) for term in group.needed) for group in groups
        ),
        "rank_typed": _counted(Q(Contains(F(text), group.typed.pattern)) for group in groups),
    }
    order = ["-rank_head", "-rank_typed"]
    if partial:
        annotations["rank_terms"] = _counted(
            _any(Contains(F(text), term.pattern) for term in group.alternatives) for group in groups
        )
        order.insert(0, "-rank_terms")
    return annotations, order


def _entries(using):
    Entry = global_apps.get_model("publications", "SearchEntry")
    return Entry._base_manager.using(using)


def matching_entries(query, using="default", indexed=True, partial=False):
    """The SearchEntry rows matching a parsed query (all of them, published or not).

    On PostgreSQL the lexemes decide (``vector @@ tsquery``, word prefixes expanded
    to words: one query the first time), and the text re-checks the terms they
    cannot decide alone (``_recheck``); elsewhere ``text LIKE`` decides. ``partial``:
    entries matching any of the terms rather than all.
    """
    entries = _entries(using)
    groups = query.groups
    postgresql = connections[using].vendor == "postgresql"
    if partial:
        if not postgresql:
            return entries.filter(_any_q(group.like() for group in groups))
        conditions = []
        for group, tsquery in zip(groups, query.any_tsqueries(using), strict=True):
            condition = Q(MatchesLexemes(F("vector"), Value(tsquery), indexed=indexed))
            if not all(term.exact_alone for term in group.needed):
                condition &= _recheck(query, group, using, partial=True)
            conditions.append(condition)
        return entries.filter(_any_q(conditions))
    if not postgresql:
        return entries.filter(*[group.like() for group in groups])
    conditions = []
    if lexemes := query.words_tsquery(using):
        conditions.append(MatchesLexemes(F("vector"), Value(lexemes), indexed=indexed))
    if pairs := query.tsquery(pairs=True):
        conditions.append(_having_pairs(pairs, using, indexed))
    conditions += [_recheck(query, group, using) for group in groups if not group.exact]
    return entries.filter(*conditions)


def matching_parts(query, using="default", partial=False):
    """PostgreSQL: ``matching_entries(query, using, partial=partial)`` cut into disjoint
    querysets, one per way of matching one group, for counting with ``UNION ALL …
    LIMIT`` (``PublicationSearch``): the union is the same entries, each once.

    A widened term ORs many ways of matching, and GIN answers an OR by testing the
    whole tsquery on every paper any of its rarest lexemes holds: ``EELS``'s 14 ways
    (``electron & energy & loss & spectroscopy``, ``elnes``, Japanese spellings, …)
    listed tens of thousands of candidates before the count's LIMIT could stop
    anything. Each part is one way — an AND, which GIN answers from its rarest
    lexeme — minus the ways before it (tested row by row), so the count reads the
    parts in turn and stops at its LIMIT, usually within the first ones
    (docs/search.md, "Counting a widened search").

    The ways are those of the group with the most of them; the other groups stay in
    each part's tsquery (one index scan) and re-checks. A query of several terms
    first reads its terms as typed (``SearchQuery.as_typed``: an AND of a few
    lexemes, cheap), which often holds more than the cap alone (``elnes spectra``);
    the parts after it leave out what it found. For papers with some of the terms
    (``partial``), the ways of every group; None when there are more than
    MAX_PARTS of them (each part repeats the ways before it: the statement grows
    with their square), and the search is then counted in one piece.
    """
    entries = _entries(using)
    query.prefix_words(using, partial)  # read once, shared by what follows
    parts, found = [], []
    if partial:
        ways, rest = [term for group in query.groups for term in group.needed], None
        if len(ways) > MAX_PARTS:
            return None
    else:
        driver = max(query.groups, key=lambda group: len(group.needed))
        ways, rest = driver.needed, query.without(driver)
        if not rest.groups:
            rest = None
        else:
            parts.append(matching_entries(query.as_typed(using), using))
            typed = [_way(query, group.typed, using) for group in query.groups]
            found.append(~functools.reduce(operator.and_, typed))
    for i, term in enumerate(ways):
        lexemes = query.term_tsquery(term, using, partial)
        conditions = []
        if rest is not None:
            others = " & ".join(group.tsquery(pairs=False) for group in rest.groups)
            lexemes = f"{lexemes} & {query.expanded(others, using)}"
        conditions.append(MatchesLexemes(F("vector"), Value(lexemes)))
        # A phrase of words is found by its pairs (each two adjacent words: SearchPairs),
        # which are rarer than its words, and a phrase of two is decided by them.
        pairs = [lexeme for lexeme in term.lexemes() if lexeme.startswith(f"'{PAIR_MARK}")]
        if pairs:
            conditions.append(_having_pairs(" & ".join(pairs), using, indexed=True))
        if not (term.exact if pairs else term.exact_alone):
            conditions.append(_holds(term.pattern))
        conditions += found + [~_way(query, earlier, using, partial) for earlier in ways[:i]]
        if rest is not None:
            if rest_pairs := rest.tsquery(pairs=True):
                conditions.append(_having_pairs(rest_pairs, using, indexed=True))
            rechecked = [group for group in rest.groups if not group.exact]
            conditions += [_recheck(query, group, using) for group in rechecked]
        parts.append(entries.filter(*conditions))
    return parts


def _holds(pattern):
    """PostgreSQL: the entry's text contains ``pattern``, as ``text LIKE '%pattern%'``.

    ``strpos`` rather than ``LIKE``: the planner estimates a LIKE by running it over
    the column's statistics sample of long texts, once per pattern, which for a
    widened term's many patterns cost more than running the query (docs/search.md,
    "Counting a widened search"); and strpos runs faster per row.
    """
    return GreaterThan(StrIndex(F("text"), Value(pattern)), 0)


def _way(query, term, using, partial=False):
    """PostgreSQL: the entry matches ``term`` (one way of matching), tested row by row:
    its lexemes first (cheap; they rule most ways out), then its text unless they decide."""
    lexemes = query.term_tsquery(term, using, partial)
    condition = Q(MatchesLexemes(F("vector"), Value(lexemes), indexed=False))
    if not term.exact_alone:
        condition &= Q(_holds(term.pattern))
    return condition


def _recheck(query, group, using, partial=False):
    """PostgreSQL: a group's test in the text, for a group its lexemes do not decide.

    Each way of matching is tested on its own lexemes before its text: of a widened
    term's twenty ways, a paper's text is then searched for the one or two its
    lexemes allow, not for every pattern in turn (``text LIKE a OR text LIKE b …``).
    """
    if group.single:
        return Q(_holds(group.typed.pattern))
    return _any_q(_way(query, term, using, partial) for term in group.needed)


def _any_q(conditions):
    return functools.reduce(operator.or_, conditions)


def _having_pairs(lexemes, using, indexed):
    """Entries whose paper has these pair lexemes (a tsquery of them ANDed).

    Found with the pairs' GIN index; or, for a walk (``indexed=False``), checked
    entry by entry on the pairs' primary key, so the walk can stop at its LIMIT.
    """
    Pairs = global_apps.get_model("publications", "SearchPairs")
    pairs = Pairs._base_manager.using(using)
    if indexed:
        matching = pairs.filter(MatchesLexemes(F("vector"), Value(lexemes)))
        return Q(publication_id__in=matching.values("publication_id"))
    return Exists(
        pairs.filter(
            MatchesLexemes(F("vector"), Value(lexemes), indexed=False),
            publication_id=OuterRef("publication_id"),
        )
    )


def search(queryset, q):
    """``queryset`` narrowed to the publications matching ``q``, ranked, annotated.

    ``q`` is the text typed, or a ``SearchQuery`` already parsed (whose prefix
    expansion is then read once for all its uses). A blank query (empty, white space
    or punctuation only) returns ``queryset`` unchanged. Otherwise each result
    carries ``keyword_match`` (True when one of its keywords is the term the whole
    query names) and the results are ranked by relevance (``relevance()``).
    """
    query = SearchQuery.parse(q, queryset.db)
    if query.is_blank:
        return queryset
    model = queryset.model
    entries = matching_entries(query, queryset.db).values("publication_id")
    if query.named:
        matching_papers = model.keywords.through.objects.filter(keyword_id__in=query.named).values(
            "publication_id"
        )
        keyword_match = Case(
            When(pk__in=matching_papers, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    else:
        keyword_match = Value(False, output_field=BooleanField())
    annotations, order = relevance(query, "search_text")
    return (
        queryset.filter(pk__in=entries)
        .annotate(keyword_match=keyword_match, **annotations)
        .order_by("-keyword_match", *order, *NEWEST)
    )
