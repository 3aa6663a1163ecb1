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

Then, per entry, what BibTeX and biber do before a style sees it:

3. A field that appears twice keeps its first value, with a warning (BibTeX's own
   behaviour; bibtexparser would reject the whole entry).
4. `xdata` and `crossref` inheritance (`inherit`): missing fields come from the
   parent, with biblatex's renaming rules (a @book's title becomes an @inbook's
   booktitle, an @mvbook's title a @book's maintitle, a @periodical's title an
   @article's journaltitle…). Identifiers and descriptions of the parent (DOI,
   arXiv id, URL, abstract, keywords, note, pages) are not inherited: they would
   make a chapter the same paper as its book. `@xdata` entries are field stores
   and `@set` entries groups of entries that are in the file themselves: neither
   is a publication, so neither comes back as an entry.

Errors never raise: syntax errors and duplicate keys come back as `Problem`s with
their line number and key, and parsing resumes at the next `@`.

Bounded work (docs/limits.md): macros are expanded by our code, so the bounds are
checked before a value is built — one value at most `LABSITE_BIBTEX_MAX_VALUE_CHARS`,
macros nested at most `LABSITE_BIBTEX_MAX_MACRO_DEPTH` deep (an entry over either is
a `Problem`), and at most `LABSITE_BIBTEX_MAX_EXPANSION_CHARS` added by macros to the
whole file, and at most `LABSITE_IMPORT_MAX_ENTRIES` entries (over either, the file
is refused: `LimitExceeded`). A few hundred bytes of `@string{b = a # a}` lines
would otherwise double a value per line, to gigabytes.
"""

import functools
import logging
import re
from dataclasses import dataclass, field

from bibtexparser.middlewares.middleware import BlockMiddleware
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from bibtexparser.splitter import Splitter
from django.conf import settings
from django.utils.translation import gettext as _

from .. import names as name_utils
from .decoding import DecodingError
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
# Sorting tricks in years and dates: "{\noopsort{1986b}}1986" prints 1986 (the
# macro is defined in the file's @preamble to print nothing).
_SORT_MACRO = re.compile(r"\\(?:noopsort|noop|nosort|sortnoop|SortNoop)\s*\{[^{}]*\}")
DATE_FIELDS = frozenset({"year", "date", "month"})

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


class LimitExceeded(DecodingError):
    """The file asks for more work than one import may do; the message says which bound."""


class _TooLarge(Exception):
    """One value would exceed a bound: its entry becomes a Problem with this reason."""


class ResolveValues(BlockMiddleware):
    """Macros, month names, `#` concatenation and enclosing, in one pass over the file.

    Each macro is kept with its depth (0 for a literal, 1 + the deepest macro it
    uses otherwise), and each value's length is summed from its parts *before* they
    are joined, so an over-long value is never built. A macro over a bound is kept as
    its reason: the entries that use it are the ones refused.
    """

    def __init__(self):
        super().__init__(allow_inplace_modification=True, allow_parallel_execution=False)
        self.strings = {}  # name → (value, depth), or the reason it cannot be used (str)
        self.max_value = settings.LABSITE_BIBTEX_MAX_VALUE_CHARS
        self.max_depth = settings.LABSITE_BIBTEX_MAX_MACRO_DEPTH
        self.max_expansion = settings.LABSITE_BIBTEX_MAX_EXPANSION_CHARS
        self.expanded = 0  # characters macros have added to the file so far

    def resolve(self, raw, warnings):
        """(value, depth) of a raw value; raises _TooLarge or LimitExceeded past a bound."""
        pieces, depth, length = [], 0, 0
        for part in _split_top_level(raw.strip()):
            if len(part) >= 2 and (
                (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')
            ):
                piece = part[1:-1]
            elif part.isdigit() or not part:
                piece = part
            elif part.lower() in self.strings:
                macro = self.strings[part.lower()]
                if isinstance(macro, str):
                    raise _TooLarge(macro)
                piece, macro_depth = macro
                depth = max(depth, macro_depth + 1)
                self.expanded += len(piece)
                if self.expanded > self.max_expansion:
                    raise LimitExceeded(
                        _(
                            "The @string macros of this file expand to more than %(limit)s "
                            "characters: it is refused."
                        )
                        % {"limit": f"{self.max_expansion:,}"}
                    )
            elif part.lower() in MONTHS:
                piece = MONTH_NAMES[MONTHS.index(part.lower())]
            elif _MACRO.match(part):
                warnings.append(_("Undefined macro “%(name)s” kept as text.") % {"name": part})
                piece = part
            else:
                piece = part
            length += len(piece)
            if length > self.max_value:
                raise _TooLarge(
                    _(
                        "A field is longer than %(limit)s characters "
                        "(counted with its @string macros expanded)."
                    )
                    % {"limit": f"{self.max_value:,}"}
                )
            if depth > self.max_depth:
                raise _TooLarge(
                    _("@string macros are nested more than %(limit)d deep.")
                    % {"limit": self.max_depth}
                )
            pieces.append(piece)
        return "".join(pieces), depth

    def transform_string(self, string, library):
        try:
            string.value, depth = self.resolve(string.value, [])
        except _TooLarge as error:
            string.value = ""
            self.strings[string.key.lower()] = str(error)
        else:
            self.strings[string.key.lower()] = (string.value, depth)
        return string

    def transform_entry(self, entry, library):
        warnings = []
        try:
            for f in entry.fields:
                f.value = self.resolve(f.value, warnings)[0]
        except _TooLarge as error:
            for f in entry.fields:
                f.value = ""
            entry.parser_metadata["labsite_error"] = str(error)
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
            elif key in DATE_FIELDS:
                f.value = latex_to_unicode(_SORT_MACRO.sub("", f.value))
            else:
                f.value = latex_to_unicode(f.value)
        return entry


@dataclass
class Name:
    """One author as printed (Unicode, protecting braces gone) and split into parts."""

    printed: str
    family: str
    given: str


def split_names(value, limit=None):
    """(names, truncated) of a BibTeX name list; "and others" sets truncated.

    With `limit`, names past the first `limit` are not read (nor decoded): the list
    is cut there and marked truncated.

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
        if limit is not None and len(result) == limit:
            return result, True
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


