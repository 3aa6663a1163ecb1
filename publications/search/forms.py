"""English word forms: ``batteries`` finds ``battery``, ``spectrum`` finds ``spectra``.

Two words are forms of one another when their *stem keys* are equal: Snowball's
English stemmer (the maintained ``snowballstemmer`` package) applied after a small
table of the irregular plurals the field uses (``spectra`` → ``spectrum``), which
no stemmer knows. Documents are not stemmed: a query's word is matched as typed (a
word start, so ``spectr`` still finds ``spectroscopy``) *or* as any whole word of
the documents with the same stem key. Those words are read from ``SearchWord``
(every word of every document, on both databases) in one query per search:
``forms_of()``. Stemming the documents instead would have changed every stored
lexeme and lost prefix matching as typed (``spectroscopi`` is not what anybody
types), and would have made PostgreSQL's and SQLite's matching differ.
"""

import functools

import snowballstemmer
from django.apps import apps as global_apps
from django.db.models import Q

# The irregular plurals of the field (plural: singular). A stemmer maps regular
# plurals and inflections (batteries, battery → batteri); these it cannot.
IRREGULAR_PLURALS = {
    "spectra": "spectrum",
    "phenomena": "phenomenon",
    "data": "datum",
    "vertices": "vertex",
    "matrices": "matrix",
    "indices": "index",
    "apices": "apex",
    "simplices": "simplex",
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "syntheses": "synthesis",
    "theses": "thesis",
    "diagnoses": "diagnosis",
    "parentheses": "parenthesis",
    "axes": "axis",
    "crises": "crisis",
    "nuclei": "nucleus",
    "radii": "radius",
    "foci": "focus",
    "loci": "locus",
    "tori": "torus",
    "stimuli": "stimulus",
    "criteria": "criterion",
    "maxima": "maximum",
    "minima": "minimum",
    "optima": "optimum",
    "quanta": "quantum",
    "media": "medium",
    "strata": "stratum",
    "formulae": "formula",
    "lamellae": "lamella",
    "vortices": "vortex",
}
SINGULARS = {singular: plural for plural, singular in IRREGULAR_PLURALS.items()}
# Words shorter than this have no forms looked up (``a``, ``of``, ``tem``).
MIN_FORM_CHARS = 4
# Candidates read per word (all words starting with its stem), and forms kept.
MAX_CANDIDATES = 200
MAX_FORMS = 8

_stemmer = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=50_000)
def stem_key(word):
    """The key two forms of a word share (folded words: lower case, no accents)."""
    if not word.isascii() or not word.isalpha():
        return word
    return _stemmer.stemWord(IRREGULAR_PLURALS.get(word, word))


def shared_start(words):
    """The longest start every one of ``words`` has."""
    first, last = min(words), max(words)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


def lookup_prefix(word):
    """What every form of ``word`` starts with, to look them up in SearchWord ('' if too short).

    The common start of the word, its stem key and its irregular partner:
    ``batteries`` → ``batter`` (stem ``batteri``, ``battery``), ``spectra`` → ``spectr``.
    """
    seeds = [word, stem_key(word)]
    if word in IRREGULAR_PLURALS:
        seeds.append(IRREGULAR_PLURALS[word])
    if word in SINGULARS:
        seeds.append(SINGULARS[word])
    # One character less: a stem may end in a letter its forms replace (batteri: battery).
    prefix = shared_start(seeds)[:-1]
    return prefix if len(prefix) >= MIN_FORM_CHARS else ""


def wants_forms(word):
    return len(word) >= MIN_FORM_CHARS and word.isascii() and word.isalpha()


def forms_of(words, using="default"):
    """{word: (other forms found in the documents, sorted)} for query words, in one query.

    A form the word already starts (``network`` → ``networks``) is left out: the
    word as typed finds it. Irregular partners (``spectrum``/``spectra``) are always
    included, even where no document uses them yet (the lookup may be cut short).
    """
    words = [w for w in dict.fromkeys(words) if wants_forms(w)]
    prefixes = {w: lookup_prefix(w) for w in words}
    wanted = sorted({p for p in prefixes.values() if p})
    found = set()
    if wanted:
        table = global_apps.get_model("publications", "SearchWord")._base_manager.using(using)
        matching = Q()
        for prefix in wanted:
            matching |= Q(word__startswith=prefix)
        # One query for every word of the search (a union of sliced queries is not
        # portable to SQLite); the limit only bounds a pathological query.
        found = set(
            table.filter(matching)
            .order_by()
            .values_list("word", flat=True)[: MAX_CANDIDATES * len(wanted)]
        )
    forms = {}
    for word in words:
        key = stem_key(word)
        partners = {IRREGULAR_PLURALS.get(word), SINGULARS.get(word)} - {None}
        prefix = prefixes[word]
        candidates = {c for c in found if prefix and c.startswith(prefix)} | partners
        same = sorted(
            c for c in candidates if c != word and not c.startswith(word) and stem_key(c) == key
        )
        forms[word] = tuple(sorted(partners & set(same)) + [c for c in same if c not in partners])[
            :MAX_FORMS
        ]
    return forms
