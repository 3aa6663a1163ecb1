"""BibTeX text → entries with Unicode field values, using bibtexparser 2.

bibtexparser splits the text into blocks; the parse stack is ours (not the
default one) so that each value is resolved exactly once, in this order:

1. `ResolveValues`: `@string` macros (in file order, so a macro may use an
   earlier one), month macros (`jan` … `dec`), `#` concatenation and the
   enclosing braces or quotes of each part.
2. `LatexToUnicode`: LaTeX → Unicode (`latex.py`) for every field except
   those that are verbatim by nature (url, doi, eprint, isbn, issn, file) and the
   name lists (author, editor: split into names and name parts first, so that a
   brace-protected name such as `{The ABC Consortium}` stays whole — see
   `split_names`). Math (`$\\mathrm{MoS}_2$`) is kept verbatim; `--` becomes an
   en dash; a bare `%` or `&` is text, not a comment or an alignment tab.
   Values with nothing LaTeX-like in them skip the decoder (it dominates the time).

Errors never raise: syntax errors, duplicate keys and duplicate fields come back
as `Problem`s with their line number and key, and parsing resumes at the next `@`.
"""

import functools
import logging
import re
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser.middlewares.middleware import BlockMiddleware
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from django.utils.translation import gettext as _

from .. import names as name_utils
from .latex import clean_space, latex_to_unicode  # noqa: F401 (clean_space: callers)

VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "isbn", "issn", "file", "pdf", "arxiv"})
NAME_FIELDS = frozenset({"author", "editor"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s}]*)")
_MACRO = re.compile(r"^[A-Za-z_][\w\-:.+/']*$")
# The splitter logs every broken block; we report them as problems instead.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)


def _split_top_level(value, separator="#"):
    """Parts of a value at `separator`s outside braces and quotes."""
    if separator not in value:
        return [value.strip()]
    parts, depth, quoted, start = [], 0, False, 0
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == separator and depth == 0 and not quoted:
            parts.append(value[start:i])
            start = i + 1
        i += 1
    parts.append(value[start:])
    return [part.strip() for part in parts]


class ResolveValues(BlockMiddleware):
    """Macros, month names, `#` concatenation and enclosing, in one pass over the file."""

    def __init__(self):
        super().__init__(allow_inplace_modification=True, allow_parallel_execution=False)
        self.strings = {}

    def resolve(self, raw, warnings):
        pieces = []
        for part in _split_top_level(raw.strip()):
            if len(part) >= 2 and (
                (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')
            ):
                pieces.append(part[1:-1])
            elif part.isdigit() or not part:
                pieces.append(part)
            elif part.lower() in self.strings:
                pieces.append(self.strings[part.lower()])
            elif part.lower() in MONTHS:
                pieces.append(MONTH_NAMES[MONTHS.index(part.lower())])
            elif _MACRO.match(part):
                warnings.append(_("Undefined macro “%(name)s” kept as text.") % {"name": part})
                pieces.append(part)
            else:
                pieces.append(part)
        return "".join(pieces)

    def transform_string(self, string, library):
        string.value = self.resolve(string.value, [])
        self.strings[string.key.lower()] = string.value
        return string

    def transform_entry(self, entry, library):
        warnings = []
        for f in entry.fields:
            f.value = self.resolve(f.value, warnings)
        entry.parser_metadata["labsite_warnings"] = warnings
        return entry


class LatexToUnicode(BlockMiddleware):
    """LaTeX → Unicode for every field but verbatim ones and name lists."""

    def __init__(self):
        super().__init__(allow_inplace_modification=True, allow_parallel_execution=True)

    def transform_entry(self, entry, library):
        for f in entry.fields:
            key = f.key.lower()
            if key in VERBATIM_FIELDS or key in NAME_FIELDS:
                f.value = f.value.strip()
            else:
                f.value = latex_to_unicode(f.value)
        return entry


@dataclass
class Name:
    """One author as printed (Unicode, protecting braces gone) and split into parts."""

    printed: str
    family: str
    given: str


def split_names(value):
    """(names, truncated) of a BibTeX name list; "and others" sets truncated.

    Name parts come from bibtexparser's implementation of BibTeX's rules (First von
    Last, von Last, First, braces protect). A name in Japanese script without a
    comma is read family first (山田 太郎), as Japanese citations print it.
    """
    result, truncated = [], False
    for raw in split_multiple_persons_names(value):
        raw = raw.strip()
        if not raw:
            continue
        if raw.lower() == "others":
            truncated = True
            continue
        result.append(Name(*name_parts(raw)))
    return result, truncated


@functools.lru_cache(maxsize=50_000)
def name_parts(raw):
    """(printed, family, given) of one name as written; cached, as authors repeat."""
    printed = latex_to_unicode(raw)
    if name_utils.is_cjk(printed) and "," not in printed:
        family, given = name_utils.split_name(printed)
    else:
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
        except InvalidNameError:
            family, given = name_utils.split_name(printed)
        else:
            family = latex_to_unicode(" ".join(parts.von + parts.last))
            given = latex_to_unicode(" ".join(parts.first + parts.jr))
            if not family:
                family, given = given, ""
    return printed, family, given


@dataclass
class ParsedEntry:
    key: str
    entry_type: str
    line: int
    raw: str
    fields: dict
    warnings: list = field(default_factory=list)


@dataclass
class Problem:
    """A block that could not be read: where, which key, and why."""

    line: int
    key: str
    reason: str
    raw: str = ""


@dataclass
class ParseResult:
    entries: list
    problems: list


def _key_of(raw):
    match = _KEY.search(raw or "")
    return match.group(1) if match else ""


def parse(text):
    """Entries (in file order) and problems of a BibTeX text."""
    library = bibtexparser.parse_string(text, parse_stack=[ResolveValues(), LatexToUnicode()])
    entries, problems = [], []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, Entry):
            fields = {}
            for f in block.fields:
                fields.setdefault(f.key.lower(), f.value)
            entries.append(
                ParsedEntry(
                    key=block.key,
                    entry_type=block.entry_type.lower(),
                    line=line,
                    raw=block.raw.strip(),
                    fields=fields,
                    warnings=block.parser_metadata.get("labsite_warnings", []),
                )
            )
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            reason = _("The key “%(key)s” is used by an earlier entry in this file.") % {
                "key": block.key
            }
            key = block.key
        elif isinstance(block, DuplicateFieldKeyBlock):
            key = block.ignore_error_block.key
            reason = _("A field appears twice in this entry (%(fields)s).") % {
                "fields": ", ".join(sorted(block.duplicate_keys))
            }
        else:
            key = _key_of(block.raw)
            reason = _(
                "Syntax error: the entry cannot be read — check its braces, quotes and commas."
            )
        problems.append(Problem(line, key, reason, block.raw.strip()))
    problems.sort(key=lambda p: p.line)
    return ParseResult(entries, problems)
