"""Writing the search index: documents, search entries, word pairs, words; refresh and rebuild.

What is stored, for each publication:

* its document, in ``Publication.search_text`` / ``search_tokens``
  (publications/search/document.py);
* its ``SearchEntry``: a narrow copy of ``is_published``, ``year``, ``month``,
  ``search_text`` and its lexemes as a real ``tsvector`` (``vector``), so that
  counting and ordering thousands of matches reads small rows;
* its ``SearchPairs`` row: the pair lexemes (``~lattice~defects``), kept out of the
  entry's vector, which a walk over the entries reads row by row;
* its words, added to ``SearchWord`` (added, never removed), so that a word prefix
  of a query can be sent to the index as the words it starts.

Writers go in bulk — a few queries per BATCH_SIZE papers, whatever their authors and
keywords — and write only rows that changed. The functions take ``apps`` so that
migrations can run them on their historical models; a model that a migration state
predates (SearchEntry before 0004, SearchWord and SearchPairs before 0006) is skipped.
"""

from dataclasses import dataclass

from django.apps import apps as global_apps

from .document import (
    PERSON_FIELDS,
    PUBLICATION_FIELDS,
    AuthorNames,
    KeywordNames,
    publication_document,
)
from .text import normalise_key, split_lexemes, words_among

# Rows computed and written per round trip when refreshing many documents.
BATCH_SIZE = 500
# Words gathered in memory before they are written (fill_words).
WORDS_PER_WRITE = 20_000
# What a search entry copies from its publication (besides the search text and tokens).
ENTRY_FIELDS = ("is_published", "year", "month")
_STORED_ENTRY = tuple(f"search_entry__{name}" for name in (*ENTRY_FIELDS, "text"))


def _model(apps, name):
    return apps.get_model("publications", name)


def index_model(apps, name):
    """A model of the search index, or None in a migration state that predates it."""
    try:
        return _model(apps, name)
    except LookupError:
        return None


@dataclass(frozen=True)
class CheckedDocument:
    """A publication's search document as computed now, and which stored copies are stale."""

    stale: bool  # the publication's search_text / search_tokens
    entry_stale: bool  # its SearchEntry (missing, or copied from other values)
    text: str
    tokens: str
    entry: tuple  # (is_published, year, month, text)


def check_documents(pks, using, apps):
    """{pk: CheckedDocument} for the existing publications among ``pks``: four reads."""
    Publication, Authorship = _model(apps, "Publication"), _model(apps, "Authorship")
    PublicationKeyword = Publication.keywords.through
    stored_entry = _STORED_ENTRY if index_model(apps, "SearchEntry") else ()
    publications = {
        row["pk"]: row
        for row in Publication._base_manager.using(using)
        .filter(pk__in=pks)
        .values(
            "pk", "search_text", "search_tokens", *PUBLICATION_FIELDS, *ENTRY_FIELDS, *stored_entry
        )
    }
    if not publications:
        return {}
    authorships = {pk: [] for pk in publications}
    variants = {}
    person_fields = [f"person__{name}" for name in PERSON_FIELDS]
    for row in (
        Authorship._base_manager.using(using)
        .filter(publication_id__in=publications)
        .order_by("publication_id", "position")
        .values("publication_id", "person_id", "as_printed", *person_fields)
    ):
        authorships[row["publication_id"]].append(row)
        variants[row["person_id"]] = []
    for person_id, name in (
        _model(apps, "NameVariant")
        ._base_manager.using(using)
        .filter(person__authorships__publication_id__in=publications)
        .order_by("person_id", "name")
        .values_list("person_id", "name")
        .distinct()
    ):
        variants[person_id].append(name)
    keywords = {pk: [] for pk in publications}
    for publication_id, slug, name_ja, name_en in (
        PublicationKeyword._base_manager.using(using)
        .filter(publication_id__in=publications)
        .order_by("publication_id", "keyword__slug")
        .values_list("publication_id", "keyword__slug", "keyword__name_ja", "keyword__name_en")
    ):
        keywords[publication_id].append(KeywordNames(slug, name_ja, name_en))
    checked = {}
    for pk, row in publications.items():
        authors = [
            AuthorNames(
                authorship["as_printed"],
                *(authorship[field] for field in person_fields),
                variants=variants[authorship["person_id"]],
            )
            for authorship in authorships[pk]
        ]
        text, tokens = publication_document(
            **{name: row[name] for name in PUBLICATION_FIELDS},
            keywords=keywords[pk],
            authors=authors,
        )
        entry = (*(row[name] for name in ENTRY_FIELDS), text)
        stale = (row["search_text"], row["search_tokens"]) != (text, tokens)
        checked[pk] = CheckedDocument(
            stale=stale,
            # The entry copies the tokens too (as a tsvector, not compared here).
            entry_stale=bool(stored_entry)
            and (stale or tuple(row[name] for name in stored_entry) != entry),
            text=text,
            tokens=tokens,
            entry=entry,
        )
    return checked


