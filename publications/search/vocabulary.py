"""The vocabulary of the field, as search reads it: every keyword is a term.

A ``Keyword`` has a Japanese and an English name and other spellings (``aliases_ja``,
``aliases_en``: one per line — synonyms, abbreviations and their expansions,
variants, katakana and kanji forms). A query that names a term by any of them
searches for all of them (publications/search/query.py).

The whole vocabulary is read in one query and kept in this worker's memory under
the content version (``freshness.cached``): a keyword saved in the admin bumps the
version, so the next search reads it again — never a stale vocabulary.

Spellings are compared as search sees text: folded and cut into tokens
(``first-principles`` = ``First principles``), and also by the stem keys of their
words (``grain boundaries`` names the term ``grain boundary``).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps as global_apps

from .. import freshness
from .forms import stem_key
from .text import fold, tokenise

# The longest run of query words compared with the vocabulary's spellings.
MAX_RUN_WORDS = 6
# A Japanese query this long or longer that starts a term's Japanese spelling names it
# (内殻励起 names 内殻励起分光), unless it starts the spellings of more terms than this.
MIN_JAPANESE_START = 3
MAX_JAPANESE_START_TERMS = 3
CACHE_KEY = "search-vocabulary"


def spelling_tokens(text):
    """A spelling as a tuple of (token, japanese) pairs; () if it has no letters."""
    return tuple((t.text, t.japanese) for t in tokenise(fold(text)))


def key_of(tokens):
    return " ".join(text for text, _ in tokens)


def spelling_key(text):
    """How two spellings compare: as a query names them, folded and cut into tokens
    (``First-principles`` = ``first principles``). The loader and the admin refuse a
    spelling two keywords would share by this same key."""
    return key_of(spelling_tokens(text))


def stem_key_of(tokens):
    return " ".join(text if japanese else stem_key(text) for text, japanese in tokens)


@dataclass(frozen=True)
class Vocabulary:
    """Terms (keyword ids) by spelling; each term's spellings as token tuples."""

    by_key: dict  # "electron energy loss spectroscopy" -> (keyword ids)
    by_stem_key: dict  # the same, words by their stem keys
    japanese: dict  # a spelling that is one Japanese run -> (keyword ids)
    longest_japanese: int
    spellings: dict  # keyword id -> (spelling tokens, ...)
    # keyword id -> the ids of its narrower terms, nearest first, all the way down
    narrower: dict = field(default_factory=dict)

    def family(self, pk):
        """The term and its narrower terms (nearest first): what a query naming it finds."""
        return (pk, *self.narrower.get(pk, ()))

    def terms_started(self, text):
        """The ids of the few terms a Japanese spelling of which starts with ``text``.

        Japanese runs have no spaces, so a student types the stem of a term (内殻励起
        for 内殻励起分光, 電子顕微 for 電子顕微鏡): as a Latin word start finds the words
        it starts. A short or common start (電子) names nothing rather than everything.
        """
        if len(text) < MIN_JAPANESE_START:
            return ()
        ids = {
            pk for spelling, pks in self.japanese.items() if spelling.startswith(text) for pk in pks
        }
        return tuple(sorted(ids)) if len(ids) <= MAX_JAPANESE_START_TERMS else ()

    def terms_named(self, tokens):
        """The ids of the terms one of whose spellings is ``tokens`` (as a query names it)."""
        if not tokens:
            return ()
        return self.by_key.get(key_of(tokens)) or self.by_stem_key.get(stem_key_of(tokens), ())


def build(rows):
    """A Vocabulary from rows of (id, name_ja, name_en, aliases_ja, aliases_en, broader id).

    A term with several broader terms comes once per broader term (one query reads
    the keywords with the relation); the rest of its row is the same each time.
    """
    by_key, by_stem_key, japanese, spellings = {}, {}, {}, {}
    children = defaultdict(list)  # broader id -> narrower ids
    for pk, name_ja, name_en, aliases_ja, aliases_en, broader in rows:
        if broader is not None and pk not in children[broader]:
            children[broader].append(pk)
        if pk in spellings:
            continue
        lines = [name_ja, name_en, *(aliases_ja or "").splitlines()]
        lines += (aliases_en or "").splitlines()
        own = []
        for line in lines:
            tokens = spelling_tokens(line or "")
            if not tokens or tokens in own:
                continue
            own.append(tokens)
            by_key.setdefault(key_of(tokens), set()).add(pk)
            by_stem_key.setdefault(stem_key_of(tokens), set()).add(pk)
            if len(tokens) == 1 and tokens[0][1] and len(tokens[0][0]) >= 2:
                japanese.setdefault(tokens[0][0], set()).add(pk)
        spellings[pk] = tuple(own)

    def frozen(mapping):
        return {key: tuple(sorted(ids)) for key, ids in mapping.items()}

    return Vocabulary(
        by_key=frozen(by_key),
        by_stem_key=frozen(by_stem_key),
        japanese=frozen(japanese),
        longest_japanese=max(map(len, japanese), default=0),
        spellings=spellings,
        narrower={pk: descendants(pk, children) for pk in children},
    )


def descendants(pk, children):
    """Every narrower term below ``pk``, breadth first (nearest first); cycles stop."""
    found, queue = [], list(children.get(pk, ()))
    while queue:
        child = queue.pop(0)
        if child == pk or child in found:
            continue
        found.append(child)
        queue += children.get(child, ())
    return tuple(found)


def read(using="default"):
    """The vocabulary as the database holds it now (one query, the broader relation joined)."""
    Keyword = global_apps.get_model("publications", "Keyword")
    rows = (
        Keyword._base_manager.using(using)
        .order_by("pk")
        .values_list("pk", "name_ja", "name_en", "aliases_ja", "aliases_en", "broader")
    )
    return build(rows)


def current(using="default"):
    """The vocabulary, read once per content version (every write bumps the version)."""
    if using != "default":
        return read(using)
    return freshness.cached(CACHE_KEY, read)
