"""How much of a BibTeX file survives the import and the export: "0 characters lost".

The measure, per entry and per group of fields the site stores (title, abstract, note,
venue, volume, number, pages, article number, authors):

- *read*: the file's values as a reader sees them, LaTeX decoded (`latex.py`): the
  decoder keeps unknown macros as written and math verbatim, so nothing the file says
  is dropped before this point;
- *kept*: the same group decoded again from what the site exports for the stored
  values (`export.latex_escape`, the author names as the generated entry writes them);
- *lost*: the characters of *read* missing from *kept*, counted as a multiset of
  characters without white space, NFC, dashes counted as one character (pages
  `1--8` are stored as `1-8`).

So a lost character is one the site shows and exports differently from the file, or
not at all (a title cut at 500 characters). Fields the site does not hold (ISBN,
address, …) are not counted here: they stay in the raw entry, kept exactly as in
the file (`Publication.bibtex`); `raw_kept` counts the entries whose raw text is the
file's entry character for character.

`measure(text)` needs no database; `bench/bib_fidelity.py` runs it on files.
"""

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from . import export, latex, mapping, parsing

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
# Groups of BibTeX fields → the stored fields they end up in (mapping.py).
GROUPS = {
    "title": (("title", "title_ja", "title_en"), ("title_ja", "title_en")),
    "abstract": (("abstract", "abstract_ja", "abstract_en"), ("abstract_ja", "abstract_en")),
    "note": (("note", "note_ja", "note_en"), ("note_ja", "note_en")),
    "volume": (("volume",), ("volume",)),
    "number": (("number", "issue"), ("issue",)),
    "pages": (("pages",), ("pages",)),
    "article number": (mapping.ARTICLE_NUMBER_FIELDS, ("article_number",)),
}


def characters(text):
    """The multiset a value is compared as: NFC, no white space, one kind of dash."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    return Counter(char for char in text if not char.isspace())


@dataclass
class Loss:
    key: str
    group: str
    lost: str  # the missing characters, in order of first appearance


@dataclass
class Report:
    entries: int = 0
    characters: int = 0
    lost: int = 0
    raw_kept: int = 0
    losses: list = field(default_factory=list)

    def add(self, other):
        self.entries += other.entries
        self.characters += other.characters
        self.lost += other.lost
        self.raw_kept += other.raw_kept
        self.losses += other.losses


def _exported(value, protect_capitals=False):
    return latex.latex_to_unicode(export.latex_escape(value, protect_capitals))


def _first_present(fields, names):
    """The first of `names` the entry has (explicit _ja/_en fields win, as in mapping)."""
    present = [name for name in names if fields.get(name)]
    explicit = [name for name in present if name.endswith(("_ja", "_en"))]
    return explicit or present[:1]


def _groups(entry, record):
    """(group, read text, kept text) of one entry."""
    fields, stored = entry.fields, record["fields"]
    for group, (sources, targets) in GROUPS.items():
        read = " ".join(fields[name] for name in _first_present(fields, sources))
        protect = group == "title"
        kept = " ".join(_exported(stored[t], protect) for t in targets if stored.get(t))
        yield group, read, kept
    venue = next((fields[n] for n in mapping.VENUE_FIELDS if fields.get(n)), "")
    # A `howpublished = {\\url{…}}` is stored as the paper's URL, not its venue.
    yield "venue", venue, _exported(stored.get("venue", "")) + " " + stored.get("url", "")
    read_names = [name.printed for name in parsing.split_names(fields.get("author", ""))[0]]
    written = [export._bibtex_name(*author) for author in record["authors"]]
    kept_names = [name.printed for name in parsing.split_names(" and ".join(written))[0]]
    yield "authors", " ".join(read_names), " ".join(kept_names)


def measure(text):
    """The Report of a BibTeX text: entries, characters read, characters lost, raw kept."""
    report = Report()
    for entry in parsing.parse(text).entries:
        record = mapping.to_record(entry)
        if "error" in record:
            continue
        report.entries += 1
        report.raw_kept += record["raw"] == entry.raw and entry.raw in text
        for group, read, kept in _groups(entry, record):
            read_chars = characters(read)
            missing = read_chars - characters(kept)
            report.characters += sum(read_chars.values())
            if missing:
                report.lost += sum(missing.values())
                lost = "".join(dict.fromkeys(c for c in read if c in missing))
                report.losses.append(Loss(entry.key, group, lost))
    return report
