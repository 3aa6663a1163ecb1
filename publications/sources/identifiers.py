"""The DOIs and arXiv ids in what an editor pastes: one per line, URLs, or a whole
reference list. Identifiers are found in plain text (no markup is parsed here), in
the order they appear, each once.

- a DOI is "10." + registrant + "/" + suffix, wherever it stands (a doi.org URL,
  "doi:", "DOI ", or bare); the full stop, comma or unbalanced bracket that ends a
  sentence around it is not part of it;
- an arXiv id stands after "arXiv:" or in an arxiv.org URL, or alone as a token
  (2401.00001, cond-mat/0211159): a bare number in a reference list (a page range
  such as 1234.5678) is not taken for one; arXiv's own DOIs (10.48550/arXiv.…) are
  arXiv ids.
"""

import bisect
import re
from dataclasses import dataclass
from urllib.parse import unquote

from ..models import normalise_arxiv, normalise_doi

DOI, ARXIV = "doi", "arxiv"

# A DOI's suffix may hold almost anything but whitespace and quotes; what ends it in
# running text is trimmed afterwards (_trim).
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+")
_ARXIV_PREFIXED = re.compile(
    r"(?:arxiv\s*:\s*|arxiv\.org/(?:abs|pdf|html)/)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_ARXIV_ALONE = re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.", re.IGNORECASE)
_PAIRS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class Identifier:
    kind: str  # DOI or ARXIV
    value: str  # normalised: bare DOI, arXiv id without version

    def __str__(self):
        return f"arXiv:{self.value}" if self.kind == ARXIV else self.value


def _trim(doi):
    """A DOI found in running text, without the punctuation that ends the sentence."""
    while doi:
        last = doi[-1]
        if last in ".,;:":
            doi = doi[:-1]
        elif last in _PAIRS and doi.count(last) > doi.count(_PAIRS[last]):
            doi = doi[:-1]  # "(doi:10.1/x)": the bracket is the text's, not the DOI's
        else:
            break
    return doi


def find(text):
    """Every identifier in `text`, in order of appearance, each once."""
    found = []  # (position, Identifier)
    dois = []  # spans read as a DOI, in order (finditer's matches do not overlap)
    for match in _DOI.finditer(text):
        raw = _trim(match.group())
        if "%2F" in raw.upper():
            raw = unquote(raw)
        if _ARXIV_DOI.match(raw):
            found.append((match.start(), Identifier(ARXIV, normalise_arxiv(raw))))
        else:
            found.append((match.start(), Identifier(DOI, normalise_doi(raw))))
        dois.append(match.span())
    prefixed = []  # spans read as a prefixed arXiv id, in order, outside the DOIs'
    for match in _ARXIV_PREFIXED.finditer(text):
        if not _inside(match.start(), dois):
            found.append((match.start(), Identifier(ARXIV, normalise_arxiv(match.group(1)))))
            prefixed.append(match.span())
    taken = sorted(dois + prefixed)  # none overlaps another: sorted by start, and by end
    for match in re.finditer(r"\S+", text):
        token = match.group().strip(".,;()[]<>")
        if _ARXIV_ALONE.fullmatch(token) and not _inside(match.start(), taken):
            found.append((match.start(), Identifier(ARXIV, normalise_arxiv(token))))
    # Each once: DOIs are case-insensitive (10.1103/PhysRevB… = 10.1103/physrevb…).
    unique = {}
    for _position, identifier in sorted(found, key=lambda pair: pair[0]):
        unique.setdefault((identifier.kind, identifier.value.lower()), identifier)
    return list(unique.values())


def _inside(position, spans):
    """Whether `position` falls in one of `spans`: (start, end) pairs sorted by start that
    do not overlap. A binary search: a 2 MB paste holds ~100,000 identifiers, and one
    scan of them per token made reading it quadratic (minutes in the request)."""
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]
