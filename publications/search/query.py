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
from django.db import connections
from django.db.models import Q, Value

from . import vocabulary
from .forms import IRREGULAR_PLURALS, SINGULARS, forms_of, shared_start, stem_key
from .text import (
    JAPANESE_CHARACTER,
    MAX_LEXEME_CHARS,
    PAIR_MARK,
    Token,
    fold,
    pair_lexeme,
    tokenise,
)

# The first MAX_QUERY_CHARS characters of a query are used, and at most MAX_TERMS terms.
MAX_QUERY_CHARS = 200
MAX_TERMS = 10
# At most this many index lexemes per term (any subset still finds every match).
MAX_LEXEMES_PER_TERM = 8
# A word prefix of a query (``mach``) becomes the words it starts when there are at
# most this many (``machine | machines``): GIN scans a prefix slowly (docs/search.md).
MAX_EXPANSION = 16
# At most this many ways of matching one term of a query (as typed, the vocabulary's
# spellings, word forms): each is a LIKE on SQLite and a branch of the tsquery.
MAX_ALTERNATIVES = 24
# A vocabulary spelling's last word is matched by the start its forms share
# (``grain boundar``: boundary, boundaries) when that start is at least this long.
MIN_SHARED_START = 5
# A vocabulary spelling of one word this short is an abbreviation, matched whole.
MAX_ABBREVIATION_CHARS = 4
# What is left of a Japanese query around the terms it names is cut at hiragana
# (particles, okurigana: を用いた, による), and only runs of two or more other
# characters stay terms (観察 in 電子顕微鏡による観察; not 用).
HIRAGANA = re.compile("[\u3041-\u309f]+")
MIN_LEFTOVER_CHARS = 2

CURLY_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u301d\u301e\u301f", '"'))
# A "quoted phrase" (closed or not), or a run of anything but spaces and quotes.
QUERY_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
# A pasted DOI link searches for the DOI itself (as publications store DOIs bare).
DOI_LINK_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)")
# A word prefix among tsquery operands: 'mach':* (not a pair, which has a ~).
WORD_PREFIX_OPERAND = re.compile(r"'([^'~]+)':\*")
# The same, found anywhere in a tsquery (which may have parentheses and ORs).
WORD_PREFIX_ANYWHERE = re.compile(r"'([^'~ ]+)':\*")


@dataclass(frozen=True)
class Term:
    """One way to match a query term: tokens in a row, the last word a prefix unless ``whole``."""

    tokens: tuple
    # A word form (``battery`` for ``batteries``): the whole word, not a word start.
    whole: bool = False

    @property
    def text(self):
        return " ".join(t.text for t in self.tokens)

    @property
    def pattern(self):
        """What ``search_text`` must contain: `` word…`` starts a word; Japanese, anywhere."""
        text = self.text
        if self.tokens[0].japanese:
            return text
        return f" {text} " if self.whole else f" {text}"

    @property
    def exact(self):
        """Whether the PostgreSQL index alone decides this term (no LIKE re-check needed).

        A single word, a Japanese term of one or two characters, and a phrase of two
        words (its pair lexeme: the first word whole, then a word the second starts).
        """
        if len(self.tokens) == 2:
            return not any(t.japanese or len(t.text) > MAX_LEXEME_CHARS for t in self.tokens)
        return self.exact_alone

    @property
    def exact_alone(self):
        """Whether its lexemes without pairs (``plain_lexemes``) decide it: one token."""
        if len(self.tokens) != 1:
            return False
        token = self.tokens[0]
        return len(token.text) <= 2 if token.japanese else len(token.text) <= MAX_LEXEME_CHARS

    def _last(self, operand, i, last):
        return f"'{operand}'" if i < last or self.whole else f"'{operand}':*"

    def lexemes(self, pairs=True):
        """tsquery operands that every matching document contains (``pairs``: may use pairs)."""
        wanted = []
        tokens = self.tokens
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            text = token.text
            if not token.japanese:
                # A word followed by another token is whole; the last may be a prefix.
                # Two adjacent words are one pair lexeme, which holds both words.
                if not pairs:
                    wanted.append(self._last(text[:MAX_LEXEME_CHARS], i, last))
                elif i < last and not tokens[i + 1].japanese:
                    pair = pair_lexeme(text, tokens[i + 1].text)
                    wanted.append(self._last(pair, i + 1, last))
                elif i == 0 or tokens[i - 1].japanese:
                    wanted.append(self._last(text[:MAX_LEXEME_CHARS], i, last))
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
class Group:
    """One term of a query and every way of matching it, ORed: as typed first, then the
    vocabulary's spellings of the term it names and the word's other forms."""

    typed: Term
    alternatives: tuple
    # The keyword ids of the vocabulary terms this part of the query names.
    named: tuple = ()
    # Quoted by the visitor: matched as typed only (no vocabulary, no word forms).
    literal: bool = False

    @property
    def label(self):
        return self.typed.text

    @property
    def single(self):
        return len(self.alternatives) == 1

    @property
    def needed(self):
        """The ways of matching that no other one covers: what the database must test.

        ``machine learning`` is a match of ``machine learn`` (a spelling's shared
        start): testing both only costs a LIKE. The others still rank (``typed``).
        """
        terms = self.alternatives
        return tuple(
            term
            for i, term in enumerate(terms)
            if not any(
                _covers(other, term) and (other.pattern != term.pattern or j < i)
                for j, other in enumerate(terms)
                if j != i
            )
        )

    def like(self):
        """The condition on ``text`` (SQLite decides with it; PostgreSQL re-checks)."""
        condition = Q()
        for term in self.needed:
            condition |= Q(text__contains=term.pattern)
        return condition

    @property
    def exact(self):
        """PostgreSQL's index decides (``tsquery()``): no LIKE re-check."""
        if self.single:
            return self.typed.exact
        return all(term.exact_alone for term in self.needed)

    def tsquery(self, pairs):
        """This term's tsquery (``pairs``: a single way may use pair lexemes)."""
        if self.single:
            return " & ".join(self.typed.lexemes(pairs=pairs))
        return (
            "("
            + " | ".join("(" + " & ".join(term.lexemes(pairs=False)) + ")" for term in self.needed)
            + ")"
        )


