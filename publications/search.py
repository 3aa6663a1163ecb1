"""Publication search: one box, Japanese or English, same results on SQLite and PostgreSQL.

How it works (docs/search.md has the reasoning and the measurements):

* Every publication carries a **search document**, kept in two denormalised columns
  that this module fills: ``search_text`` and ``search_tokens``. The document is made
  of *segments* — each title, abstract, the venue, DOI, arXiv id, each keyword name and
  each spelling of each author's name — normalised with Unicode NFKC and casefold.
* Normalised text is cut into **tokens**: a maximal run of Japanese script (kanji,
  hiragana, katakana) is one CJK token; a maximal run of other letters and digits is
  one word. Everything else (spaces, punctuation, ``%``, ``_``, ``\\``, quotes) only
  separates tokens, so it can never act as a wildcard.
* ``search_text`` is the tokens of each segment separated by single spaces, segments
  separated by " | ": `` 格子欠陥 | lattice defects | 10 1093 jmicro dfaf038 ``.
* **Semantics.** A query is split into terms at white space (a full-width space too);
  "double quotes" keep a phrase together; terms are ANDed. A term matches when its
  tokens occur consecutively inside one segment, where a Japanese token may sit
  anywhere inside a run of Japanese (``欠陥`` finds ``格子欠陥``) and a word must start
  a word (``spectr`` finds ``spectroscopy``, ``pectro`` does not). In ``search_text``
  that is simply ``LIKE '% spectr%'`` or ``LIKE '%欠陥%'``: this is what SQLite runs.
* ``search_tokens`` holds the document's **lexemes** — every word (at most 64
  characters), every two adjacent words of a segment as one pair lexeme
  (``~lattice~defects``) and, for every Japanese run, its overlapping 2-character
  bigrams plus its last character. On PostgreSQL a term becomes an AND of lexemes
  that every real match must contain (bigrams, pairs, ``word:*`` prefixes). For a
  single word, a phrase of two words, or a Japanese term of one or two characters,
  the lexemes answer exactly; longer terms and phrases are re-checked with the same
  ``LIKE`` as SQLite, so both databases return the same rows.
* Searches run on **search entries** (``SearchEntry``): a narrow copy of each paper's
  ``is_published``, ``year``, ``month``, ``search_text`` and its lexemes as a real
  ``tsvector`` (GIN-indexed on PostgreSQL, with a newest-first btree), so that counting
  and ordering thousands of matches reads small rows. ``SearchPaginator`` counts a
  search up to ``COUNT_CAP`` and finds a page on the entries alone. The pairs have
  their own table (``SearchPairs``), which keeps the entries' vectors small;
  ``SearchWord`` lists every word, so that a word prefix is sent to GIN as the words
  it starts (``expand_prefixes``).
* **Ranking**: papers having a keyword whose name (either language, normalised)
  equals the whole query are annotated ``keyword_match=True`` and come first; then
  newest first (year, month, pk, all descending).

Keeping the index fresh: signal receivers (connected in ``PublicationsConfig.ready``)
refresh the documents (and entries) that a change touches — the publication, its authorships, a
person's names, name variants, keyword names, the publication's keywords — in bulk
(a few queries per 500 papers, never a save per paper). ``deferred_refresh()`` batches
the refreshes of a block of work; ``rebuild()`` (the ``rebuild_search_index``
command) recomputes everything and writes only what changed.
"""

import functools
import itertools
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps as global_apps
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from . import names

# The first MAX_QUERY_CHARS characters of a query are used, and at most MAX_TERMS terms.
MAX_QUERY_CHARS = 200
MAX_TERMS = 10
# At most this many index lexemes per term (any subset still finds every match).
MAX_LEXEMES_PER_TERM = 8
# Words longer than this are indexed by their first MAX_LEXEME_CHARS characters.
MAX_LEXEME_CHARS = 64
# Each field contributes at most MAX_FIELD_CHARS characters, and a document stops
# growing after MAX_DOCUMENT_CHARS (keeps the tsvector far below PostgreSQL's 1 MB).
MAX_FIELD_CHARS = 20_000
MAX_DOCUMENT_CHARS = 50_000
# Rows computed and written per round trip when refreshing many documents.
BATCH_SIZE = 500

GIN_INDEX_NAME = "publication_search_tokens_gin"
# PostgreSQL only: search_tokens as a tsvector, costed honestly (see create_gin_index).
VECTOR_FUNCTION = "labsite_search_vector"
# PostgreSQL only, since migration 0004 (which drops the two above): the entries' index.
ENTRY_INDEX_NAME = "search_entry_vector_gin"
# PostgreSQL only: the entries newest first (year, month with no month last, pk), for
# walking a broad search's matches in the order the list shows them.
NEWEST_INDEX_NAME = "search_entry_newest"
# A search's count stops here: beyond it the list says "more than COUNT_CAP results".
PAIRS_INDEX_NAME = "search_pairs_vector_gin"

COUNT_CAP = 1000
# A word prefix of a query (``mach``) becomes the words it starts when there are at
# most this many (``machine | machines``): GIN scans a prefix slowly (see SearchWord).
MAX_EXPANSION = 16
# Starts and joins the lexeme of two adjacent words (``~lattice~defects``). It is never
# part of a token, and no word's prefix (``lat:*``) reaches a pair.
PAIR = "~"

