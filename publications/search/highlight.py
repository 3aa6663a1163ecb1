"""Matched words marked in a result's title and in a snippet of its abstract.

What is marked is what the search matched, synonyms and word forms included:
every way of matching every term of the query (``SearchQuery.alternatives()``),
compared as search compares text. The text is cut into words and Japanese runs
where it stands; each piece is folded on its own (NFKC, casefold, accents), so a
mark always covers the characters as printed:

* a Latin way of matching (``spectr``, ``battery`` whole, ``electron energy
  loss``) marks the words it matches, whole (``<mark>spectroscopy</mark>``);
* a Japanese one marks its occurrences inside a Japanese run (``欠陥`` inside
  ``格子欠陥``), when folding kept the run's length (it does except for half-width
  kana, where nothing is marked).

The result is built from escaped pieces (``format_html``, ``escape``): a title
``<script>`` or ``&amp;`` is shown as typed, never as markup.
"""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .text import JAPANESE_SCRIPT, fold

# Words and Japanese runs as they stand in the text (not folded).
PIECE = re.compile(rf"((?:(?=[{JAPANESE_SCRIPT}])[^\W_])+)|((?:(?![{JAPANESE_SCRIPT}])[^\W_])+)")
# A snippet: about this many characters of the abstract around its first mark.
SNIPPET_CHARS = 220


def _spans(text, alternatives):
    """[(start, end)] of the text to mark, merged and in order."""
    pieces = []  # (start, end, folded, japanese)
    for match in PIECE.finditer(text):
        japanese = match.group(1) is not None
        pieces.append((match.start(), match.end(), fold(match.group()), japanese))
    spans = []
    for term in alternatives:
        words = [t.text for t in term.tokens]
        if term.tokens[0].japanese:
            if len(term.tokens) != 1:
                continue
            needle = words[0]
            for start, end, folded, japanese in pieces:
                if not japanese or len(folded) != end - start:
                    continue
                at = folded.find(needle)
                while at >= 0:
                    spans.append((start + at, start + at + len(needle)))
                    at = folded.find(needle, at + 1)
            continue
        if any(t.japanese for t in term.tokens):
            continue
        n = len(words)
        for i in range(len(pieces) - n + 1):
            run = pieces[i : i + n]
            if any(japanese for *_, japanese in run):
                continue
            folded = [piece[2] for piece in run]
            last_ok = folded[-1] == words[-1] if term.whole else folded[-1].startswith(words[-1])
            if folded[:-1] == words[:-1] and last_ok:
                spans.append((run[0][0], run[-1][1]))
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text, spans):
    parts, at = [], 0
    for start, end in spans:
        parts.append(escape(text[at:start]))
        parts.append(format_html("<mark>{}</mark>", text[start:end]))
        at = end
    parts.append(escape(text[at:]))
    # Every piece is escaped text or format_html's output: safe to join.
    return mark_safe("".join(parts))


def highlight(text, query):
    """``text`` escaped with what ``query`` matched in ``<mark>``; None if nothing matched."""
    if not text or query.is_blank:
        return None
    spans = _spans(text, query.alternatives())
    return _marked(text, spans) if spans else None


def snippet(text, query, size=SNIPPET_CHARS):
    """About ``size`` characters of ``text`` around its first match, marked; None if none."""
    if not text or query.is_blank:
        return None
    text = " ".join(text.split())
    spans = _spans(text, query.alternatives())
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, first - size // 3)
    if start:
        # Begin at a word: after the space before the cut, if there is one nearby.
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + size // 2 else end
    window = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    body = _marked(text[start:end], window)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return format_html("{}{}{}", prefix, body, suffix)
