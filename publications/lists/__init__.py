"""Achievement lists (業績リスト): a filtered set of items as a table (CSV, Excel) or as a
formatted list in a citation style (HTML, plain text, Word).

The layer is generic, so other kinds of achievement (presentations, awards, patents)
plug in beside papers:

- `Column`: a table column, a header and a function of one item. `table.csv_bytes()`
  and `table.xlsx_bytes()` write any items with any columns.
- `Entry`: one formatted item, a list of `Run`s (text with italic / bold / member
  marks). `render.text()`, `render.docx_bytes()` and the template
  `admin/lists/entries.html` draw any entries; no renderer knows what an item is.
- `Kind`: what one type of item offers: its columns and, per style, a formatter
  (a function from a list of items to a list of entries). `papers.PAPERS` is the kind
  of publications; a new kind registers itself with `register()`.

docs/achievement-lists.md says how a lab uses it, and the rules of each style.
"""

from .base import STYLES, Column, Entry, Kind, Run, kinds, register

__all__ = ["STYLES", "Column", "Entry", "Kind", "Run", "kinds", "register"]
