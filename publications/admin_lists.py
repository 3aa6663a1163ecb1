"""The admin's achievement list (業績リスト): the filters, a preview in a citation style,
and the downloads (CSV, Excel, Word, plain text). docs/achievement-lists.md."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from . import exports
from .lists import STYLES, render, table
from .lists.csl import STYLE_FILES as CSL_STYLES
from .lists.filters import AchievementFilterForm
from .lists.papers import PAPERS  # noqa: F401 (registers the papers' kind, the default)
from .models import Publication

# How many entries the page itself shows; the downloads hold the whole list.
PREVIEW = 100
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "txt": ("text/plain; charset=utf-8", "txt"),
}


def _bad_request(text):
    response = HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def download(form, fmt):
    """The list in `fmt` (DOWNLOADS), or a 400 that says what is wrong."""
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label}: {' '.join(messages)}"
            if name in form.fields
            else " ".join(messages)
            for name, messages in form.errors.items()
        )
        return _bad_request(_("The list's filters are not valid: %(errors)s") % {"errors": errors})
    kind = form.chosen_kind
    selected = kind.select(form.cleaned_data)
    count = selected.count()
    try:
        exports.check_size(count, kind.count_text)
    except exports.Refused as refused:
        return refused.response
    limit = settings.LABSITE_LIST_MAX_STYLED
    if fmt in ("docx", "txt") and form.chosen_style in CSL_STYLES and limit and count > limit:
        return _bad_request(
            _(
                "This list has %(items)s: a list in the %(style)s style holds at most"
                " %(limit)d. Narrow it with the filters (a fiscal year, a member), or download"
                " it as Excel or in the Japanese style."
            )
            % {"items": kind.count_text(count), "limit": limit, "style": STYLES[form.chosen_style]}
        )
    items = list(selected)
    title = _("Achievement list") if kind.key == "papers" else kind.label
    if fmt == "csv":
        body = table.csv_bytes(kind.columns, items)
    elif fmt == "xlsx":
        body = table.xlsx_bytes(kind.columns, items, kind.label)
    else:
        entries = kind.format(items, form.chosen_style)
        if fmt == "docx":
            body = render.docx_bytes(entries, f"{title} ({STYLES[form.chosen_style]})")
        else:
            body = render.text(entries).encode()
    content_type, extension = DOWNLOADS[fmt]
    response = HttpResponse(body, content_type=content_type)
    suffix = "" if fmt in ("csv", "xlsx") else f"-{form.chosen_style}"
    name = "achievements" if kind.key == "papers" else kind.key
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


def achievement_list_view(site):
    def view(request):
        if not request.user.has_perm("publications.view_publication"):
            raise PermissionDenied
        form = AchievementFilterForm(request.GET or None)
        fmt = request.GET.get("download")
        if fmt is not None:
            if fmt not in DOWNLOADS:
                return _bad_request(
                    _("Unknown download “%(format)s”: use csv, xlsx, docx or txt.")
                    % {"format": fmt[:20]}
                )
            return download(form, fmt)  # bound: the query string has `download`
        context = {
            **site.each_context(request),
            "title": _("Achievement list"),
            "opts": Publication._meta,
            "form": form,
        }
        if not form.is_bound or form.is_valid():
            kind = form.chosen_kind
            selected = kind.select(form.cleaned_data if form.is_bound else {})
            shown = list(selected[:PREVIEW])
            style = form.chosen_style
            context.update(
                count=selected.count(),
                kind_key=kind.key,
                kind_label=kind.label,
                entries=kind.format(shown, style),
                preview=PREVIEW,
                style_label=STYLES[style],
                query=request.GET.urlencode(),
            )
        return TemplateResponse(request, "admin/lists/achievement_list.html", context)

    return view