def _token_text(tokens):
    return tuple(Token(text, japanese) for text, japanese in tokens)


def _spelling_term(tokens):
    """A vocabulary spelling as a Term: its last word by the start its forms share.

    A spelling of one short word (an abbreviation: MI, DFT, TEM) is a whole word:
    as a word start, ``mi`` would find Mizoguchi and ``tem`` temperature.
    """
    tokens = _token_text(tokens)
    last = tokens[-1]
    if len(tokens) == 1 and not last.japanese and len(last.text) <= MAX_ABBREVIATION_CHARS:
        return Term(tokens, whole=True)
    if not last.japanese and last.text.isascii() and last.text.isalpha():
        word = last.text
        seeds = [word, stem_key(word), IRREGULAR_PLURALS.get(word, word), SINGULARS.get(word, word)]
        start = shared_start(seeds)
        if len(start) >= MIN_SHARED_START and start != word:
            tokens = (*tokens[:-1], Token(start, False))
    return Term(tokens)


def _covers(wider, term):
    """Whether every match of ``term`` is a match of ``wider``: a text containing
    ``term``'s pattern contains ``wider``'s when that is part of it (``machine learn``
    in ``machine learning``, `` eels`` in `` stem eels``, 粒界 in 結晶粒界)."""
    return wider.pattern in term.pattern


def _named_group(typed_tokens, ids, vocab):
    typed = Term(typed_tokens)
    alternatives = [typed]
    # The term's own spellings first, then its narrower terms' (EELS, then ELNES): the
    # cap keeps the nearest when a broad term has many.
    family = dict.fromkeys(pk for named in ids for pk in vocab.family(named))
    for pk in family:
        for spelling in vocab.spellings.get(pk, ()):
            term = _spelling_term(spelling)
            if term not in alternatives:
                alternatives.append(term)
    return Group(typed, tuple(alternatives[:MAX_ALTERNATIVES]), tuple(ids))


def _japanese_parts(text, vocab):
    """A Japanese run cut at the vocabulary's spellings inside it, longest first.

    [(part, term ids)]: ``第一原理計算を用いた粒界`` → 第一原理計算 (a term), を用いた (none),
    粒界 (a term). None when no spelling occurs in it.
    """
    parts, plain, i, found = [], "", 0, False
    while i < len(text):
        for length in range(min(vocab.longest_japanese, len(text) - i), 1, -1):
            ids = vocab.japanese.get(text[i : i + length])
            if ids:
                if plain:
                    parts.append((plain, ()))
                    plain = ""
                parts.append((text[i : i + length], ids))
                i += length
                found = True
                break
        else:
            plain += text[i]
            i += 1
    if plain:
        parts.append((plain, ()))
    return parts if found else None


def _script_runs(tokens):
    """Tokens cut where Japanese script meets other letters: (stem, 観察) → (stem,), (観察,)."""
    runs = []
    for token in tokens:
        if runs and runs[-1][-1].japanese == token.japanese:
            runs[-1] = (*runs[-1], token)
        else:
            runs.append((token,))
    return runs