# Entry types that hold fields or group entries for biblatex, or set a style's
# options (IEEEtran's control entry), not publications.
NOT_PUBLICATIONS = frozenset({"xdata", "set", "ieeetranbstctl"})
# Fields biblatex never inherits, and those we do not either because they identify or
# describe the parent itself (its DOI is not its chapter's DOI).
NOT_INHERITED = frozenset(
    {
        "ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label",
        "options", "presort", "related", "relatedoptions", "relatedstring", "relatedtype",
        "shorthand", "shorthandintro", "sortkey",
        "doi", "eprint", "eprinttype", "eprintclass", "archiveprefix", "primaryclass",
        "arxiv", "url", "urldate", "file", "pdf", "abstract", "keywords", "note",
        "addendum", "pages", "eid", "pubstate", "title_ja", "title_en", "abstract_ja",
        "abstract_en", "note_ja", "note_en",
    }
)  # fmt: skip
_TITLE_FIELDS = ("title", "subtitle", "titleaddon")
_NOT_AS_TITLE = frozenset({"shorttitle", "sorttitle", "indextitle", "indexsorttitle"})
_MULTIVOLUME = {"mvbook", "mvcollection", "mvproceedings", "mvreference"}
# biblatex's \DeclareDataInheritance rules for titles: (parent types, child types,
# the prefix the parent's title fields take in the child).
TITLE_INHERITANCE = (
    (
        _MULTIVOLUME,
        {
            "book", "inbook", "bookinbook", "suppbook", "collection", "reference",
            "proceedings", "incollection", "inproceedings", "inreference", "suppcollection",
        },
        "main",
    ),
    ({"book"}, {"inbook", "bookinbook", "suppbook"}, "book"),
    ({"collection", "reference"}, {"incollection", "inreference", "suppcollection"}, "book"),
    ({"proceedings"}, {"inproceedings"}, "book"),
    ({"periodical"}, {"article", "suppperiodical"}, "journal"),
)  # fmt: skip


def _title_prefix(parent_type, child_type):
    for parents, children, prefix in TITLE_INHERITANCE:
        if parent_type in parents and child_type in children:
            return prefix
    return None


def _copy_from(child, parent, via_crossref):
    prefix = _title_prefix(parent.entry_type, child.entry_type) if via_crossref else None
    for name, value in parent.fields.items():
        if name in NOT_INHERITED:
            continue
        if prefix is not None and (name in _TITLE_FIELDS or name in _NOT_AS_TITLE):
            if name in _TITLE_FIELDS:
                child.fields.setdefault(prefix + name, value)  # book + title, main + subtitle
            continue
        child.fields.setdefault(name, value)
    if prefix is not None and "author" in parent.fields:
        child.fields.setdefault("bookauthor", parent.fields["author"])


