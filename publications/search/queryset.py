"""The search as querysets: ``search(queryset, q)`` and the entries and keywords it reads.

``Publication.objects.search(q)`` is ``search()``: the papers of the queryset whose
search entry matches, each annotated ``keyword_match``, ranked. It returns a plain
queryset that composes with everything (filters, exports, ``count()``, Django's
``Paginator``). The publications list pages a search faster with
``PublicationSearch`` and ``SearchPaginator`` (publications/search/results.py,
paginator.py), which read the same entries.

**Ranking**: papers having a keyword whose name (either language, normalised)
equals the whole query come first (``keyword_match=True``); then newest first
(year, month with no month last, pk, all descending).
"""

from django.apps import apps as global_apps
from django.db import connections
from django.db.models import BooleanField, Case, Exists, F, Func, OuterRef, Q, Value, When

from .query import SearchQuery

# What search() orders by: keyword matches first, then newest first.
RANKING = (
    "-keyword_match",
    F("year").desc(nulls_last=True),  # undated papers last
    F("month").desc(nulls_last=True),
    "-pk",
)


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
    """Keywords whose Japanese or English name, normalised, equals the whole query."""
    query = SearchQuery.parse(q)
    if query.is_blank:
        return keyword_queryset.none()
    return keyword_queryset.filter(Q(name_key_ja=query.key) | Q(name_key_en=query.key))


def matching_entries(query, using="default", indexed=True):
    """The SearchEntry rows matching a parsed query (all of them, published or not).

    On PostgreSQL the lexemes decide (``vector @@ tsquery``, word prefixes expanded
    to words: one query the first time), and ``text LIKE`` re-checks the terms they
    cannot decide alone; elsewhere ``text LIKE`` decides.
    """
    Entry = global_apps.get_model("publications", "SearchEntry")
    terms = query.terms
    conditions = []
    if connections[using].vendor == "postgresql":
        if lexemes := query.words_tsquery(using):
            conditions.append(MatchesLexemes(F("vector"), Value(lexemes), indexed=indexed))
        if pairs := query.tsquery(pairs=True):
            conditions.append(_having_pairs(pairs, using, indexed))
        terms = [term for term in terms if not term.exact]
    conditions += [Q(text__contains=term.pattern) for term in terms]
    return Entry._base_manager.using(using).filter(*conditions)


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
    carries ``keyword_match`` (True when one of its keywords is named exactly like
    the query) and the order is keyword matches first, then newest first.
    """
    query = SearchQuery.parse(q)
    if query.is_blank:
        return queryset
    model = queryset.model
    entries = matching_entries(query, queryset.db).values("publication_id")
    Keyword = model.keywords.field.related_model
    matching_papers = model.keywords.through.objects.filter(
        keyword__in=keywords_matching(Keyword._base_manager.all(), query)
    ).values("publication_id")
    return (
        queryset.filter(pk__in=entries)
        .annotate(
            keyword_match=Case(
                When(pk__in=matching_papers, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by(*RANKING)
    )