# Japanese script: ideographs (and 々〆〇, repeat marks), hiragana, katakana.
# Half-width katakana become full-width under NFKC before this is applied.
_CJK = (
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3041-\u309f\u30a0-\u30ff"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
# A token is a run of letters/digits ([^\W_]) that are all CJK, or all not CJK.
_TOKEN = re.compile(rf"((?:(?=[{_CJK}])[^\W_])+)|((?:(?![{_CJK}])[^\W_])+)")
_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u301d\u301e\u301f", '"'))
_CHUNK = re.compile(r'"([^"]*)"?|([^\s"]+)')
# A pasted DOI link searches for the DOI itself (as publications store DOIs bare).
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)")


# ---------------------------------------------------------------- normalisation


def normalise(text):
    """NFKC + casefold (NFKC again, as casefolding can denormalise), without NUL."""
    text = unicodedata.normalize("NFKC", str(text or "").replace("\x00", ""))
    return unicodedata.normalize("NFKC", text.casefold())


def normalise_key(text):
    """The form in which a keyword name must equal the query: normalised, spaces collapsed."""
    return " ".join(normalise(text).split())


@dataclass(frozen=True)
class Token:
    text: str
    cjk: bool


def tokenise(normalised_text):
    """Tokens of already normalised text, in order."""
    return [Token(cjk or word, bool(cjk)) for cjk, word in _TOKEN.findall(normalised_text or "")]


def _lexemes(token):
    """What the PostgreSQL index stores for one document token."""
    if not token.cjk:
        return [token.text[:MAX_LEXEME_CHARS]]
    text = token.text
    return [text[i : i + 2] for i in range(len(text) - 1)] + [text[-1]]


# ---------------------------------------------------------------- documents


def build_document(segments):
    """(search_text, search_tokens) for an iterable of raw field values, in order.

    Segments with no letters or digits are skipped; equal segments count once.
    """
    parts, lexemes, seen, size = [], set(), set(), 0
    for raw in segments:
        part, segment_lexemes = _segment(str(raw or "")[:MAX_FIELD_CHARS])
        if not part or part in seen:
            continue
        if size + len(part) > MAX_DOCUMENT_CHARS:
            break
        seen.add(part)
        parts.append(part)
        size += len(part) + 3
        lexemes.update(segment_lexemes)
    if not parts:
        return "", ""
    return f" {' | '.join(parts)} ", " ".join(sorted(lexemes))


def _segment(text):
    """(normalised tokens joined by spaces, their lexemes) of one field value.

    Short values are cached: names, venues and keywords repeat across documents
    (an import or a rebuild computes thousands at once); titles and abstracts are not.
    """
    return _short_segment(text) if len(text) <= 120 else _compute_segment(text)


@functools.lru_cache(maxsize=20_000)
def _short_segment(text):
    return _compute_segment(text)


def _compute_segment(text):
    tokens = tokenise(normalise(text))
    lexemes = {lexeme for token in tokens for lexeme in _lexemes(token)}
    lexemes.update(_pairs(tokens))
    return " ".join(t.text for t in tokens), frozenset(lexemes)


def _pair(first, second):
    """The lexeme of two words next to each other: ``~lattice~defects``."""
    return f"{PAIR}{first[:MAX_LEXEME_CHARS]}{PAIR}{second[:MAX_LEXEME_CHARS]}"


def _pairs(tokens):
    """Lexemes of every two adjacent words of a segment (not Japanese runs)."""
    return (_pair(a.text, b.text) for a, b in itertools.pairwise(tokens) if not a.cjk and not b.cjk)


def _person_names(row):
    """Every spelling of an author that the document should hold."""
    fam_ja, giv_ja = row["person__family_name_ja"] or "", row["person__given_name_ja"] or ""
    fam_en, giv_en = row["person__family_name_en"] or "", row["person__given_name_en"] or ""
    spellings = [row["as_printed"], f"{giv_en} {fam_en}", f"{fam_en} {giv_en}"]
    spellings.append(f"{fam_ja} {giv_ja}")
    if fam_ja and giv_ja:
        spellings.append(f"{fam_ja}{giv_ja}")  # 溝口照康, as Japanese readers type it
    initials = names.initials(giv_en) if fam_en and not names.is_cjk(giv_en) else ""
    if initials:
        # Citation forms: "P. Y. Chen" and "PY. Chen" are the same person.
        spellings += [f"{' '.join(initials)} {fam_en}", f"{initials} {fam_en}"]
    return spellings


# What a document is made of (besides keyword names and name variants).
_PUBLICATION_FIELDS = (
    "title_ja", "title_en", "abstract_ja", "abstract_en", "venue", "doi", "arxiv_id",
)  # fmt: skip
_AUTHOR_FIELDS = (
    "person__family_name_ja", "person__given_name_ja",
    "person__family_name_en", "person__given_name_en",
)  # fmt: skip


def _models(apps):
    get = apps.get_model
    publication = get("publications", "Publication")
    return (
        publication,
        get("publications", "Authorship"),
        get("publications", "NameVariant"),
        publication.keywords.through,
        get("publications", "Keyword"),
    )


def _index_model(apps, name):
    """A model of the search index, or None in a migration state that predates it."""
    try:
        return apps.get_model("publications", name)
    except LookupError:
        return None


