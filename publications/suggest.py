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
