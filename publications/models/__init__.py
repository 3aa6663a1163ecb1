"""The database of papers: keywords, people, publications, the search index and imports.

One module per concern; everything is importable from `publications.models`.
"""

from .doi_searches import DoiSearch, DoiSearchResult
from .edits import EditBatch, EditItem
from .imports import ImportBatch, ImportBatchQuerySet, ImportItem, ImportRecord, ImportRow
from .keywords import Keyword, KeywordQuerySet, alias_lines
from .papers import (
    IDENTITY_FIELDS,
    LIST_COLUMNS,
    MAX_YEAR,
    MIN_YEAR,
    Authorship,
    Publication,
    PublicationQuerySet,
    authors_in_order,
    guess_language,
    identity_key,
    normalise_arxiv,
    normalise_doi,
    title_key,
)
from .people import PERSON_NAME_COLUMNS, NameVariant, Person, PersonQuerySet
from .search_index import SearchEntry, SearchPairs, SearchWord
from .slugs import unique_slug

__all__ = [
    "IDENTITY_FIELDS",
    "LIST_COLUMNS",
    "MAX_YEAR",
    "MIN_YEAR",
    "PERSON_NAME_COLUMNS",
    "Authorship",
    "DoiSearch",
    "DoiSearchResult",
    "EditBatch",
    "EditItem",
    "ImportBatch",
    "ImportBatchQuerySet",
    "ImportItem",
    "ImportRecord",
    "ImportRow",
    "Keyword",
    "KeywordQuerySet",
    "NameVariant",
    "Person",
    "PersonQuerySet",
    "Publication",
    "PublicationQuerySet",
    "SearchEntry",
    "SearchPairs",
    "SearchWord",
    "alias_lines",
    "authors_in_order",
    "guess_language",
    "identity_key",
    "normalise_arxiv",
    "normalise_doi",
    "title_key",
    "unique_slug",
]