def inherit(entries):
    """Fill each entry's missing fields from its `xdata` and `crossref` parents.

    Parents are resolved first (a parent may inherit itself); keys compare
    case-insensitively, as in BibTeX; a cycle or a missing parent is a warning.
    """
    by_key = {}
    for entry in entries:
        by_key.setdefault(entry.key.lower(), entry)
    done, active = set(), set()

    def resolve(entry):
        if id(entry) in done:
            return
        active.add(id(entry))
        parents = [(k, False) for k in entry.fields.get("xdata", "").split(",") if k.strip()]
        if entry.fields.get("crossref", "").strip():
            parents.append((entry.fields["crossref"], True))
        for key, via_crossref in parents:
            parent = by_key.get(key.strip().lower())
            if parent is None:
                entry.warnings.append(
                    _("“%(key)s” (%(field)s) is not in this file: nothing is inherited from it.")
                    % {"key": key.strip(), "field": "crossref" if via_crossref else "xdata"}
                )
                continue
            if id(parent) in active:
                entry.warnings.append(
                    _("“%(key)s” inherits from itself (a crossref/xdata cycle).")
                    % {"key": key.strip()}
                )
                continue
            resolve(parent)
            _copy_from(entry, parent, via_crossref)
        active.discard(id(entry))
        done.add(id(entry))

    for entry in entries:
        resolve(entry)
    for entry in entries:
        _name_a_review(entry, by_key)


def _name_a_review(entry, by_key):
    """A title-less review of other works (biblatex: `related`, `relatedtype = reviewof`)
    is named after them, as biblatex prints it ("Review of …"), with a warning."""
    fields = entry.fields
    if fields.get("title") or fields.get("relatedtype", "").strip().lower() != "reviewof":
        return
    titles = []
    for key in fields.get("related", "").split(","):
        reviewed = by_key.get(key.strip().lower())
        if reviewed is not None and reviewed.fields.get("title"):
            titles.append(reviewed.fields["title"])
    if titles:
        fields["title"] = "Review of " + "; ".join(titles)
        entry.warnings.append(_("The entry has no title: it is named after the works it reviews."))


# The file is split and parsed in pieces of about this many characters, each cut just
# before an `@` that starts a line outside braces: bibtexparser's splitter holds
# several times its input in objects, so reading a large file whole costs memory out of
# proportion to it (docs/limits.md).
CHUNK_CHARS = 1_000_000
_BLOCK_START = re.compile(r"\n[ \t]*@")
_ESCAPED_BRACE = re.compile(r"\\[{}]")


def _balance(text):
    unescaped = _ESCAPED_BRACE.sub("", text) if "\\" in text else text
    return unescaped.count("{") - unescaped.count("}")


def chunks(text, size=None):
    """(first line number − 1, piece) of the text, in order, each about `size` characters,
    cut only before a line starting with `@` where the braces so far are balanced."""
    size = size or CHUNK_CHARS
    start, line = 0, 0
    while start < len(text):
        end = len(text)
        if len(text) - start > size:
            end = start + size
            depth_end, depth = start, 0
            while True:
                match = _BLOCK_START.search(text, end)
                if match is None:
                    end = len(text)
                    break
                depth += _balance(text[depth_end : match.start() + 1])
                depth_end = end = match.start() + 1
                if depth == 0:
                    break
                end += 1  # unbalanced: the next `@` line
        piece = text[start:end]
        yield line, piece
        line += piece.count("\n")
        start = end


def parse(text):
    """Entries (in file order) and problems of a BibTeX text."""
    entries, problems = [], []
    for piece_entries, piece_problems in parse_pieces(text, hold=lambda entry: True):
        entries += piece_entries
        problems += piece_problems
    entries.sort(key=lambda e: e.line)
    problems.sort(key=lambda p: p.line)
    return ParseResult(entries, problems)


# Where an entry names others it inherits from or reviews (crossref = {key}, xdata =
# {a, b}, related = {a, b}): those entries are read to the end of the file.
_REFERENCES = re.compile(r"""(?i)\b(?:crossref|xdata|related)\s*=\s*[{"]([^{}"]*)[}"]""")
_INHERITING = frozenset({"crossref", "xdata", "related"})


