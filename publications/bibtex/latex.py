"""LaTeX field values → Unicode text (the import's decoder).

Nothing is dropped: a macro the decoder does not know is kept as written (`\\foo{x}`),
TeX logos become their names (`\\MF` → METAFONT), math (`$\\mathrm{MoS}_2$`) is kept
verbatim and a literal dollar stays `\\$`, so that `$…$` in stored text is always math
(docs/bibtex.md, "Math"). `--` becomes an en dash; a bare `%` or `&` is text, not a
comment or an alignment tab. Values with nothing LaTeX-like
in them skip the decoder, and plain accents, special letters, dashes and escaped
specials take a regex fast path checked against pylatexenc by the tests; the rest
goes through pylatexenc (it dominates the import's time otherwise).
"""

import functools
import re
import unicodedata

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

# Something the LaTeX decoder would change; values without any of these are left alone.
_LATEX_LIKE = re.compile(r"[\\{}$~%&^_]|--|``|''")
_BARE = re.compile(r"(?<!\\)([%&])")


# TeX logos as their names print (the default table lacks most of them).
TEX_LOGOS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2\u03b5", "BibTeX": "BibTeX",
    "MF": "METAFONT", "MP": "MetaPost", "AmS": "AMS", "AMS": "AMS", "AmSTeX": "AMS-TeX",
    "AmSLaTeX": "AMS-LaTeX", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "eTeX": "\u03b5-TeX",
    "ConTeXt": "ConTeXt", "SliTeX": "SliTeX", "METAFONT": "METAFONT", "MetaPost": "MetaPost",
    "BibLaTeX": "BibLaTeX", "LyX": "LyX", "PiCTeX": "PiCTeX", "TikZ": "TikZ",
}  # fmt: skip


def _unknown_macro(node):
    return "\\" + node.macroname


class _Decoder(LatexNodes2Text):
    """pylatexenc's latex2text, except that a macro it does not know is kept as written.

    pylatexenc drops unknown macros (`{\\MF}` → nothing); we keep `\\MF` in the text,
    with the braced group that follows it (`\\foo{x}` stays `\\foo{x}`), so that no
    character of the file is lost and an editor sees what was there.
    """

    def nodelist_to_text(self, nodelist):
        text, previous = "", None
        for node in nodelist:
            if self._is_unknown_macro(previous):
                if node.isNodeType(latexwalker.LatexGroupNode) and node.delimiters == ("{", "}"):
                    text += "{" + self._groupnodecontents_to_text(node) + "}"
                    previous = node
                    continue
                if node.isNodeType(latexwalker.LatexCharsNode):
                    text += previous.macro_post_space
            text += self.node_to_text(node)
            previous = node
        if self._is_unknown_macro(previous):
            text += previous.macro_post_space
        return text

    def _is_unknown_macro(self, node):
        return (
            node is not None
            and node.isNodeType(latexwalker.LatexMacroNode)
            and self.latex_context.get_macro_spec(node.macroname) is _UNKNOWN
        )


_UNKNOWN = MacroTextSpec("", simplify_repl=_unknown_macro)


def _context():
    context = get_default_latex_context_db()
    context.add_context_category(
        "labsite",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, text) for name, text in TEX_LOGOS.items()),
            MacroTextSpec("url", "%s"),
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textasciitilde", "~"),
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            # A literal dollar stays escaped in the stored text, so that `$` pairs are
            # always math (`publications/markup.py` shows `\\$` as a dollar).
            MacroTextSpec("$", "\\$"),
        ],
    )
    context.set_unknown_macro_spec(_UNKNOWN)
    return context


_CONTEXT = _context()
_LATEX = _Decoder(latex_context=_CONTEXT, math_mode="verbatim", strict_latex_spaces=True)
_MATH_AS_TEXT = _Decoder(latex_context=_CONTEXT, strict_latex_spaces=True)


# Building the walker's macro table is a third of the decoding time: build it once.
_WALKER_CONTEXT = latexwalker.get_default_latex_context_db()