def _entry_model(apps):
    return _index_model(apps, "SearchEntry")  # from migration 0004


def _word_model(apps):
    return _index_model(apps, "SearchWord")  # from migration 0006


def _pairs_model(apps):
    return _index_model(apps, "SearchPairs")  # from migration 0006


def split_lexemes(tokens):
    """(words and bigrams, pairs) of a document's lexemes, each as text joined by spaces.

    The entry's vector holds the first, SearchPairs the second: a search that walks
    the entries reads every row's vector, and pairs would double its size.
    """
    words, pairs = [], []
    for lexeme in tokens.split():
        (pairs if lexeme.startswith(PAIR) else words).append(lexeme)
    return " ".join(words), " ".join(pairs)


_JAPANESE = re.compile(f"[{_CJK}]")


def _words(lexemes):
    """The words among lexemes (text joined by spaces): not Japanese bigrams, not pairs."""
    return {w for w in lexemes.split() if not w.startswith(PAIR) and not _JAPANESE.match(w)}


def _write_words(apps, words, using):
    """Add words to the SearchWord table (those already there stay)."""
    Word = _word_model(apps)
    if Word is not None and words:
        Word._base_manager.using(using).bulk_create(
            [Word(word=w) for w in sorted(words)], batch_size=2000, ignore_conflicts=True
        )


def fill_words(using="default", apps=global_apps):
    """Make SearchWord hold every word of every document (rebuild, migration 0006)."""
    Publication = _models(apps)[0]
    tokens = (
        Publication._base_manager.using(using)
        .order_by("pk")
        .values_list("search_tokens", flat=True)
    )
    words = set()
    for lexemes in tokens.iterator(chunk_size=BATCH_SIZE):
        words |= _words(lexemes)
        if len(words) > 20_000:
            _write_words(apps, words, using)
            words = set()
    _write_words(apps, words, using)


# What a search entry copies from its publication (besides the search text and tokens).
_ENTRY_FIELDS = ("is_published", "year", "month")
_ENTRY_VALUES = tuple(f"search_entry__{name}" for name in (*_ENTRY_FIELDS, "text"))


def _documents(pks, using, apps):
    """{pk: Document} for the existing publications among `pks`."""
    Publication, Authorship, NameVariant, Through, _ = _models(apps)
    stored = _ENTRY_VALUES if _entry_model(apps) else ()  # the entry as it is
    pubs = {
        row["pk"]: row
        for row in Publication._base_manager.using(using)
        .filter(pk__in=pks)
        .values("pk", "search_text", "search_tokens", *_PUBLICATION_FIELDS, *_ENTRY_FIELDS, *stored)
    }
    if not pubs:
        return {}
    authors = {pk: [] for pk in pubs}
    people = {}
    for row in (
        Authorship._base_manager.using(using)
        .filter(publication_id__in=pubs)
        .order_by("publication_id", "position")
        .values("publication_id", "person_id", "as_printed", *_AUTHOR_FIELDS)
    ):
        authors[row["publication_id"]].append(row)
        people[row["person_id"]] = []
    for person_id, name in (
        NameVariant._base_manager.using(using)
        .filter(person__authorships__publication_id__in=pubs)
        .order_by("person_id", "name")
        .values_list("person_id", "name")
        .distinct()
    ):
        people[person_id].append(name)
    keywords = {pk: [] for pk in pubs}
    for pub_id, name_ja, name_en in (
        Through._base_manager.using(using)
        .filter(publication_id__in=pubs)
        .order_by("publication_id", "keyword__slug")
        .values_list("publication_id", "keyword__name_ja", "keyword__name_en")
    ):
        keywords[pub_id] += [name_ja, name_en]
    result = {}
    for pk, pub in pubs.items():
        segments = [pub["title_ja"], pub["title_en"], *keywords[pk]]
        segments += [pub["venue"], pub["doi"], pub["arxiv_id"]]
        for row in authors[pk]:
            segments += _person_names(row) + people[row["person_id"]]
        segments += [pub["abstract_ja"], pub["abstract_en"]]
        text, tokens = build_document(segments)
        entry = (*(pub[name] for name in _ENTRY_FIELDS), text)
        stale = (pub["search_text"], pub["search_tokens"]) != (text, tokens)
        result[pk] = Document(
            stale=stale,
            # The entry copies the tokens too (as a tsvector, not compared here).
            entry_stale=bool(stored) and (stale or tuple(pub[n] for n in stored) != entry),
            text=text,
            tokens=tokens,
            entry=entry,
        )
    return result


@dataclass(frozen=True)
class Document:
    """A publication's search document as computed now, and which stored copies are stale."""

    stale: bool  # the publication's search_text / search_tokens
    entry_stale: bool  # its SearchEntry (missing, or copied from other values)
    text: str
    tokens: str
    entry: tuple  # (is_published, year, month, text)