def _groups(units, vocab):
    """The query's parts (token tuples, quoted or not) as groups, vocabulary applied."""
    groups = []
    i = 0
    while i < len(units):
        tokens, quoted = units[i]
        if quoted:
            # A "quoted phrase" asks for those words as typed: no vocabulary, no forms.
            # It still names the term for the heading ("Papers with this keyword").
            named = vocab.terms_named(tuple((t.text, t.japanese) for t in tokens))
            groups.append(Group(Term(tokens), (Term(tokens),), tuple(named), literal=True))
            i += 1
            continue
        # The longest run of unquoted parts that names a term, from here.
        run_end = i + 1
        while (
            run_end < len(units)
            and run_end - i < vocabulary.MAX_RUN_WORDS
            and not units[run_end][1]
        ):
            run_end += 1
        for end in range(run_end, i, -1):
            run = tuple(t for part, _ in units[i:end] for t in part)
            ids = vocab.terms_named(tuple((t.text, t.japanese) for t in run))
            if ids:
                groups.append(_named_group(run, ids, vocab))
                i = end
                break
        else:
            parts = None
            started = ()
            if len(tokens) == 1 and tokens[0].japanese:
                parts = _japanese_parts(tokens[0].text, vocab)
                if parts is None:
                    started = vocab.terms_started(tokens[0].text)
            if started:
                groups.append(_named_group(tokens, started, vocab))
            elif parts is None:
                groups.append(Group(Term(tokens), (Term(tokens),)))
            else:
                for part, ids in parts:
                    part_tokens = (Token(part, True),)
                    if ids:
                        groups.append(_named_group(part_tokens, ids, vocab))
                    else:
                        for piece in HIRAGANA.split(part):
                            if len(piece) >= MIN_LEFTOVER_CHARS:
                                piece_tokens = (Token(piece, True),)
                                groups.append(Group(Term(piece_tokens), (Term(piece_tokens),)))
            i += 1
    return groups