def clean_space(text):
    """NFC, every run of white space (newlines, no-break spaces) one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).replace("\xa0", " ").split())


_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a",
}  # fmt: skip
_ACCENT = re.compile(
    r"\\(?:([\"'`^~=.])|([uvHckr])(?![A-Za-z]))\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij]|[A-Za-z]))"
)
_LETTERS = {
    "ss": "ß", "aa": "å", "AA": "Å", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł",
}  # fmt: skip
_LETTER = re.compile(r"\\(ss|aa|AA|o|O|ae|AE|oe|OE|l|L)(?![A-Za-z])\s*(?:\{\})?")
_STILL_LATEX = re.compile(r"[\\$~^_]")
# An escaped special character (\% → %) or inline math ($...$, kept verbatim), left to right
# so that an escaped dollar never opens math.
_ESCAPE_OR_MATH = re.compile(r"(\\[%&_#$]|\$(?:[^$\\]|\\.)+\$)")
_TEXT_LIGATURES = [("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d")]


def _accent(match):
    mark = _ACCENTS[match.group(1) or match.group(2)]
    letter = (match.group(3) or match.group(4)).lstrip("\\")
    return unicodedata.normalize("NFC", letter + mark)


def unbalanced(math):
    """Whether a LaTeX snippet's braces (escaped ones aside) fail to pair up."""
    depth = 0
    for char in math.replace("\\\\", "").replace("\\{", "").replace("\\}", ""):
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return True
    return depth != 0


def _simple_latex(value):
    """Accents, special letters, braces, dash ligatures, escaped specials (`\\%`) and
    inline math (kept verbatim) without the full parser.

    Returns None when anything else is left (a macro, display math, `~`, a stray
    `$`): pylatexenc then decodes the whole value.
    """
    if "$$" in value:
        return None
    pieces = _ESCAPE_OR_MATH.split(value)
    for n, piece in enumerate(pieces):
        if n % 2:  # an escaped character or math
            if piece == "\\$":
                continue  # a literal dollar stays escaped (see _decoder)
            if piece[0] == "\\":
                pieces[n] = piece[1]
            elif unbalanced(piece):
                return None  # a group that straddles math: leave it to the parser
            continue
        text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], _ACCENT.sub(_accent, piece))
        if _STILL_LATEX.search(text):
            return None
        for ligature, char in _TEXT_LIGATURES:  # before the braces go: "-{}-" stays "--"
            text = text.replace(ligature, char)
        pieces[n] = text.replace("{", "").replace("}", "")  # a bare % or & is text
    return "".join(pieces)


@functools.lru_cache(maxsize=50_000)
def latex_to_unicode(value):
    """Unicode text of a LaTeX field value; math stays verbatim.

    Cached: a file repeats its authors' names and journals many times. Plain
    accents and dashes take a fast path (see `_simple_latex`); the rest goes
    through pylatexenc.
    """
    if not _LATEX_LIKE.search(value):
        return clean_space(value)
    simple = _simple_latex(value)
    if simple is not None:
        return clean_space(simple)
    try:
        return clean_space(_full_latex(value))
    except RecursionError:  # macros nested hundreds deep: pylatexenc recurses per level
        return clean_space(value)  # kept as written, like any LaTeX it cannot read


def _full_latex(value):
    # A bare % or & is text (not a comment or alignment tab), except inside math.
    pieces = _ESCAPE_OR_MATH.split(value)
    pieces[0::2] = [_BARE.sub(r"\\\1", piece) for piece in pieces[0::2]]
    walker = latexwalker.LatexWalker(
        "".join(pieces), latex_context=_WALKER_CONTEXT, tolerant_parsing=True
    )
    return _LATEX.nodelist_to_text(walker.get_latex_nodes()[0])


@functools.lru_cache(maxsize=4096)
def math_to_text(math):
    """Plain text of the LaTeX inside `$…$`: `_3` → 3, `\\alpha` → α, `x^{2}` → x^2."""
    walker = latexwalker.LatexWalker(math, latex_context=_WALKER_CONTEXT, tolerant_parsing=True)
    try:
        text = _MATH_AS_TEXT.nodelist_to_text(walker.get_latex_nodes()[0])
    except RecursionError:  # nested hundreds deep (`\frac{\frac{…`): shown as written
        return math
    return clean_space(text.replace("_", ""))
