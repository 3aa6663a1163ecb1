"""Items as a table: CSV for any spreadsheet, .xlsx for Excel (openpyxl)."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A cell that begins with one of these is a formula to a spreadsheet ("CSV injection"):
# a title such as "=HYPERLINK(…)" must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None:
        return ""
    return value if isinstance(value, int) else str(value)


def rows(columns, items):
    """[[header…], [value…]…]: the table as cells (booleans as words, None as "")."""
    yield [str(column.header) for column in columns]
    for item in items:
        yield [_cell(column.value(item)) for column in columns]


def csv_bytes(columns, items):
    """UTF-8 with a byte-order mark, so Excel opens Japanese text as Japanese; CRLF rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows(columns, items):
        writer.writerow(
            "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value
            for value in row
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(columns, items, title):
    """One sheet named `title`: a bold, frozen header row, then one row per item."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]  # Excel's limit on a sheet's name
    widths = [0] * len(columns)
    for number, row in enumerate(rows(columns, items), start=1):
        for index, value in enumerate(row):
            cell = sheet.cell(row=number, column=index + 1)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text begins with
            if number == 1:
                cell.font = Font(bold=True)
            widths[index] = max(widths[index], len(str(value)))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 6) + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
