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
from django.db.models.lookups import Contains

from .document import HEAD_MARK
from .query import SearchQuery

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


def matching_entries(query, using="default", indexed=True, partial=False):
    """The SearchEntry rows matching a parsed query (all of them, published or not).

    On PostgreSQL the lexemes decide (``vector @@ tsquery``, word prefixes expanded
    to words: one query the first time), and ``text LIKE`` re-checks the terms they
    cannot decide alone; elsewhere ``text LIKE`` decides. ``partial``: entries
    matching any of the terms rather than all.
    """
    Entry = global_apps.get_model("publications", "SearchEntry")
    entries = Entry._base_manager.using(using)
    groups = query.groups
    postgresql = connections[using].vendor == "postgresql"
    if partial:
        if not postgresql:
            return entries.filter(_any_q(group.like() for group in groups))
        conditions = []
        for group, tsquery in zip(groups, query.any_tsqueries(using), strict=True):
            condition = Q(MatchesLexemes(F("vector"), Value(tsquery), indexed=indexed))
            if not all(term.exact_alone for term in group.needed):
                condition &= group.like()
            conditions.append(condition)
        return entries.filter(_any_q(conditions))
    conditions = []
    if postgresql:
        if lexemes := query.words_tsquery(using):
            conditions.append(MatchesLexemes(F("vector"), Value(lexemes), indexed=indexed))
        if pairs := query.tsquery(pairs=True):
            conditions.append(_having_pairs(pairs, using, indexed))
        groups = [group for group in groups if not group.exact]
    conditions += [group.like() for group in groups]
    return entries.filter(*conditions)


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