def refresh(pks, using="default", apps=global_apps):
    """Recompute the search documents of these publications; returns how many changed.

    Works in batches of BATCH_SIZE: a few reads and at most two bulk writes per
    batch (the publications' documents, their search entries), whatever the
    number of authors or keywords. Rows that are already right are not written.
    """
    Publication = _models(apps)[0]
    Entry = _entry_model(apps)
    pks = sorted({pk for pk in pks if pk is not None})
    changed = 0
    for start in range(0, len(pks), BATCH_SIZE):
        docs = _documents(pks[start : start + BATCH_SIZE], using, apps)
        stale = [
            Publication(pk=pk, search_text=doc.text, search_tokens=doc.tokens)
            for pk, doc in docs.items()
            if doc.stale
        ]
        if len(stale) == 1:
            Publication._base_manager.using(using).filter(pk=stale[0].pk).update(
                search_text=stale[0].search_text, search_tokens=stale[0].search_tokens
            )
        elif stale:
            Publication._base_manager.using(using).bulk_update(
                stale, ["search_text", "search_tokens"], batch_size=BATCH_SIZE
            )
        entries = {pk: doc for pk, doc in docs.items() if doc.entry_stale}
        if Entry is not None and entries:
            _write_entries(
                apps, [(pk, *doc.entry, doc.tokens) for pk, doc in entries.items()], using
            )
        changed += len({p.pk for p in stale} | set(entries))
    return changed


def _write_entries(apps, rows, using):
    """Insert or replace search entries and their pairs.

    ``rows``: (pk, is_published, year, month, text, tokens). Every entry gets its
    pairs row, empty or not, so that pairs a paper no longer has are gone.
    """
    Entry, Pairs = _entry_model(apps), _pairs_model(apps)
    entries, pairs, all_words = [], [], set()
    for pk, is_published, year, month, text, tokens in rows:
        words, word_pairs = split_lexemes(tokens)
        all_words |= _words(words)
        entries.append(
            Entry(
                publication_id=pk,
                is_published=is_published,
                year=year,
                month=month,
                text=text,
                vector=words,
            )
        )
        if Pairs is not None:
            pairs.append(Pairs(publication_id=pk, vector=word_pairs))
    # The words first: a prefix search must never see an entry whose words it cannot expand to.
    _write_words(apps, all_words, using)
    upsert = {"batch_size": BATCH_SIZE, "update_conflicts": True, "unique_fields": ["publication"]}
    Entry._base_manager.using(using).bulk_create(
        entries, update_fields=[*_ENTRY_FIELDS, "text", "vector"], **upsert
    )
    if pairs:
        Pairs._base_manager.using(using).bulk_create(pairs, update_fields=["vector"], **upsert)


def write_entries(publications, using="default"):
    """Give publications just inserted in bulk (with their documents) their search entries.

    For writers that fill ``search_text`` / ``search_tokens`` themselves and skip
    ``refresh()`` (the BibTeX import): one bulk insert, nothing read back.
    """
    rows = [
        (p.pk, p.is_published, p.year, p.month, p.search_text, p.search_tokens)
        for p in publications
    ]
    if rows:
        _write_entries(global_apps, rows, using)


def refresh_keyword_keys(using="default", apps=global_apps):
    """Recompute every keyword's normalised names; returns (checked, changed)."""
    Keyword = _models(apps)[4]
    keywords = list(
        Keyword._base_manager.using(using).only("name_ja", "name_en", "name_key_ja", "name_key_en")
    )
    stale = []
    for keyword in keywords:
        keys = normalise_key(keyword.name_ja), normalise_key(keyword.name_en)
        if keys != (keyword.name_key_ja, keyword.name_key_en):
            keyword.name_key_ja, keyword.name_key_en = keys
            stale.append(keyword)
    Keyword._base_manager.using(using).bulk_update(
        stale, ["name_key_ja", "name_key_en"], batch_size=BATCH_SIZE
    )
    return len(keywords), len(stale)


@dataclass
class RebuildSummary:
    publications: int = 0
    publications_changed: int = 0
    keywords: int = 0
    keywords_changed: int = 0

    def __str__(self):
        return (
            f"{self.publications} publications checked, {self.publications_changed} updated; "
            f"{self.keywords} keywords checked, {self.keywords_changed} updated"
        )


def rebuild(using="default", apps=global_apps):
    """Recompute the whole index (keyword keys and every publication's document)."""
    summary = RebuildSummary()
    summary.keywords, summary.keywords_changed = refresh_keyword_keys(using, apps)
    Publication = _models(apps)[0]
    pks = list(Publication._base_manager.using(using).order_by("pk").values_list("pk", flat=True))
    summary.publications = len(pks)
    summary.publications_changed = refresh(pks, using, apps)
    fill_words(using, apps)
    return summary


def create_gin_index(schema_editor):
    """PostgreSQL's side of search (nothing to do on other databases).

    The GIN index is on ``labsite_search_vector(search_tokens)``: the cast
    ``search_tokens::tsvector`` wrapped in a function that tells the planner what
    it costs. The bare cast is costed like an addition, so for searches matching a
    fifth of 100,000 papers the planner chose a sequential scan that parsed every
    row's text (6 s for ``ELNES``) over the index (0.1–0.3 s). A PL/pgSQL body keeps
    the function from being inlined back into the cheap-looking cast.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {VECTOR_FUNCTION}(tokens text) RETURNS tsvector"
        " LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 100"
        " AS $$ BEGIN RETURN tokens::tsvector; END $$"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {GIN_INDEX_NAME} ON publications_publication "
        f"USING gin ({VECTOR_FUNCTION}(search_tokens))"
    )


def drop_gin_index(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX_NAME}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {VECTOR_FUNCTION}(text)")


def create_entry_index(schema_editor):
    """PostgreSQL: the search entries' indexes (migration 0004): GIN, newest first.

    It replaces the index of ``create_gin_index`` (which 0004 drops): the entries'
    ``vector`` is a real ``tsvector`` column, so matching a row reads it as stored
    instead of parsing text, and no cost wrapper is needed.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {ENTRY_INDEX_NAME} ON publications_searchentry "
            "USING gin (vector)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NEWEST_INDEX_NAME} ON publications_searchentry "
            "(year DESC, month DESC NULLS LAST, publication_id DESC)"
        )


