"""What a visitor typed, parsed: terms, what each must match, and PostgreSQL's lexemes.

**Semantics.** A query is split into terms at white space (a full-width space
too); "double quotes" keep a phrase together (curly quotes count, an unclosed one
quotes the rest); terms are ANDed. A term matches when its tokens occur
consecutively inside one segment of a document, where a Japanese token may sit
anywhere inside a run of Japanese (``欠陥`` finds ``格子欠陥``) and a word must
start a word (``spectr`` finds ``spectroscopy``, ``pectro`` does not). Only the
first MAX_QUERY_CHARS characters and MAX_TERMS terms count. A pasted DOI link
searches for the DOI.

**On PostgreSQL** a term becomes an AND of lexemes that every real match contains
(bigrams, pairs, ``word:*`` prefixes: ``Term.lexemes``). A single word, a phrase of
two words, or a Japanese term of one or two characters is decided by them alone
(``Term.exact``); longer terms are re-checked with the same ``LIKE`` as SQLite, so
both databases return the same rows. A word prefix is sent to the index as the
words it starts (``expand_prefixes``), which GIN answers far faster.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.db.models import Value

from .text import JAPANESE_CHARACTER, MAX_LEXEME_CHARS, PAIR_MARK, fold, pair_lexeme, tokenise

# The first MAX_QUERY_CHARS characters of a query are used, and at most MAX_TERMS terms.
MAX_QUERY_CHARS = 200
MAX_TERMS = 10
# At most this many index lexemes per term (any subset still finds every match).
MAX_LEXEMES_PER_TERM = 8
# A word prefix of a query (``mach``) becomes the words it starts when there are at
# most this many (``machine | machines``): GIN scans a prefix slowly (docs/search.md).
MAX_EXPANSION = 16

CURLY_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u301d\u301e\u301f", '"'))
# A "quoted phrase" (closed or not), or a run of anything but spaces and quotes.
QUERY_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
# A pasted DOI link searches for the DOI itself (as publications store DOIs bare).
DOI_LINK_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)")
# A word prefix among tsquery operands: 'mach':* (not a pair, which has a ~).
WORD_PREFIX_OPERAND = re.compile(r"'([^'~]+)':\*")


@dataclass(frozen=True)
class Term:
    """One word or "quoted phrase" of a query, as tokens."""

    tokens: tuple

    @property
    def pattern(self):
        """What ``search_text`` must contain: `` word…`` starts a word; Japanese, anywhere."""
        text = " ".join(t.text for t in self.tokens)
        return text if self.tokens[0].japanese else f" {text}"

    @property
    def exact(self):
        """Whether the PostgreSQL index alone decides this term (no LIKE re-check needed).

        A single word, a Japanese term of one or two characters, and a phrase of two
        words (its pair lexeme: the first word whole, then a word the second starts).
        """
        if len(self.tokens) == 2:
            return not any(t.japanese or len(t.text) > MAX_LEXEME_CHARS for t in self.tokens)
        if len(self.tokens) != 1:
            return False
        token = self.tokens[0]
        return len(token.text) <= 2 if token.japanese else len(token.text) <= MAX_LEXEME_CHARS

    def lexemes(self):
        """tsquery operands that every matching document contains."""
        wanted = []
        tokens = self.tokens
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            text = token.text
            if not token.japanese:
                # A word followed by another token is whole; the last may be a prefix.
                # Two adjacent words are one pair lexeme, which holds both words.
                if i < last and not tokens[i + 1].japanese:
                    pair = pair_lexeme(text, tokens[i + 1].text)
                    wanted.append(f"'{pair}'" if i + 1 < last else f"'{pair}':*")
                elif i == 0 or tokens[i - 1].japanese:
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
    # words_tsquery() per database, read once per parsed query (not compared).
    _expansions: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, q):
        """The query ``q`` (a string, None, or already a SearchQuery) parsed."""
        if isinstance(q, SearchQuery):
            return q
        text = q if isinstance(q, str) else ("" if q is None else str(q))
        text = text.replace("\x00", "")[:MAX_QUERY_CHARS]
        # Lone surrogates cannot be sent to a database: replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
        text = fold(text).translate(CURLY_QUOTES)
        terms = []
        for phrase, word in QUERY_PART.findall(text):
            tokens = tuple(tokenise(phrase or DOI_LINK_PREFIX.sub("", word)))
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
        lexemes = (lexeme for term in self.terms for lexeme in term.lexemes())
        if pairs is not None:
            lexemes = (lexeme for lexeme in lexemes if lexeme.startswith(f"'{PAIR_MARK}") == pairs)
        return " & ".join(dict.fromkeys(lexemes))

    def words_tsquery(self, using):
        """PostgreSQL: the lexemes other than pairs, word prefixes expanded (one query, once)."""
        if using not in self._expansions:
            self._expansions[using] = expand_prefixes(self.tsquery(pairs=False), using)
        return self._expansions[using]


def expand_prefixes(tsquery, using="default"):
    """PostgreSQL: a tsquery's text with its word prefixes replaced by the words they start.

    ``'mach':* & 'learn':*`` becomes ``('machine' | 'machines') & ('learning')``
    when SearchWord holds 1 to MAX_EXPANSION words a prefix starts; otherwise the
    prefix stays. One query reads the words of every prefix. GIN answers ORed words
    through its posting lists, a prefix by collecting every match of every word it
    starts into a bitmap, several times slower (docs/search.md). The words are sent
    as literals, so the planner sees how common they are — an expansion computed
    inside the statement hid that from it. Japanese and pair prefixes stay.
    """
    parts = tsquery.split(" & ")
    prefix_of = {}  # part -> the word prefix it is
    for part in parts:
        match = WORD_PREFIX_OPERAND.fullmatch(part)
        if match and not JAPANESE_CHARACTER.match(match[1]):
            prefix_of[part] = match[1]
    if not prefix_of:
        return tsquery
    words = global_apps.get_model("publications", "SearchWord")._base_manager.using(using)
    found = [
        words.filter(word__startswith=prefix)
        .annotate(prefix=Value(prefix))
        .values_list("prefix", "word")
        .order_by()[: MAX_EXPANSION + 1]
        for prefix in dict.fromkeys(prefix_of.values())
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
