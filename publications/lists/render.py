"""Formatted entries as plain text and as a Word document (python-docx). The HTML is
drawn by the template admin/lists/entries.html."""

import io

from docx import Document
from docx.shared import Pt


def text(entries):
    """One numbered entry a line ("1. …"), UTF-8 text to paste anywhere."""
    return "".join(f"{number}. {entry.text}\n" for number, entry in enumerate(entries, start=1))


def docx_bytes(entries, title):
    """A .docx: the title as a heading, then one numbered paragraph per entry, lab members
    in bold and underlined, italics and super/subscripts kept."""
    document = Document()
    document.add_heading(str(title), level=1)
    for number, entry in enumerate(entries, start=1):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Pt(24)
        paragraph.paragraph_format.first_line_indent = Pt(-24)
        paragraph.add_run(f"{number}.\t")
        for run in entry.runs:
            drawn = paragraph.add_run(run.text)
            drawn.italic = run.italic or None
            drawn.bold = (run.bold or run.member) or None
            drawn.underline = run.member or None
            drawn.font.superscript = run.superscript or None
            drawn.font.subscript = run.subscript or None
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
