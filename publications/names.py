"""Personal names as they appear in citations.

Citations spell one person many ways: "T. Mizoguchi", "T.Mizoguchi",
"Mizoguchi, Teruyasu", "Teruyasu Mizoguchi"; "PY. Chen" and "P. Y. Chen";
Japanese names in kanji with the family name first ("溝口 照康"). These helpers
split a printed name into family and given parts and compute the keys that
`Person.objects.resolve()` matches on. They never reduce a kanji name to
initials.
"""

import functools
import re
import unicodedata
from typing import NamedTuple

# Han, Hiragana, Katakana (and the half-width forms NFKC folds into them).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


class NameParts(NamedTuple):
    family: str
    given: str


def normalise(text):
    """NFKC, collapse white space, trim."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def is_cjk(text):
    return bool(_CJK.search(text or ""))


def full_name(language, family_ja, given_ja, family_en, given_en):
    """A person's name as a page in `language` shows it: Japanese, 姓 名 (family first)
    when a Japanese-script name is known; otherwise "Given Family", except a name in
    CJK script, which keeps family first. Never reduced to initials."""
    if language == "ja" and family_ja:
        return f"{family_ja} {given_ja}".strip()
    family = family_en or family_ja
    given = given_en if family_en else given_ja
    if is_cjk(family):
        return f"{family} {given}".strip()
    return f"{given} {family}".strip()


def split_name(printed):
    """Split a printed name into (family, given).

    "Family, Given" is honoured everywhere. A name in Japanese script is read
    family-first ("溝口 照康"); any other name is read Western-style, with the
    last word as the family name ("P. Y. Chen", "Min-Su Kim").
    """
    text = normalise(printed)
    if "," in text:
        family, _, given = text.partition(",")
        return NameParts(family.strip(), given.strip())
    # "T.Mizoguchi": an initial glued to the family name.
    text = re.sub(r"(?<=\.)(?=[^\s.])", " ", text)
    words = text.split(" ")
    if len(words) == 1:
        return NameParts(words[0], "")
    if is_cjk(text):
        return NameParts(words[0], " ".join(words[1:]))
    return NameParts(words[-1], " ".join(words[:-1]))


def initials(given):
    """The initials of a given name: "P. Y." and "PY." give "PY", "Min-Su" gives "MS".

    A run of capitals followed by a full stop ("PY.") is a run of initials.
    """
    result = []
    for part in re.split(r"[\s\-‐]+", normalise(given)):
        letters = part.rstrip(".")
        if not letters:
            continue
        if part.endswith(".") and letters.isupper() and letters.isalpha():
            result.append(letters)
        else:
            result.append(letters[0].upper())
    return "".join(result)


# Cached: an import compares every author of every entry with every stored person,
# at the preview and again at confirm, and a lab's files repeat the same names.
@functools.lru_cache(maxsize=50_000)
def name_key(printed):
    """Exact-match key of a printed name: case-, width-, punctuation- and order-insensitive.

    "PY. Chen", "P. Y. Chen" and "Chen, P.Y." share one key; so do
    "T. Mizoguchi" and "T.Mizoguchi".
    """
    family, given = split_name(printed)
    return _NOT_ALNUM.sub("", f"{given}{family}".casefold())


def fold(text):
    """Case-folded, without accents outside Japanese script: "Müller" and "muller" agree.

    Kana keep their voicing marks (NFKD would turn ガ into カ + ゛), so Japanese
    text is only case- and width-folded.
    """
    text = normalise(text).casefold()
    if is_cjk(text):
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=50_000)
def family_key(family):
    """How family names are compared: accents, case, width, hyphens and spaces ignored."""
    return _NOT_ALNUM.sub("", fold(family))


@functools.lru_cache(maxsize=20_000)
def given_parts(given):
    """((folded word, is an initial), …) of a given name: "C. V." → (("c", True), ("v", True)).

    "PY." and "CV" (up to three capitals) are runs of initials, as citations write them.
    Cached: a file repeats its authors, and each is compared with every namesake.
    """
    parts = []
    for part in re.split(r"[\s\-‐.]+", normalise(given).replace(".", ". ")):
        if not part:
            continue
        letters = _NOT_ALNUM.sub("", part)
        if not letters:
            continue
        if len(letters) == 1 or (letters.isupper() and len(letters) <= 3 and letters.isalpha()):
            parts += [(fold(letter), True) for letter in letters]
        else:
            parts.append((fold(letters), False))
    return tuple(parts)


def given_compatible(a, b):
    """Whether two given names can belong to one person.

    Word by word, an initial agrees with any word it begins ("C. V." =
    "Chakravarthi V."), two full words must be equal ("Takashi" ≠ "Teruyasu");
    a single word or initial agrees with the first of several ("T." = "Teruyasu
    K."), otherwise both need as many parts. An empty given name agrees with
    nothing: a family name alone never identifies a person.
    """
    left, right = given_parts(a), given_parts(b)
    if not left or not right:
        return False
    if len(left) != len(right):
        if min(len(left), len(right)) != 1:
            return False
        left, right = left[:1], right[:1]
    return all(
        x[0] == y[0] if (x_initial or y_initial) else x == y
        for (x, x_initial), (y, y_initial) in zip(left, right, strict=True)
    )


def initials_compatible(a, b):
    """Whether two sets of initials can belong to one person ("T" and "T"; "EY" and "E")."""
    if not a or not b:
        return False
    return a == b or (min(len(a), len(b)) == 1 and a[0] == b[0])