def create_pairs_index(schema_editor):
    """PostgreSQL: the GIN index of the word pairs (migration 0006)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PAIRS_INDEX_NAME} ON publications_searchpairs "
            "USING gin (vector)"
        )


def drop_entry_index(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {ENTRY_INDEX_NAME}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEWEST_INDEX_NAME}")


class VectorField(models.TextField):
    """A document's lexemes: a ``tsvector`` on PostgreSQL, their text elsewhere (unused)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class Term:
    """One word or "quoted phrase" of a query, as tokens."""

    tokens: tuple

    @property
    def pattern(self):
        """What ``search_text`` must contain: `` word…`` starts a word, CJK may sit anywhere."""
        text = " ".join(t.text for t in self.tokens)
        return text if self.tokens[0].cjk else f" {text}"

    @property
    def exact(self):
        """Whether the PostgreSQL index alone decides this term (no LIKE re-check needed).

        A single word, a Japanese term of one or two characters, and a phrase of two
        words (its pair lexeme: the first word whole, then a word the second starts).
        """
        if len(self.tokens) == 2:
            return not any(t.cjk or len(t.text) > MAX_LEXEME_CHARS for t in self.tokens)
        if len(self.tokens) != 1:
            return False
        token = self.tokens[0]
        return len(token.text) <= 2 if token.cjk else len(token.text) <= MAX_LEXEME_CHARS

    def lexemes(self):
        """tsquery operands that every matching document contains."""
        wanted = []
        tokens = self.tokens
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            text = token.text
            if not token.cjk:
                # A word followed by another token is whole; the last may be a prefix.
                # Two adjacent words are one pair lexeme, which holds both words.
                if i < last and not tokens[i + 1].cjk:
                    pair = _pair(text, tokens[i + 1].text)
                    wanted.append(f"'{pair}'" if i + 1 < last else f"'{pair}':*")
                elif i == 0 or tokens[i - 1].cjk:
                    word = text[:MAX_LEXEME_CHARS]
                    wanted.append(f"'{word}'" if i < last else f"'{word}':*")
            elif len(text) == 1:
                # Any character of a run starts one of its lexemes; one that ends the
                # run (followed by another token) is a lexeme of its own.
                wanted.append(f"'{text}'" if i < last else f"'{text}':*")
            else:
                bigrams = [text[j : j + 2] for j in range(len(text) - 1)]
                if len(bigrams) > MAX_LEXEMES_PER_TERM:
                    bigrams = [*bigrams[::2], bigrams[-1]]
                wanted += [f"'{b}'" for b in bigrams]
                if i < last:
                    wanted.append(f"'{text[-1]}'")
        return list(dict.fromkeys(wanted))[:MAX_LEXEMES_PER_TERM]


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: its terms (ANDed) and the key a keyword name must equal to rank first."""

    terms: tuple
    key: str
    # words_tsquery() per database, read once per search (not compared).
    _expansions: dict = field(default_factory=dict, compare=False, repr=False)

    def words_tsquery(self, using):
        """PostgreSQL: the lexemes other than pairs, word prefixes expanded (expand_prefixes)."""
        if using not in self._expansions:
            self._expansions[using] = expand_prefixes(self.tsquery(pairs=False), using)
        return self._expansions[using]

    @classmethod
    def parse(cls, q):
        text = q if isinstance(q, str) else ("" if q is None else str(q))
        text = text.replace("\x00", "")[:MAX_QUERY_CHARS]
        # Lone surrogates cannot be sent to a database: replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
        text = normalise(text).translate(_QUOTES)
        terms = []
        for phrase, word in _CHUNK.findall(text):
            tokens = tuple(tokenise(phrase or _DOI_PREFIX.sub("", word)))
            if tokens and Term(tokens) not in terms:
                terms.append(Term(tokens))
        key = " ".join(text.replace('"', " ").split())
        return cls(tuple(terms[:MAX_TERMS]), key)

    @property
    def is_blank(self):
        """Nothing to search for: empty, white space, punctuation only."""
        return not self.terms

    def tsquery(self, pairs=None):
        """The terms' lexemes ANDed; ``pairs`` True/False: only the pair lexemes / the others."""
        lexemes = (lex for term in self.terms for lex in term.lexemes())
        if pairs is not None:
            lexemes = (lex for lex in lexemes if lex.startswith(f"'{PAIR}") == pairs)
        return " & ".join(dict.fromkeys(lexemes))