def referenced_keys(text):
    """The keys (lower case) that some entry names in crossref, xdata or related."""
    return {
        key.strip().lower()
        for match in _REFERENCES.finditer(text)
        for key in match[1].split(",")
        if key.strip()
    }


def parse_pieces(text, hold=None):
    """(entries, problems) of each piece of the text (`chunks`), in order, as it is read.

    A piece's entries are final when they are yielded, so a caller can store them and
    let them go: a large file is never held whole. The exception is inheritance
    (crossref, xdata, related), which spans the file: the entries that name a parent
    and the entries named as one (`referenced_keys`; or those `hold(entry)` says) are
    held and yielded last, once `inherit` has filled them in. Problems are reported
    with the piece where they are found.

    `text` is the whole text, or a callable giving its pieces as `chunks` cuts them
    (a large upload's, stored so: `importer.StoredText`), called twice.
    """
    pieces = text if callable(text) else functools.partial(chunks, text)
    # Pieces are cut between entries, so no crossref/xdata/related field spans two.
    referenced = (
        {key for _line, piece in pieces() for key in referenced_keys(piece)}
        if hold is None
        else set()
    )
    if hold is None:
        hold = lambda entry: (  # noqa: E731
            entry.key.lower() in referenced or not _INHERITING.isdisjoint(entry.fields)
        )
    resolve, decode_latex = ResolveValues(), LatexToUnicode()
    held, count, keys = [], 0, set()
    for offset, piece in pieces():
        library = Splitter(bibstr=piece).split()
        count += len(library.entries) + len(library.failed_blocks)
        if count > settings.LABSITE_IMPORT_MAX_ENTRIES:
            raise LimitExceeded(
                _(
                    "The file has more than %(limit)s entries; at most %(limit)s are imported "
                    "at once: split it into parts."
                )
                % {"limit": f"{settings.LABSITE_IMPORT_MAX_ENTRIES:,}"}
            )
        # A field twice is only a warning for BibTeX (it keeps the first): read the entry.
        for block in list(library.failed_blocks):
            if isinstance(block, DuplicateFieldKeyBlock):
                entry = block.ignore_error_block
                library.replace(block, entry, fail_on_duplicate_key=False)
        for middleware in (resolve, decode_latex):
            library = middleware.transform(library)
        entries, problems = [], []
        _read_blocks(library, offset, entries, problems, keys)
        del library
        ready = []
        for entry in entries:
            (held if hold(entry) else ready).append(entry)
        yield [e for e in ready if e.entry_type not in NOT_PUBLICATIONS], problems
    inherit(held)
    yield [e for e in held if e.entry_type not in NOT_PUBLICATIONS], []


def _duplicate_key(key):
    return _("The key “%(key)s” is used by an earlier entry in this file.") % {"key": key}


def _read_blocks(library, offset, entries, problems, keys):
    """The entries and problems of one piece's blocks, appended; `keys` the file's so far."""
    for block in library.blocks:
        line = offset + (block.start_line or 0) + 1
        if isinstance(block, Entry) and block.key in keys:  # in an earlier piece
            problems.append(Problem(line, block.key, _duplicate_key(block.key), block.raw.strip()))
        elif isinstance(block, Entry) and "labsite_error" in block.parser_metadata:
            keys.add(block.key)
            reason = block.parser_metadata["labsite_error"]
            problems.append(Problem(line, block.key, reason, block.raw.strip()))
        elif isinstance(block, Entry):
            keys.add(block.key)
            fields, warnings = {}, list(block.parser_metadata.get("labsite_warnings", []))
            for f in block.fields:
                name = f.key.lower()
                if name in fields:
                    warnings.append(
                        _("The field “%(field)s” appears twice: the first value is kept.")
                        % {"field": f.key}
                    )
                    continue
                fields[name] = f.value
            entries.append(
                ParsedEntry(
                    key=block.key,
                    entry_type=block.entry_type.lower(),
                    line=line,
                    raw=block.raw.strip(),
                    fields=fields,
                    warnings=warnings,
                )
            )
    for block in library.failed_blocks:
        line = offset + (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            reason, key = _duplicate_key(block.key), block.key
        else:
            key = _key_of(block.raw)
            reason = _(
                "Syntax error: the entry cannot be read — check its braces, quotes and commas."
            )
        problems.append(Problem(line, key, reason, block.raw.strip()))
