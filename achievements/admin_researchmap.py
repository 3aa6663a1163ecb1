"""The admin's researchmap imports of presentations, awards and patents: preview, confirm, undo.

A pending import (achievements/importing.py) is started by the researchmap import of
the publications' admin (publications/admin_researchmap.py), together with the papers'
batch; its preview lists one row per achievement with a choice, Confirm writes the
chosen ones, and the page of an applied import offers Undo. Nothing here reaches
researchmap: the lists were read when the import was started.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from . import importing
from .models import KINDS, ResearchmapImport

ADD_PERMISSIONS = [f"achievements.add_{kind}" for kind in KINDS]


def check(request, *perms):
    if not all(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


@admin.register(ResearchmapImport)
class ResearchmapImportAdmin(admin.ModelAdmin):
    list_display = ["page", "status", "created_count", "created_at", "created_by"]
    list_filter = ["status"]
    list_select_related = ["created_by"]

    def has_add_permission(self, request):
        return False  # started from the publications' "Import from researchmap or ORCID"

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/",
                view(self.preview_view),
                name="achievements_researchmapimport_preview",
            ),
            path(
                "<int:pk>/undo/", view(self.undo_view), name="achievements_researchmapimport_undo"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:achievements_researchmapimport_preview", object_id)

    def preview_view(self, request, pk):
        check(request, "achievements.view_researchmapimport")
        batch = get_object_or_404(
            ResearchmapImport.objects.select_related("papers_batch", "created_by"), pk=pk
        )
        status = 200
        if request.method == "POST":
            check(request, "achievements.add_researchmapimport", *ADD_PERMISSIONS)
            choices = {
                row["number"]: request.POST.get(f"choice-{row['number']}", row["default"])
                for row in batch.rows
            }
            try:
                result = importing.confirm(batch, choices, request.user)
            except importing.ImportRefused as refused:
                messages.error(request, str(refused))
                status = 400
            else:
                text = _("%(created)d achievements imported, %(people)d new people.") % {
                    "created": result.created,
                    "people": result.people,
                }
                if result.gone:
                    text += " " + _(
                        "Stored by another import since the preview, so skipped: %(items)s"
                    ) % {"items": "; ".join(result.gone)}
                messages.success(request, text)
                return redirect("admin:achievements_researchmapimport_preview", batch.pk)
        return self.render(request, batch, status)

    def undo_view(self, request, pk):
        check(
            request,
            "achievements.delete_researchmapimport",
            *[f"achievements.delete_{kind}" for kind in KINDS],
        )
        batch = get_object_or_404(ResearchmapImport, pk=pk)
        if request.method != "POST":
            return redirect("admin:achievements_researchmapimport_preview", batch.pk)
        try:
            result = importing.undo(batch, request.user)
        except importing.ImportRefused as refused:
            messages.error(request, str(refused))
            return self.render(request, batch, 400)
        messages.success(request, _("Import undone: %(summary)s.") % {"summary": result})
        return redirect("admin:achievements_researchmapimport_preview", batch.pk)

    def render(self, request, batch, status=200):
        counts, chosen = importing.summary(batch.rows)
        rows = [
            {
                **row,
                "admin_url": self.object_url(row["kind"], row.get("object_id")),
                "matches": [
                    {**m, "url": self.object_url(row["kind"], m["id"])} for m in row["matches"]
                ],
            }
            for row in batch.rows
        ]
        return TemplateResponse(
            request,
            "admin/achievements/researchmap_preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Presentations, awards and patents from %(page)s")
                % {"page": batch.page},
                "batch": batch,
                "rows": rows,
                "counts": counts,
                "chosen": chosen,
                "pending": batch.status == ResearchmapImport.Status.PENDING,
                "applied": batch.status == ResearchmapImport.Status.APPLIED,
            },
            status=status,
        )

    @staticmethod
    def object_url(kind, pk):
        if not pk:
            return ""
        return reverse(f"admin:achievements_{kind}_change", args=[pk])