class MatchesLexemes(Func):
    """PostgreSQL: ``<vector> @@ <query>::tsquery``, which the GIN index serves.

    With ``indexed=False`` the same test is written as the function behind ``@@``:
    no index can serve it, so a query ordered like ``search_entry_newest`` walks
    that index newest first and stops at its LIMIT (``SearchPaginator``).
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


_WORD_PREFIX = re.compile(r"'([^'~]+)':\*")


def expand_prefixes(tsquery, using="default"):
    """PostgreSQL: a tsquery's text with its word prefixes replaced by the words they start.

    ``'mach':* & 'learn':*`` becomes ``('machine' | 'machines') & ('learning')``
    when SearchWord holds 1 to MAX_EXPANSION words a prefix starts; otherwise the
    prefix stays. One query reads the words of every prefix. GIN answers ORed words
    through its posting lists, a prefix by collecting every match of every word it
    starts into a bitmap (``mach learn cata`` at 100,000 papers: 28 ms as prefixes,
    5–7 ms as words). The words are sent as literals, so the planner sees how
    common they are (``spectr``: a scan that stops at 1,001, 2 ms) — an expansion
    computed inside the statement hid that from it. Japanese and pair prefixes stay.
    """
    parts = tsquery.split(" & ")
    prefix_of = {}  # part -> the word prefix it is
    for part in parts:
        match = _WORD_PREFIX.fullmatch(part)
        if match and not _JAPANESE.match(match[1]):
            prefix_of[part] = match[1]
    if not prefix_of:
        return tsquery
    words = _word_model(global_apps)._base_manager.using(using)
    found = [
        words.filter(word__startswith=p)
        .annotate(prefix=Value(p))
        .values_list("prefix", "word")
        .order_by()[: MAX_EXPANSION + 1]
        for p in dict.fromkeys(prefix_of.values())
    ]
    starts = defaultdict(list)
    for prefix, word in found[0].union(*found[1:], all=True) if len(found) > 1 else found[0]:
        starts[prefix].append(word)
    expanded = []
    for part in parts:
        words_of = starts.get(prefix_of.get(part))
        if words_of and len(words_of) <= MAX_EXPANSION:
            part = "(" + " | ".join(f"'{w}'" for w in sorted(words_of)) + ")"
        expanded.append(part)
    return " & ".join(expanded)


def keywords_matching(keyword_queryset, q):
    """Keywords whose Japanese or English name, normalised, equals the whole query."""
    query = q if isinstance(q, SearchQuery) else SearchQuery.parse(q)
    if query.is_blank:
        return keyword_queryset.none()
    return keyword_queryset.filter(Q(name_key_ja=query.key) | Q(name_key_en=query.key))


def matching_entries(query, using="default", indexed=True):
    """The SearchEntry rows matching a parsed query (all of them, published or not).

    On PostgreSQL the lexemes decide (``vector @@ tsquery``, word prefixes expanded
    to words), and ``text LIKE`` re-checks the terms they cannot decide alone;
    elsewhere ``text LIKE`` decides.
    """
    Entry = _entry_model(global_apps)
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
    Pairs = _pairs_model(global_apps)
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


@dataclass(frozen=True)
class _Search:
    """What ``search()`` left on its result's query, for ``SearchPaginator``."""

    query: SearchQuery
    base: object  # the queryset search() narrowed
    where: object  # the result's WHERE, to tell filters added afterwards
    order_by: tuple
    annotations: tuple


def search(queryset, q):
    """``queryset`` narrowed to the publications matching ``q``, ranked, annotated.

    A blank query (empty, white space or punctuation only) returns ``queryset``
    unchanged. Otherwise each result carries ``keyword_match`` (True when one of its
    keywords is named exactly like the query) and the order is keyword matches
    first, then newest first. The matching runs on the search entries
    (``matching_entries``); ``SearchPaginator`` pages such a result faster.
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
    results = (
        queryset.filter(pk__in=entries)
        .annotate(
            keyword_match=Case(
                When(pk__in=matching_papers, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-keyword_match", "-year", F("month").desc(nulls_last=True), "-pk")
    )
    # Query.clone() copies this attribute to every queryset derived from the result.
    results.query.labsite_search = _Search(
        query,
        queryset,
        results.query.where.clone(),
        tuple(results.query.order_by),
        tuple(results.query.annotations),
    )
    return results


def _search_of(queryset):
    """The _Search behind a queryset that is exactly a search() result, else None."""
    found = getattr(queryset.query, "labsite_search", None)
    query = queryset.query
    if (
        found is None
        or query.where != found.where
        or tuple(query.order_by) != found.order_by
        or tuple(query.annotations) != found.annotations
        or query.distinct
        or query.is_sliced
        or query.combinator
    ):
        return None
    return found


def _restrict(entries, base):
    """Entries of the publications in ``base``: on the entries' own columns when it can."""
    query = base.query
    plain = len(query.alias_map) <= 1 and not (
        query.distinct or query.is_sliced or query.combinator
    )
    if plain and not query.where:
        return entries
    published = base.model._base_manager.filter(is_published=True).query.where
    if plain and query.where == published:
        return entries.filter(is_published=True)
    return entries.filter(publication_id__in=base.order_by().values("pk"))


