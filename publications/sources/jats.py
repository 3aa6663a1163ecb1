"""JATS (and the bits of HTML some publishers send) in Crossref titles and abstracts →
the text the site stores.

Crossref passes on the publisher's markup: `<jats:p>`, `<jats:italic>`,
`<jats:sub>`, `<jats:sup>`, `<jats:title>`, MathML, HTML entities. It is read with
lxml's HTML parser, which accepts fragments, unknown (namespaced) tags and entities
without failing. What is kept: the text, paragraphs (as blank lines), and sub- and
superscripts as the inline math the site stores for them (`SrTiO$_{3}$`, shown as
SrTiO<sub>3</sub> by publications/markup.py, as a BibTeX title would have it); a
literal `$` becomes `\\$`. Italic, bold and other styling are dropped: the site
stores plain text.
"""

import re

import lxml.html
from lxml import etree

BLOCKS = frozenset({"p", "sec", "list-item", "li", "div", "disp-quote", "title"})
SKIPPED = frozenset({"script", "style", "xref", "label"})
# What a subscript or superscript may hold to be written as math: a chemical
# formula's count or charge, a unit's power, a letter or two.
_SIMPLE_SCRIPT = re.compile(r"^[\w+\-−.,′*]{1,20}$")
_SPACES = re.compile(r"[ \t\r\n\u00a0]+")


def _local(tag):
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _escape(text):
    return text.replace("$", r"\$")


def _script(mark, element):
    text = _SPACES.sub(" ", element.text_content()).strip()
    if _SIMPLE_SCRIPT.match(text):
        return f"${mark}{{{text}}}$"
    return _escape(f"{mark}({text})" if text else "")


def _math_text(element):
    """A MathML formula as text, its scripts as the site's math: 10<msup> 9 → 10$^{9}$.

    Only the letters, numbers and operators are kept; a power or an index written as
    text alone would read as another number ("22.2×10<sup>9</sup>" as "22.2×109": a
    recorded Crossref abstract, tests/publications/data/recorded/crossref/).
    """
    name = _local(element.tag)
    children = [child for child in element if _local(child.tag)]
    if name in ("msup", "msub", "msubsup") and len(children) >= 2:
        text = _math_text(children[0])
        if name == "msubsup" and len(children) >= 3:
            return text + _script("_", children[1]) + _script("^", children[2])
        return text + _script("^" if name == "msup" else "_", children[1])
    parts = [_escape(element.text or "")]
    for child in element:
        if _local(child.tag):
            parts.append(_math_text(child))
        parts.append(_escape(child.tail or ""))
    return "".join(parts)


def to_text(markup, abstract=False):
    """Clean text of a title (one line) or an abstract (paragraphs split by blank lines).

    An abstract's leading heading ("Abstract") is dropped.
    """
    if not markup or not markup.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _SPACES.sub(" ", _escape(markup)).strip()
    paragraphs, current = [], []

    def flush():
        text = _SPACES.sub(" ", "".join(current)).strip()
        if text:
            paragraphs.append(text)
        current.clear()

    def walk(element):
        name = _local(element.tag)
        if name in SKIPPED:
            return
        if name == "title" and abstract and not paragraphs and not "".join(current).strip():
            text = _SPACES.sub(" ", element.text_content()).strip().lower()
            if text in ("abstract", "summary", "graphical abstract", "要旨", "概要"):
                return
        if name in ("sub", "sup", "inf"):
            text = _SPACES.sub(" ", element.text_content()).strip()
            mark = "^" if name == "sup" else "_"
            if _SIMPLE_SCRIPT.match(text):
                current.append(f"${mark}{{{text}}}$")
            else:
                current.append(_escape(text))
            return
        if name == "math":  # MathML: its text (the letters and numbers), not the markup
            current.append(_math_text(element))
            return
        if name == "br":
            current.append(" ")
            return
        block = name in BLOCKS
        if block and abstract:
            flush()
        if element.text:
            current.append(_escape(element.text))
        for child in element:
            walk(child)
            if child.tail:
                current.append(_escape(child.tail))
        if block:
            if abstract:
                flush()
            else:
                current.append(" ")

    walk(root)
    flush()
    return ("\n\n" if abstract else " ").join(paragraphs)