def _with_forms(groups, using):
    """Groups whose typed single word gains its other forms as whole words (one query)."""
    words = [
        g.typed.tokens[0].text
        for g in groups
        if g.single
        and not g.literal
        and len(g.typed.tokens) == 1
        and not g.typed.tokens[0].japanese
    ]
    if not words:
        return groups
    forms = forms_of(words, using)
    widened = []
    for group in groups:
        found = (
            forms.get(group.typed.tokens[0].text) if group.single and not group.literal else None
        )
        if found:
            extra = tuple(Term((Token(word, False),), whole=True) for word in found)
            group = Group(group.typed, (group.typed, *extra)[:MAX_ALTERNATIVES], group.named)
        widened.append(group)
    return widened


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: its groups (ANDed, each an OR of ways to match one term) and the
    keyword ids the whole query names (their papers rank first)."""

    groups: tuple
    key: str
    named: tuple = ()
    # The words prefixes start, per database, read once per parsed query (not compared).
    _expansions: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, q, using="default"):
        """The query ``q`` (a string, None, or already a SearchQuery) parsed.

        Reads the vocabulary (once per content version) and the word forms of its
        words (one query) unless the query is blank.
        """
        if isinstance(q, SearchQuery):
            return q
        text = q if isinstance(q, str) else ("" if q is None else str(q))
        text = text.replace("\x00", "")[:MAX_QUERY_CHARS]
        # Lone surrogates cannot be sent to a database: replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
        text = fold(text).translate(CURLY_QUOTES)
        units = []
        for phrase, word in QUERY_PART.findall(text):
            tokens = tuple(tokenise(phrase or DOI_LINK_PREFIX.sub("", word)))
            # Japanese writers join a Latin term to Japanese without a space (STEM観察,
            # EELS測定): unquoted, each script's run is a term of its own, so the
            # vocabulary names each and a paper need not have them side by side.
            for part in [tokens] if phrase else _script_runs(tokens):
                if part and (part, bool(phrase)) not in units:
                    units.append((part, bool(phrase)))
        units = units[:MAX_TERMS]
        key = " ".join(text.replace('"', " ").split())
        if not units:
            return cls((), key)
        vocab = vocabulary.current(using)
        groups = _with_forms(_groups(units, vocab), using)
        groups = list(dict.fromkeys(groups))[:MAX_TERMS]
        named = groups[0].named if len(groups) == 1 else ()
        return cls(tuple(groups), key, named)

    def as_typed(self, using):
        """This query with each term matched only as typed (no synonyms, no other forms).

        It finds a subset of this query's papers, cheaply: the list counts it first
        and, past the cap, needs no more (results.py). It shares this query's prefix
        expansion (a superset of its own).
        """
        groups = tuple(
            Group(group.typed, (group.typed,), group.named, group.literal) for group in self.groups
        )
        typed = SearchQuery(groups, self.key, self.named)
        if connections[using].vendor == "postgresql":
            typed._expansions[(using, False)] = self.prefix_words(using)
        return typed

    @property
    def widened(self):
        """Whether a term has more ways of matching than as typed."""
        return any(not group.single for group in self.groups)

    @property
    def terms(self):
        """The terms as typed (one per group)."""
        return tuple(group.typed for group in self.groups)

    @property
    def is_blank(self):
        """Nothing to search for: empty, white space, punctuation only."""
        return not self.groups

    def alternatives(self):
        """Every way any term may match (for highlighting)."""
        return [term for group in self.groups for term in group.alternatives]

    def tsquery(self, pairs=None):
        """The groups' lexemes ANDed; ``pairs`` True/False: only the pair lexemes / the words.

        A group with one way of matching uses pair lexemes for a phrase; a group of
        several ways is one parenthesised OR without pairs (they live elsewhere). With
        other terms, the words (``pairs=False``) include a phrase's: the entries'
        index then narrows on all of them, and the pairs are checked on what is left
        (``machine learning catalyst`` otherwise went through every paper with the
        pair: docs/search.md). A phrase alone keeps to its pairs, which are rarer.
        """
        parts = []
        for group in self.groups:
            if group.single:
                words = pairs is False and len(self.groups) > 1
                for lexeme in group.typed.lexemes(pairs=not words):
                    if pairs is None or lexeme.startswith(f"'{PAIR_MARK}") == pairs:
                        parts.append(lexeme)
            elif pairs is not True:
                parts.append(group.tsquery(pairs=False))
        return " & ".join(dict.fromkeys(parts))

    def prefix_words(self, using, partial=False):
        """PostgreSQL: {prefix: [words it starts]} for the word prefixes the search sends
        (``partial``: of each group's tsquery, for papers with some of the terms), and
        for a widened query of several terms those of its terms as typed, which its
        count reads first (``as_typed``, ``matching_parts``)."""
        key = (using, partial)
        if key not in self._expansions:
            if partial:
                text = " & ".join(group.tsquery(pairs=False) for group in self.groups)
            elif self.widened and len(self.groups) > 1:
                typed = [" & ".join(term.lexemes(pairs=False)) for term in self.terms]
                text = " & ".join([self.tsquery(pairs=False), *typed])
            else:
                text = self.tsquery(pairs=False)
            self._expansions[key] = _prefix_words(text, using)
        return self._expansions[key]

    def words_tsquery(self, using):
        """PostgreSQL: the lexemes other than pairs, word prefixes expanded (one query, once)."""
        return _substitute(self.tsquery(pairs=False), self.prefix_words(using))

    def any_tsqueries(self, using):
        """PostgreSQL: each group's tsquery without pairs, prefixes expanded (for ORing)."""
        words = self.prefix_words(using, partial=True)
        return [_substitute(group.tsquery(pairs=False), words) for group in self.groups]

    def expanded(self, tsquery, using, partial=False):
        """PostgreSQL: ``tsquery`` (some of this query's lexemes) with the word prefixes
        replaced as this query's (``partial``: as for papers with some of the terms)."""
        return _substitute(tsquery, self.prefix_words(using, partial))

    def term_tsquery(self, term, using, partial=False):
        """PostgreSQL: one way of matching's lexemes without pairs, prefixes expanded."""
        return self.expanded(" & ".join(term.lexemes(pairs=False)), using, partial)

    def without(self, group):
        """This query without one of its groups."""
        return SearchQuery(tuple(g for g in self.groups if g != group), self.key)


def _prefixes_in(tsquery):
    return [
        match[1]
        for match in WORD_PREFIX_ANYWHERE.finditer(tsquery)
        if not JAPANESE_CHARACTER.match(match[1])
    ]


def _prefix_words(tsquery, using):
    """{prefix: words} of a tsquery's word prefixes that start 1 to MAX_EXPANSION words."""
    prefixes = list(dict.fromkeys(_prefixes_in(tsquery)))
    if not prefixes:
        return {}
    words = global_apps.get_model("publications", "SearchWord")._base_manager.using(using)
    found = [
        words.filter(word__startswith=prefix)
        .annotate(prefix=Value(prefix))
        .values_list("prefix", "word")
        .order_by()[: MAX_EXPANSION + 1]
        for prefix in prefixes
    ]
    starts = defaultdict(list)
    for prefix, word in found[0].union(*found[1:], all=True) if len(found) > 1 else found[0]:
        starts[prefix].append(word)
    return {
        prefix: sorted(words_of)
        for prefix, words_of in starts.items()
        if len(words_of) <= MAX_EXPANSION
    }


def _substitute(tsquery, words):
    def replace(match):
        words_of = words.get(match[1])
        if not words_of or JAPANESE_CHARACTER.match(match[1]):
            return match[0]
        return "(" + " | ".join(f"'{w}'" for w in words_of) + ")"

    return WORD_PREFIX_ANYWHERE.sub(replace, tsquery)


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
    return _substitute(tsquery, _prefix_words(tsquery, using))
