"""Downloads of the achievements page: one kind at a time, as the papers' lists are drawn
(publications.lists: CSV, Excel, the Japanese style as text or Word)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from publications import exports as paper_exports
from publications.lists import render, table

from .lists import KINDS

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "txt": ("text/plain; charset=utf-8", "txt"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


def _bad_request(text):
    response = HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def response(request, fmt, sections):
    """The one kind in `sections` ({type: queryset}) as `fmt`; 400 for what cannot be drawn."""
    if fmt not in FORMATS:
        return _bad_request(
            _("Unknown download “%(format)s”: use csv, xlsx, txt or docx.") % {"format": fmt[:20]}
        )
    if len(sections) != 1:
        return _bad_request(
            _("Choose a type (presentations, awards or patents) to download its list.")
        )
    if (limited := paper_exports.over_limit(request)) is not None:
        return limited
    ((kind_key, queryset),) = sections.items()
    kind = KINDS[kind_key]
    try:
        paper_exports.check_size(queryset.count(), kind.count_text)
    except paper_exports.Refused as refused:
        return refused.response
    items = list(queryset)
    if fmt == "csv":
        body = table.csv_bytes(kind.columns, items)
    elif fmt == "xlsx":
        body = table.xlsx_bytes(kind.columns, items, kind.label)
    elif fmt == "txt":
        body = render.text(kind.format(items, "ja")).encode()
    else:
        body = render.docx_bytes(kind.format(items, "ja"), kind.label)
    content_type, extension = FORMATS[fmt]
    result = HttpResponse(body, content_type=content_type)
    result["Content-Disposition"] = f'attachment; filename="{kind.key}.{extension}"'
    result["Cache-Control"] = "no-store"
    return result
