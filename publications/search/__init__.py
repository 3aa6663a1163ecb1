"""Publication search: one box, Japanese or English, same results on SQLite and PostgreSQL.

docs/search.md has the reasoning and the measurements. One module per concern:

==============  ==================================================================
``text``        text → folded (NFKC, casefold) → tokens (Japanese runs, words) → lexemes
``document``    a publication's search document, built from its parts
                (``publication_document``)
``index``       writing documents, search entries, word pairs and words; refresh,
                rebuild
``schema``      ``VectorField`` and the PostgreSQL indexes the migrations create
``query``       the query parser (``SearchQuery``, ``Group``, ``Term``, prefix expansion)
``vocabulary``  the keywords as a vocabulary of terms and their spellings
``forms``       English word forms (Snowball's stemmer, irregular plurals)
``highlight``   matched words marked in a title or an abstract's snippet
``queryset``    ``search(queryset, q)`` (``Publication.objects.search``), the
                matching entries, the keywords named like a query, the ranking
``results``     ``PublicationSearch``: one search, counted up to a cap and paged on
                the search entries (the publications list)
``paginator``   ``SearchPaginator``: Django's, plus the capped count and the chart
``signals``     the receivers that keep documents fresh; ``deferred_refresh``
==============  ==================================================================

The names below are the package's interface: import them from ``publications.search``
(the migrations do: ``publications.search.VectorField``, the index helpers).
"""

from .document import (
    PERSON_FIELDS,
    PUBLICATION_FIELDS,
    AuthorNames,
    KeywordNames,
    SearchDocument,
    publication_document,
)
from .highlight import highlight, snippet
from .index import BATCH_SIZE, RebuildSummary, fill_words, rebuild, refresh, write_entries
from .paginator import SearchPaginator
from .query import MAX_EXPANSION, MAX_QUERY_CHARS, MAX_TERMS, SearchQuery, Term, expand_prefixes
from .queryset import keywords_matching, matching_entries, relevance, search
from .results import COUNT_CAP, PublicationSearch
from .schema import (
    ENTRY_INDEX_NAME,
    GIN_INDEX_NAME,
    NEWEST_INDEX_NAME,
    PAIRS_INDEX_NAME,
    VectorField,
    create_entry_index,
    create_gin_index,
    create_pairs_index,
    drop_entry_index,
    drop_gin_index,
)
from .signals import connect_signals, deferred_refresh, schedule
from .text import fold, normalise_key, tokenise
from .vocabulary import spelling_key

__all__ = [
    "BATCH_SIZE",
    "COUNT_CAP",
    "ENTRY_INDEX_NAME",
    "GIN_INDEX_NAME",
    "MAX_EXPANSION",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "NEWEST_INDEX_NAME",
    "PAIRS_INDEX_NAME",
    "PERSON_FIELDS",
    "PUBLICATION_FIELDS",
    "AuthorNames",
    "KeywordNames",
    "PublicationSearch",
    "RebuildSummary",
    "SearchDocument",
    "SearchPaginator",
    "SearchQuery",
    "Term",
    "VectorField",
    "connect_signals",
    "create_entry_index",
    "create_gin_index",
    "create_pairs_index",
    "deferred_refresh",
    "drop_entry_index",
    "drop_gin_index",
    "expand_prefixes",
    "fill_words",
    "fold",
    "highlight",
    "keywords_matching",
    "matching_entries",
    "normalise_key",
    "publication_document",
    "rebuild",
    "refresh",
    "relevance",
    "schedule",
    "search",
    "snippet",
    "spelling_key",
    "tokenise",
    "write_entries",
]
