"""Text as search sees it: folded (NFKC + casefold), cut into tokens, tokens into lexemes.

Documents and queries go through the same steps, so that ``ＥＬＮＥＳ`` finds
``ELNES`` and ``ｶﾀｶﾅ`` finds ``カタカナ`` on every database.

* **Folding** (``fold``): Unicode NFKC, then casefold, then NFKC again (casefolding
  can denormalise). Full-width Latin, half-width katakana, ligatures and
  subscripts become their plain forms; ``Ö`` and ``ö``, ``ß`` and ``ss`` compare equal.
* **Tokens** (``tokenise``): a maximal run of Japanese script (kanji, hiragana,
  katakana) is one Japanese token; a maximal run of other letters and digits is one
  word. Everything else — spaces, punctuation, ``%``, ``_``, ``\\``, quotes — only
  separates tokens, so it can never act as a ``LIKE`` wildcard or tsquery syntax.
* **Lexemes** (``segment_of``): what PostgreSQL's index stores for a piece of text:
  each word (its first MAX_LEXEME_CHARS characters); each two adjacent words as one
  *pair* lexeme (``~lattice~defects``); each Japanese run as its overlapping
  two-character bigrams plus its last character (``格子欠陥`` → ``格子 子欠 欠陥 陥``),
  so that a Japanese term of any length is an AND of bigrams.
"""

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

# Words longer than this are indexed by their first MAX_LEXEME_CHARS characters.
MAX_LEXEME_CHARS = 64
# Starts and joins the lexeme of two adjacent words (``~lattice~defects``). It is never
# part of a token, and no word's prefix (``lat:*``) reaches a pair.
PAIR_MARK = "~"
# Text up to this length is analysed once and remembered (see segment_of).
CACHED_SEGMENT_CHARS = 120

# Japanese script, as ranges for a regular expression's character class: ideographs
# (and 々〆〇, repeat marks), hiragana, katakana. Half-width katakana become
# full-width under NFKC before this is applied. (publications/names.py has its own,
# narrower test of whether a printed name is Japanese.)
JAPANESE_SCRIPT = (
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3041-\u309f\u30a0-\u30ff"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
JAPANESE_CHARACTER = re.compile(f"[{JAPANESE_SCRIPT}]")
# A token is a run of letters/digits ([^\W_]) that are all Japanese, or all not.
TOKEN_PATTERN = re.compile(
    rf"((?:(?=[{JAPANESE_SCRIPT}])[^\W_])+)|((?:(?![{JAPANESE_SCRIPT}])[^\W_])+)"
)


# Letters that carry no combining mark under NFD but that readers fold all the same
# (Ørsted, Łódź, æ and œ as in older spellings; ß is casefolded to ss already).
LETTER_FOLDS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
# Combining marks that change a Japanese kana (dakuten, handakuten) are kept: ガ is not カ.
KANA_MARKS = {"\u3099", "\u309a"}


def _without_accents(text):
    """Latin (and Greek, Cyrillic) letters without their accents: Rühle = Ruhle, Å = A."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if c in KANA_MARKS or not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(LETTER_FOLDS)


def fold(text):
    """NFKC + casefold (NFKC again, as casefolding can denormalise), accents dropped, no NUL.

    ``Rühle`` = ``Ruhle``, ``Ångström`` = ``angstrom``, ``ﬁ`` = ``fi``: people type
    names and units without their accents; Japanese kana keep their voicing marks.
    """
    text = unicodedata.normalize("NFKC", str(text or "").replace("\x00", ""))
    text = unicodedata.normalize("NFKC", text.casefold())
    return _without_accents(text)


def normalise_key(text):
    """The form in which a keyword name must equal the query: folded, spaces collapsed."""
    return " ".join(fold(text).split())


@dataclass(frozen=True)
class Token:
    text: str
    japanese: bool


def tokenise(folded_text):
    """Tokens of already folded text, in order."""
    return [
        Token(japanese or word, bool(japanese))
        for japanese, word in TOKEN_PATTERN.findall(folded_text or "")
    ]


def token_lexemes(token):
    """What the PostgreSQL index stores for one document token."""
    if not token.japanese:
        return [token.text[:MAX_LEXEME_CHARS]]
    text = token.text
    return [text[i : i + 2] for i in range(len(text) - 1)] + [text[-1]]


def pair_lexeme(first, second):
    """The lexeme of two words next to each other: ``~lattice~defects``."""
    return f"{PAIR_MARK}{first[:MAX_LEXEME_CHARS]}{PAIR_MARK}{second[:MAX_LEXEME_CHARS]}"


def pair_lexemes(tokens):
    """Lexemes of every two adjacent words of a segment (not Japanese runs)."""
    return (
        pair_lexeme(a.text, b.text)
        for a, b in itertools.pairwise(tokens)
        if not a.japanese and not b.japanese
    )


class Segment(NamedTuple):
    """One field value as a document holds it."""

    text: str  # its tokens joined by single spaces
    lexemes: frozenset


def segment_of(text):
    """The ``Segment`` of one field value (a title, a keyword name, a spelling of a name).

    Short values are remembered: names, venues and keywords repeat across documents
    (an import or a rebuild computes thousands at once); titles and abstracts do not.
    """
    if len(text) <= CACHED_SEGMENT_CHARS:
        return _remembered_segment(text)
    return _analyse(text)


@functools.lru_cache(maxsize=20_000)
def _remembered_segment(text):
    return _analyse(text)


def _analyse(text):
    tokens = tokenise(fold(text))
    lexemes = {lexeme for token in tokens for lexeme in token_lexemes(token)}
    lexemes.update(pair_lexemes(tokens))
    return Segment(" ".join(t.text for t in tokens), frozenset(lexemes))


def split_lexemes(lexemes):
    """(words and bigrams, pairs) of a document's lexemes (text joined by spaces), the same.

    The search entry's vector holds the first, SearchPairs the second: a search that
    walks the entries reads every row's vector, and pairs would double its size.
    """
    words, pairs = [], []
    for lexeme in lexemes.split():
        (pairs if lexeme.startswith(PAIR_MARK) else words).append(lexeme)
    return " ".join(words), " ".join(pairs)


def words_among(lexemes):
    """The words among lexemes (text joined by spaces): not Japanese bigrams, not pairs."""
    return {
        lexeme
        for lexeme in lexemes.split()
        if not lexeme.startswith(PAIR_MARK) and not JAPANESE_CHARACTER.match(lexeme)
    }
