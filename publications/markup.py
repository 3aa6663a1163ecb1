"""Markdown written by editors, and math in titles, rendered to safe HTML.

Markdown goes through Python-Markdown, and the HTML it produces through the
nh3 sanitiser (Ammonia), so that no editor can inject a script, an event
handler or a `javascript:` link, whatever they type.

Math: stored text (titles, venues, notes) keeps LaTeX inline math as the BibTeX
had it, `$…$`; `\\$` is a literal dollar (docs/bibtex.md). `math_html` shows it as
math: chemical formulas and Greek letters as text with <sub>/<sup>
(`SrTiO$_3$` → SrTiO<sub>3</sub>), anything else as MathML made on the server by
latex2mathml, sanitised by nh3 (no attributes that could carry style or script,
so it needs no CSP exception). `math_plain` is the text form for places that take
no markup (<title>, meta tags, feeds, the search document): `SrTiO3`, `α-Fe2O3`.
"""

import functools
import html
import re

import latex2mathml.converter
import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, HtmlInlineProcessor

from .bibtex import latex

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "sub", "sup", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr",
    "th", "td", "abbr", "dl", "dt", "dd", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")


class _AllowedHtmlOnly(HtmlInlineProcessor):
    """Inline HTML passes through only for the tags nh3 keeps; any other `<…>` is text.

    Python-Markdown hands every `<word>` on as raw HTML, and nh3 then removes the tags
    it does not allow, so "Using <T> and <E>" lost "<T>" and "<E>". Declining the
    match leaves such a tag as text, which Markdown escapes (`&lt;T&gt;`). Comments
    are still passed on (nh3 removes them).
    """

    def handleMatch(self, m, data):
        name = _TAG_NAME.match(m.group(1))
        if name and name.group(1).lower() not in ALLOWED_TAGS:
            return None, None, None
        return super().handleMatch(m, data)


class _AllowedHtmlOnlyExtension(Extension):
    def extendMarkdown(self, md):
        md.inlinePatterns.register(_AllowedHtmlOnly(HTML_RE, md), "html", 90)


def render_markdown(text, math=False):
    """Markdown → sanitised HTML, marked safe for templates.

    With `math`, the text's `$…$` math is shown as math (an imported abstract): it is
    set aside before Markdown, which would read `Fe$_2$O$_3$` as emphasis.
    """
    if math and "$" in (text or ""):
        return mark_safe(_render_with_math(text))
    return mark_safe(_render(text or ""))


@functools.lru_cache(maxsize=1024)
def _render_with_math(text):
    pieces = _ESCAPED_DOLLAR_OR_MATH.split(text)
    html_of = {}
    for n in range(1, len(pieces), 2):
        marker = f"labsitemath{n}x"  # letters only: Markdown and nh3 leave it alone
        html_of[marker] = "$" if pieces[n] == "\\$" else _math_piece_html(pieces[n][1:-1])
        pieces[n] = marker
    rendered = _render("".join(pieces))
    return re.sub(r"labsitemath\d+x", lambda m: html_of.get(m.group(), m.group()), rendered)


@functools.lru_cache(maxsize=1024)
def _render(text):
    # A pure function of the text, so remembering recent results can never show
    # stale HTML; it saves Python-Markdown's few milliseconds on every page view.
    html = markdown.markdown(
        text,
        extensions=["extra", "sane_lists", _AllowedHtmlOnlyExtension()],
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


# ---------------------------------------------------------------- math

# The stored text's markup, read left to right (as publications/bibtex/latex.py and
# export.py read it): `\\$` a literal dollar, `$…$` inline math, the rest text.
_ESCAPED_DOLLAR_OR_MATH = re.compile(r"(\\\$|\$(?:[^$\\]|\\.)+\$)")
_GREEK = [
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho",
    "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma",
    "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
]  # fmt: skip
GREEK = {name: latex.math_to_text("\\" + name) for name in _GREEK}
# Chemistry and simple labels: upright text, Greek letters, sub- and superscripts.
_ATOM = r"(?:\\mathrm\{[^{}\\]*\}|\\(?:" + "|".join(_GREEK) + r")(?![A-Za-z])|[0-9+\-−.,·()\[\] ])"
_SCRIPT = r"[_^](?:\{(?:" + _ATOM + r")*\}|" + _ATOM + "|[A-Za-z])"
_SIMPLE_MATH = re.compile("(?:" + _SCRIPT + "|" + _ATOM + ")+")
_SIMPLE_PART = re.compile("(" + _SCRIPT + ")|(" + _ATOM + ")")
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "semantics", "annotation",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "math": {"xmlns", "display"},
    "mi": {"mathvariant"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "form"},
    "mfrac": {"linethickness"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mtd": {"columnalign"},
    "mtable": {"columnalign", "rowspacing", "columnspacing"},
    "mspace": {"width"},
    "menclose": {"notation"},
}


def _atoms_text(atoms):
    def one(match):
        atom = match.group()
        if atom.startswith("\\mathrm"):
            return atom[8:-1]
        return GREEK.get(atom[1:], atom)

    return re.sub(_ATOM, one, atoms)


def _simple_math_html(math):
    parts = []
    for script, atom in _SIMPLE_PART.findall(math):
        if script:
            body = script[1:]
            body = body[1:-1] if body.startswith("{") else body
            tag = "sub" if script[0] == "_" else "sup"
            parts.append(f"<{tag}>{html.escape(_atoms_text(body))}</{tag}>")
        else:
            parts.append(html.escape(_atoms_text(atom)))
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _math_piece_html(math):
    if _SIMPLE_MATH.fullmatch(math):
        return _simple_math_html(math)
    if latex.unbalanced(math):
        return html.escape(f"${math}$")  # broken math (latex2mathml would guess): as written
    try:
        mathml = latex2mathml.converter.convert(math)
    except Exception:  # latex2mathml raises many kinds of error on bad input
        return html.escape(f"${math}$")  # shown as written, never a 500
    return nh3.clean(mathml, tags=MATHML_TAGS, attributes=MATHML_ATTRIBUTES)


@functools.lru_cache(maxsize=4096)
def _math_html(text):
    parts = []
    for n, piece in enumerate(_ESCAPED_DOLLAR_OR_MATH.split(text)):
        if n % 2 == 0:
            parts.append(html.escape(piece, quote=False))
        elif piece == "\\$":
            parts.append("$")
        else:
            parts.append(_math_piece_html(piece[1:-1]))
    return "".join(parts)


def math_html(text):
    """Stored text with its `$…$` math as HTML (sub/sup or MathML), marked safe."""
    text = text or ""
    if "$" not in text:
        return escape(text)  # the common case: escaped, as {{ text }} would be
    return mark_safe(_math_html(text))


@functools.lru_cache(maxsize=4096)
def math_plain(text):
    """Stored text with its math as plain text: `SrTiO$_3$` → SrTiO3, `\\$` → $."""
    text = text or ""
    if "$" not in text:
        return text
    parts = []
    for n, piece in enumerate(_ESCAPED_DOLLAR_OR_MATH.split(text)):
        if n % 2 == 0:
            parts.append(piece)
        elif piece == "\\$":
            parts.append("$")
        else:
            parts.append(latex.math_to_text(piece[1:-1]))
    return "".join(parts)
