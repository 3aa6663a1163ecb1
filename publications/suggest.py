"""Suggestions for the header's search box: vocabulary terms as the visitor types.

Every keyword is a term of the vocabulary, whether or not it tags a paper: a term
that tags none still widens a search (docs/search.md), so it is suggested too, after
the terms with published papers. A keyword that tags only unpublished papers (one
an unpublished import brought) is not suggested: visitors must not learn of it.
A term is found by its names and its other spellings in both languages, folded as
search folds them (NFKC, case), by a prefix of the whole name, of one of its words,
or (a Japanese query: Japanese has no spaces) anywhere in it.

The terms are read once per worker and content version (a few hundred: one query);
a suggestion costs no query. Bounded: the query is cut to MAX_QUERY_CHARS, at most
MAX_SUGGESTIONS come back.
"""

import difflib
import re
import unicodedata

from . import freshness, search
from .models import Keyword
from .models.keywords import alias_lines
from .search.text import JAPANESE_CHARACTER

MAX_QUERY_CHARS = 50
MAX_SUGGESTIONS = 8

# A match of the query at the start of a name, of a word in it, anywhere in it.
WHOLE, WORD, INSIDE = 0, 1, 2


def fold(text):
    """A name or a query as suggestions compare them: folded, hyphens as spaces."""
    return search.normalise_key(str(text or "").replace("-", " ").replace("‐", " "))


def terms():
    """[(spellings, names, has_papers)]: each keyword's folded spellings with the text
    and language of each ([(folded, text, lang)]) and its names ({lang: name})."""

    def read():
        keywords = Keyword.objects.only(
            "slug", "name_ja", "name_en", "aliases_ja", "aliases_en"
        ).annotate(
            has_papers=Keyword.objects.has_published_papers(),
            tags_any=Keyword.objects.has_papers(),
        )
        vocabulary = []
        for keyword in keywords.order_by("slug"):
            if keyword.tags_any and not keyword.has_papers:
                continue  # known only from unpublished papers (an import kept unpublished)
            # NULL in a language nobody named it in (a keyword an import created).
            names = {
                lang: (getattr(keyword, f"name_{lang}") or "").strip() for lang in ("ja", "en")
            }
            spellings = [(fold(text), text, lang) for lang, text in names.items() if text]
            for lang in ("ja", "en"):
                for alias in alias_lines(getattr(keyword, f"aliases_{lang}")):
                    spellings.append((fold(alias), alias, lang))
            spellings = [s for s in spellings if s[0]]
            if spellings:
                vocabulary.append((spellings, names, keyword.has_papers))
        return vocabulary

    return freshness.cached("suggest:vocabulary", read)


def match_quality(query, folded, japanese):
    if folded.startswith(query):
        return WHOLE
    if " " + query in folded:  # from the start of a later word
        return WORD
    # Inside a word only for Japanese, written without spaces: "eels" is in "steels".
    if japanese and query in folded:
        return INSIDE
    return None


def suggest(q, language):
    """Up to MAX_SUGGESTIONS terms for the query `q`, best first, for a page in `language`.

    Each is {"value": the name to search for (in `language`, else the other), "lang":
    its language, "detail": the spelling that matched or the other language's name,
    "detail_lang"}. Never raises on any text.
    """
    query = fold(str(q or "")[:MAX_QUERY_CHARS])
    if not query:
        return []
    other = "en" if language == "ja" else "ja"
    japanese = bool(JAPANESE_CHARACTER.search(query))
    found = []
    for spellings, names, has_papers in terms():
        best = None
        for folded, text, lang in spellings:
            quality = match_quality(query, folded, japanese)
            if quality is not None and (best is None or quality < best[0]):
                best = (quality, text, lang)
        if best is None:
            continue
        quality, matched, matched_lang = best
        lang = language if names[language] else other
        value = names[lang]
        if fold(matched) != fold(value):
            detail, detail_lang = matched, matched_lang
        else:  # the other language's name, when it says something more
            detail_lang = "en" if lang == "ja" else "ja"
            detail = names[detail_lang] if fold(names[detail_lang]) != fold(value) else ""
        found.append(
            (
                # The closest spelling first: the shortest of those matched as well.
                (quality, not has_papers, len(matched), fold(value)),
                {"value": value, "lang": lang, "detail": detail, "detail_lang": detail_lang},
            )
        )
    found.sort(key=lambda item: item[0])
    return [suggestion for _key, suggestion in found[:MAX_SUGGESTIONS]]


# "Did you mean" on a search that found nothing: how close a spelling must be to the
# word typed (difflib's ratio: 0.8 for two swapped letters of five, ELNSE / ELNES;
# 0.75 for one wrong kanji of four, 機会学習 / 機械学習, the commonest slip of a
# Japanese input method), at most this many words corrected, and the shortest word
# corrected (shorter ones are abbreviations: a letter off is another abbreviation).
CLOSE_ENOUGH = 0.75
MAX_CORRECTED_WORDS = 4
MIN_CORRECTED_CHARS = 4
_WORD_BREAK = re.compile(r"[\s\-‐]+")


def spellings_by_length():
    """{length: {folded spelling or word of one: as written}} of every vocabulary term,
    kept with terms() until the content changes."""

    def read():
        by_length = {}
        for term_spellings, _names, _has_papers in terms():
            for folded, text, _lang in term_spellings:
                by_length.setdefault(len(folded), {}).setdefault(folded, text)
                parts, written = folded.split(), _WORD_BREAK.split(text.strip())
                if len(written) != len(parts):
                    written = parts
                for part, word in zip(parts, written, strict=True):
                    if len(part) >= MIN_CORRECTED_CHARS:
                        by_length.setdefault(len(part), {}).setdefault(part, word)
        return by_length

    return freshness.cached("suggest:spellings", read)


def _closest(word, by_length):
    """(spelling as written, True) of the spelling closest to `word`, or (word, False);
    only spellings of about its length can be close enough."""
    if len(word) < MIN_CORRECTED_CHARS or word in by_length.get(len(word), {}):
        return word, False
    spread = max(2, len(word) // 4)
    candidates = {}
    for length in range(len(word) - spread, len(word) + spread + 1):
        candidates.update(by_length.get(length, {}))
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=CLOSE_ENOUGH)
    return (candidates[close[0]], True) if close else (word, False)


def did_you_mean(q):
    """The query with each word that is no term's spelling replaced by the closest
    spelling of a vocabulary term ("ELNSE" → "ELNES", "機会学習" → "機械学習",
    "machne lerning" → "machine learning"), or "" when nothing is close. Every term,
    with papers or not: a term widens the search to its other spellings and broader
    terms (docs/search.md). Costs no query once the vocabulary is read; never raises."""
    text = str(q or "")[:MAX_QUERY_CHARS]
    query = fold(text)
    words = query.split()
    if not words or len(words) > MAX_CORRECTED_WORDS:
        return ""
    by_length = spellings_by_length()
    if query in by_length.get(len(query), {}):
        return ""
    if len(words) > 1:  # several words of one term, misspelt together
        whole, changed = _closest(query, by_length)
        if changed:
            return whole
    typed = _WORD_BREAK.split(unicodedata.normalize("NFKC", text).strip())
    if len(typed) != len(words):
        typed = words
    corrected = [_closest(word, by_length) for word in words]
    if not any(changed for _word, changed in corrected):
        return ""
    pairs = zip(corrected, typed, strict=True)
    return " ".join(word if changed else as_typed for (word, changed), as_typed in pairs)