def refresh(pks, using="default", apps=global_apps):
    """Recompute the search documents of these publications; returns how many changed.

    Works in batches of BATCH_SIZE: a few reads and at most two bulk writes per
    batch (the publications' documents, their search entries), whatever the
    number of authors or keywords. Rows that are already right are not written.
    """
    Publication = _model(apps, "Publication")
    has_entries = index_model(apps, "SearchEntry") is not None
    pks = sorted({pk for pk in pks if pk is not None})
    changed = 0
    for start in range(0, len(pks), BATCH_SIZE):
        documents = check_documents(pks[start : start + BATCH_SIZE], using, apps)
        stale = [
            Publication(pk=pk, search_text=document.text, search_tokens=document.tokens)
            for pk, document in documents.items()
            if document.stale
        ]
        publications = Publication._base_manager.using(using)
        if len(stale) == 1:
            publications.filter(pk=stale[0].pk).update(
                search_text=stale[0].search_text, search_tokens=stale[0].search_tokens
            )
        elif stale:
            publications.bulk_update(stale, ["search_text", "search_tokens"], batch_size=BATCH_SIZE)
        entries = {pk: document for pk, document in documents.items() if document.entry_stale}
        if has_entries and entries:
            rows = [(pk, *document.entry, document.tokens) for pk, document in entries.items()]
            _write_entries(apps, rows, using)
        changed += len({publication.pk for publication in stale} | set(entries))
    return changed


def _write_words(apps, words, using):
    """Add words to the SearchWord table (those already there stay)."""
    Word = index_model(apps, "SearchWord")
    if Word is not None and words:
        Word._base_manager.using(using).bulk_create(
            [Word(word=word) for word in sorted(words)], batch_size=2000, ignore_conflicts=True
        )


def _write_entries(apps, rows, using):
    """Insert or replace search entries and their pairs.

    ``rows``: (pk, is_published, year, month, text, tokens). Every entry gets its
    pairs row, empty or not, so that pairs a paper no longer has are gone.
    """
    Entry, Pairs = index_model(apps, "SearchEntry"), index_model(apps, "SearchPairs")
    entries, pairs, all_words = [], [], set()
    for pk, is_published, year, month, text, tokens in rows:
        words, word_pairs = split_lexemes(tokens)
        all_words |= words_among(words)
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
        entries, update_fields=[*ENTRY_FIELDS, "text", "vector"], **upsert
    )
    if pairs:
        Pairs._base_manager.using(using).bulk_create(pairs, update_fields=["vector"], **upsert)


def write_entries(publications, using="default"):
    """Give publications just inserted in bulk (with their documents) their search entries.

    For writers that fill ``search_text`` / ``search_tokens`` themselves
    (``publication_document``) and skip ``refresh()`` (the BibTeX import): one bulk
    insert, nothing read back.
    """
    rows = [
        (p.pk, p.is_published, p.year, p.month, p.search_text, p.search_tokens)
        for p in publications
    ]
    if rows:
        _write_entries(global_apps, rows, using)


def fill_words(using="default", apps=global_apps):
    """Make SearchWord hold every word of every document (rebuild, migration 0006)."""
    tokens = (
        _model(apps, "Publication")
        ._base_manager.using(using)
        .order_by("pk")
        .values_list("search_tokens", flat=True)
    )
    words = set()
    for lexemes in tokens.iterator(chunk_size=BATCH_SIZE):
        words |= words_among(lexemes)
        if len(words) > WORDS_PER_WRITE:
            _write_words(apps, words, using)
            words = set()
    _write_words(apps, words, using)


def refresh_keyword_keys(using="default", apps=global_apps):
    """Recompute every keyword's normalised names; returns (checked, changed)."""
    keywords = _model(apps, "Keyword")._base_manager.using(using)
    checked = list(keywords.only("name_ja", "name_en", "name_key_ja", "name_key_en"))
    stale = []
    for keyword in checked:
        keys = normalise_key(keyword.name_ja), normalise_key(keyword.name_en)
        if keys != (keyword.name_key_ja, keyword.name_key_en):
            keyword.name_key_ja, keyword.name_key_en = keys
            stale.append(keyword)
    keywords.bulk_update(stale, ["name_key_ja", "name_key_en"], batch_size=BATCH_SIZE)
    return len(checked), len(stale)


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
    publications = _model(apps, "Publication")._base_manager.using(using)
    pks = list(publications.order_by("pk").values_list("pk", flat=True))
    summary.publications = len(pks)
    summary.publications_changed = refresh(pks, using, apps)
    fill_words(using, apps)
    return summary