class SearchPaginator(Paginator):
    """Django's Paginator, with a capped count and fast pages for ``search()`` results.

    For any other queryset it is Django's Paginator. For a search result:

    * ``count`` stops at ``cap`` (COUNT_CAP): when more papers match, ``count`` is
      ``cap`` and ``count_capped`` is True — "more than 1,000 results" — and the
      pages stop at the cap's last page.
    * When the result is exactly what ``search()`` returned (no filter added after
      it), a page is found on the search entries alone and only its papers are
      read: keyword matches first, then the rest, each newest first. A broad
      search (more than ``cap`` matches) walks the entries newest first and stops
      at the page's end; a narrow one sorts its few matches.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, cap=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = COUNT_CAP if cap is None else cap
        self.is_search = getattr(getattr(object_list, "query", None), "labsite_search", None)
        self.search = _search_of(object_list) if self.is_search else None
        self._capped = False
        self._years = None  # the matches' years, read with the count when under the cap

    def _entries(self, indexed=True):
        using = self.object_list.db
        entries = matching_entries(self.search.query, using, indexed)
        return _restrict(entries, self.search.base)

    @cached_property
    def count(self):
        if not self.is_search:
            return super().count
        limit = self.cap + 1
        if self.search is None:
            found = self.object_list[:limit].count()
        else:
            # The years of up to cap + 1 matches: their number is the capped count
            # and, under the cap, they are the chart's counts (one query for both).
            # (Word prefixes reach it as the words they start: expand_prefixes.)
            years = list(self._entries().values_list("year", flat=True)[:limit])
            found = len(years)
            self._years = Counter(years)
        self._capped = found > self.cap
        return min(found, self.cap)

    @property
    def count_capped(self):
        """True when more than ``cap`` papers match: ``count`` then says ``cap``."""
        return self.count >= self.cap and self._capped

    def year_counts(self):
        """[(year, papers)] of all the results, for the per-year chart; None past the cap.

        A search of at most ``cap`` papers has its years read with its count (one
        query); past the cap there is no exact chart to draw cheaply (ELNES at
        100,000 papers: 0.1 s on the entries, 0.26 s on the publications table).
        """
        if not self.is_search:
            return self.object_list.year_counts()
        if self.count_capped:
            return None
        if self._years is None:  # the search's own count did not read the years
            return self.object_list.year_counts()
        return sorted(self._years.items())

    @property
    def _vendor(self):
        return connections[self.object_list.db].vendor

    def page(self, number):
        if self.search is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        tagged, others = self._page_pks(bottom, top)
        papers = {paper.pk: paper for paper in self._papers(tagged + others)}
        for pk in tagged:
            papers[pk].keyword_match = True
        found = [papers[pk] for pk in tagged + others if pk in papers]
        return self._get_page(found, number, self)

    def _papers(self, pks):
        """The page's papers, read through the queryset search() was given.

        That queryset says how to read them (``for_list()``: columns, prefetches).
        Not through ``object_list``: with the search's own condition beside
        ``pk IN (…)``, the planner re-ran the whole match (0.2 s for a long Japanese
        term) to check 20 papers.
        """
        return self.search.base.filter(pk__in=pks).annotate(keyword_match=Value(False))

    def _page_pks(self, bottom, top):
        """([keyword matches], [the others]): the pks of results bottom..top, in order."""
        using = self.object_list.db
        model = self.object_list.model
        Keyword = model.keywords.field.related_model
        through = model.keywords.through
        broad = self.count_capped
        named = keywords_matching(Keyword._base_manager.using(using), self.search.query)
        links = through._base_manager.using(using).filter(keyword_id__in=named.values("pk"))
        # How many papers have the keyword (one with two such keywords counts twice):
        # only compared with the cap, to choose between walking and sorting.
        tagged_total = links[: self.cap + 1].count()
        if not tagged_total:  # no keyword is named like the query, or it has no papers
            return [], self._slice(self._entries, bottom, top, walk=broad)
        links = links.values("publication_id")

        def first(indexed=True):
            return self._entries(indexed).filter(publication_id__in=links)

        def rest(indexed=True):
            return self._entries(indexed).exclude(publication_id__in=links)

        tagged = self._slice(first, bottom, top, walk=broad and tagged_total > self.cap)
        if len(tagged) == top - bottom:
            return tagged, []
        # The keyword matches end on this page: the others follow them.
        first_total = bottom + len(tagged) if tagged else first()[:bottom].count()
        half = self.cap // 2
        walk = broad and (tagged_total <= half or rest()[: half + 1].count() > half)
        others = self._slice(rest, bottom + len(tagged) - first_total, top - first_total, walk)
        return tagged, others

    def _slice(self, entries, bottom, top, walk):
        """Entries bottom..top, newest first: walking the newest-first index, or sorting."""
        if top <= bottom:
            return []
        if walk:
            order = ("-year", F("month").desc(nulls_last=True), "-publication_id")
        else:
            # The same order as one expression no index has: the matches are sorted.
            order = ((F("year") * 13 + Coalesce("month", 0)).desc(), "-publication_id")
        rows = entries(indexed=not walk).order_by(*order)
        return list(rows.values_list("publication_id", flat=True)[bottom:top])


# ---------------------------------------------------------------- freshness

_state = threading.local()


def _pending():
    return getattr(_state, "pending", None)


@contextmanager
def deferred_refresh():
    """Inside the block, refreshes asked for by signals are collected and done once at the end.

    Nested blocks refresh when the outermost one ends; nothing is refreshed when the
    block raises (its transaction is expected to roll back).
    """
    outer = _pending() is None
    if outer:
        _state.pending = {}
    try:
        yield
        if outer:
            while _state.pending:
                using, pks = _state.pending.popitem()
                refresh(pks, using)
    finally:
        if outer:
            _state.pending = None


def schedule(pks, using="default"):
    """Refresh these publications now, or at the end of the enclosing ``deferred_refresh``."""
    pks = set(pks) - _deleting(using)
    if not pks:
        return
    pending = _pending()
    if pending is None:
        refresh(pks, using)
    else:
        pending.setdefault(using, set()).update(pks)


def _deleting(using):
    return getattr(_state, "deleting", {}).get(using, set())


def _papers_of_person(person_id, using):
    Authorship = global_apps.get_model("publications", "Authorship")
    return (
        Authorship._base_manager.using(using)
        .filter(person_id=person_id)
        .values_list("publication_id", flat=True)
    )


def _papers_of_keyword(keyword_id, using):
    through = global_apps.get_model("publications", "Publication").keywords.through
    return (
        through._base_manager.using(using)
        .filter(keyword_id=keyword_id)
        .values_list("publication_id", flat=True)
    )


def _snapshot(instance, using, fields):
    """The row's stored values of `fields` before a save (None for a new row)."""
    if instance.pk is None:
        return None
    return type(instance)._base_manager.using(using).filter(pk=instance.pk).values(*fields).first()


