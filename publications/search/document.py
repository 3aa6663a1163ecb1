"""A publication's search document: what a search looks at, built from the paper's parts.

The document is kept in two columns of the publication, ``search_text`` and
``search_tokens`` (and copied into its search entry, publications/search/index.py).
It is made of *segments*, in this order: the titles (Japanese, English), each
keyword's names (keywords by slug; Japanese name, English name), the venue, the DOI,
the arXiv id, the words for the paper's type (``TYPE_WORDS``), every spelling of every
author (authors in order; see ``author_spellings``), the abstracts (Japanese,
English). The order matters little to a search — a term matches inside one segment —
but it decides which segments remain when a huge document is cut at
MAX_DOCUMENT_CHARS, and a document is only rewritten when it differs, so every writer
must build it the same way:
``publication_document()`` is that one way, for the signal receivers' refresh and
for a bulk importer alike.

* ``search_text``: the tokens of each segment joined by single spaces, segments
  separated by " | ", padded with a space:
  `` 格子欠陥 | lattice defects | 10 1093 jmicro dfaf038 ``. A term matches where
  ``search_text`` contains `` word…`` (a word start) or ``欠陥`` (anywhere in a run
  of Japanese): the ``LIKE`` that SQLite runs.
* ``search_tokens``: the document's lexemes (publications/search/text.py), sorted,
  joined by spaces: what PostgreSQL's index holds.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .. import names
from ..markup import math_plain
from .text import segment_of

# Each field contributes at most MAX_FIELD_CHARS characters, and a document stops
# growing after MAX_DOCUMENT_CHARS (keeps the tsvector far below PostgreSQL's 1 MB).
MAX_FIELD_CHARS = 20_000
MAX_DOCUMENT_CHARS = 50_000

# The publication's own columns a document is made of.
PUBLICATION_FIELDS = (
    "title_ja", "title_en", "abstract_ja", "abstract_en", "venue", "doi", "arxiv_id", "type",
)  # fmt: skip
# What a student calls a kind of paper, in both languages ("総説", "review"): a search
# for it finds the papers of that type. Journal articles, the common case, have none
# (a search for "article" or 論文 would otherwise find nearly every paper).
TYPE_WORDS = {
    "review": ("review", "総説", "レビュー"),
    "invited-review": ("invited review", "review", "招待総説", "総説", "レビュー"),
    "conference": ("conference paper", "proceedings", "会議録", "国際会議"),
    "book": ("book", "書籍", "著書"),
    "chapter": ("book chapter", "分担執筆"),
    "thesis": ("thesis", "学位論文"),
    "preprint": ("preprint", "プレプリント"),
}
# The person's columns an author's spellings come from (besides the name as printed).
PERSON_FIELDS = ("family_name_ja", "given_name_ja", "family_name_en", "given_name_en")


class SearchDocument(NamedTuple):
    """``(search_text, search_tokens)`` of one publication."""

    text: str
    tokens: str


@dataclass(frozen=True)
class AuthorNames:
    """One author of a paper, as the search document spells them.

    ``as_printed`` is the Authorship's name as the paper printed it; the four names
    are the Person's; ``variants`` are the person's recorded NameVariant names.
    """

    as_printed: str = ""
    family_name_ja: str = ""
    given_name_ja: str = ""
    family_name_en: str = ""
    given_name_en: str = ""
    variants: Sequence[str] = ()


@dataclass(frozen=True)
class KeywordNames:
    """One keyword of a paper: its slug (which orders the keywords) and its two names."""

    slug: str
    name_ja: str = ""
    name_en: str = ""


# Separates the document's head (titles, keyword names) from the rest: a match
# before it ranks higher (publications/search/ranking.py). Never part of a pattern.
HEAD_MARK = "||"


def build_document(segments, head=0):
    """The ``SearchDocument`` of raw field values, in order.

    Segments with no letters or digits are skipped; equal segments count once. The
    first ``head`` values are the head: `` title | keyword || venue | … ``.
    """
    parts, lexemes, seen, size = [], set(), set(), 0
    head_parts = None
    for index, raw in enumerate(segments):
        if index == head:
            head_parts = len(parts)
        part, segment_lexemes = segment_of(str(raw or "")[:MAX_FIELD_CHARS])
        if not part or part in seen:
            continue
        if size + len(part) > MAX_DOCUMENT_CHARS:
            break
        seen.add(part)
        parts.append(part)
        size += len(part) + 3
        lexemes.update(segment_lexemes)
    if not parts:
        return SearchDocument("", "")
    if head_parts is None:
        head_parts = len(parts)
    text = " | ".join(parts[:head_parts]) + f" {HEAD_MARK} " + " | ".join(parts[head_parts:])
    return SearchDocument(f" {text.strip()} ", " ".join(sorted(lexemes)))


def author_spellings(author):
    """Every spelling of an ``AuthorNames`` that the document holds, in order."""
    family_ja, given_ja = author.family_name_ja or "", author.given_name_ja or ""
    family_en, given_en = author.family_name_en or "", author.given_name_en or ""
    spellings = [author.as_printed, f"{given_en} {family_en}", f"{family_en} {given_en}"]
    spellings.append(f"{family_ja} {given_ja}")
    if family_ja and given_ja:
        spellings.append(f"{family_ja}{given_ja}")  # 溝口照康, as Japanese readers type it
    initials = names.initials(given_en) if family_en and not names.is_cjk(given_en) else ""
    if initials:
        # Citation forms: "P. Y. Chen" and "PY. Chen" are the same person.
        spellings += [f"{' '.join(initials)} {family_en}", f"{initials} {family_en}"]
    return [*spellings, *sorted(author.variants)]


def publication_document(
    *,
    title_ja: str = "",
    title_en: str = "",
    abstract_ja: str = "",
    abstract_en: str = "",
    venue: str = "",
    doi: str = "",
    arxiv_id: str = "",
    type: str = "",
    keywords: Iterable[KeywordNames] = (),
    authors: Iterable[AuthorNames] = (),
) -> SearchDocument:
    """A publication's search document, from its values in memory (no database read).

    ``keywords`` in any order (they are taken by slug); ``authors`` in the paper's
    order, each with the names of its person and the person's name variants. The
    signal receivers' refresh (publications/search/index.py) builds every document
    with this function; a bulk importer that fills ``search_text`` and
    ``search_tokens`` before inserting its papers must call it too, so that a later
    refresh finds nothing to rewrite::

        paper.search_text, paper.search_tokens = publication_document(
            **{field: getattr(paper, field) for field in PUBLICATION_FIELDS},
            keywords=[KeywordNames("elnes", "ELNES", "ELNES")],
            authors=[AuthorNames("T. Mizoguchi", "溝口", "照康", "Mizoguchi", "Teruyasu")],
        )
    """
    # Math as plain text, so that SrTiO$_3$ is found by "SrTiO3" (publications/markup.py).
    segments = [math_plain(title_ja), math_plain(title_en)]
    for keyword in sorted(keywords, key=lambda keyword: keyword.slug):
        segments += [keyword.name_ja, keyword.name_en]
    head = len(segments)
    segments += [venue, doi, arxiv_id, *TYPE_WORDS.get(type, ())]
    for author in authors:
        segments += author_spellings(author)
    segments += [math_plain(abstract_ja), math_plain(abstract_en)]
    return build_document(segments, head)