def _changed(instance, before, fields):
    return before is None or any(before[f] != getattr(instance, f) for f in fields)


_PERSON_FIELDS = ("family_name_ja", "given_name_ja", "family_name_en", "given_name_en")
_KEYWORD_FIELDS = ("name_ja", "name_en")


def _publication_saved(sender, instance, using, **kwargs):
    schedule([instance.pk], using)


def _publication_deleting(sender, instance, using, **kwargs):
    _state.deleting = getattr(_state, "deleting", {})
    _state.deleting.setdefault(using, set()).add(instance.pk)


def _publication_deleted(sender, instance, using, **kwargs):
    _deleting(using).discard(instance.pk)


def _authorship_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, ["publication_id"])


def _authorship_saved(sender, instance, using, **kwargs):
    before = getattr(instance, "_search_before", None)
    schedule({instance.publication_id, before and before["publication_id"]} - {None}, using)


def _authorship_deleted(sender, instance, using, **kwargs):
    schedule([instance.publication_id], using)


def _person_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, _PERSON_FIELDS)


def _person_saved(sender, instance, using, created, **kwargs):
    before = getattr(instance, "_search_before", None)
    if not created and _changed(instance, before, _PERSON_FIELDS):
        schedule(_papers_of_person(instance.pk, using), using)


def _variant_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, ["person_id", "name"])


def _variant_saved(sender, instance, using, **kwargs):
    before = getattr(instance, "_search_before", None)
    if not _changed(instance, before, ["person_id", "name"]):
        return
    people = {instance.person_id, before and before["person_id"]} - {None}
    schedule([pk for person in people for pk in _papers_of_person(person, using)], using)


def _variant_deleted(sender, instance, using, **kwargs):
    schedule(_papers_of_person(instance.person_id, using), using)


def _keyword_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, _KEYWORD_FIELDS)


def _keyword_saved(sender, instance, using, created, **kwargs):
    before = getattr(instance, "_search_before", None)
    if not created and _changed(instance, before, _KEYWORD_FIELDS):
        schedule(_papers_of_keyword(instance.pk, using), using)


def _keyword_deleting(sender, instance, using, **kwargs):
    instance._search_papers = list(_papers_of_keyword(instance.pk, using))


def _keyword_deleted(sender, instance, using, **kwargs):
    schedule(getattr(instance, "_search_papers", []), using)


def _keywords_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Publication.keywords changed, from either side (paper.keywords / keyword.publications)."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            schedule([instance.pk], using)
    elif action == "pre_clear":
        instance._search_papers = list(_papers_of_keyword(instance.pk, using))
    elif action == "post_clear":
        schedule(getattr(instance, "_search_papers", []), using)
    elif action in ("post_add", "post_remove"):
        schedule(pk_set or [], using)


def connect_signals():
    """Connect the receivers that keep search documents fresh (called from AppConfig.ready)."""
    Publication, Authorship, NameVariant, Through, Keyword = _models(global_apps)
    Person = global_apps.get_model("publications", "Person")
    receivers = [
        (post_save, Publication, _publication_saved),
        (pre_delete, Publication, _publication_deleting),
        (post_delete, Publication, _publication_deleted),
        (pre_save, Authorship, _authorship_saving),
        (post_save, Authorship, _authorship_saved),
        (post_delete, Authorship, _authorship_deleted),
        (pre_save, Person, _person_saving),
        (post_save, Person, _person_saved),
        (pre_save, NameVariant, _variant_saving),
        (post_save, NameVariant, _variant_saved),
        (post_delete, NameVariant, _variant_deleted),
        (pre_save, Keyword, _keyword_saving),
        (post_save, Keyword, _keyword_saved),
        (pre_delete, Keyword, _keyword_deleting),
        (post_delete, Keyword, _keyword_deleted),
        (m2m_changed, Through, _keywords_changed),
    ]
    for signal, sender, receiver in receivers:
        signal.connect(receiver, sender=sender, dispatch_uid=f"search:{receiver.__name__}")
