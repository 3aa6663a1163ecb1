"""Admin actions of the publication list that edit the selected papers at once, and undo.

Publish and unpublish act at once; adding or removing a keyword or a theme first
asks which (an intermediate page that posts the selection back with the choice).
Each edit is an EditBatch (publications/bulk.py), listed under "Bulk edits" with
a button that undoes it; the message after an edit links there.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import bulk
from .models import EditBatch, Keyword, Publication

Action = EditBatch.Action


class KeywordChoiceForm(forms.Form):
    target = forms.ModelChoiceField(
        label=gettext_lazy("Keyword"), queryset=Keyword.objects.order_by("slug")
    )

    def __init__(self, *args, admin_site, papers=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        if papers is None:
            # Adding: any keyword, found by typing (the same search as a paper's keywords).
            self.fields["target"] = forms.ModelChoiceField(
                label=field.label,
                queryset=field.queryset,
                widget=AutocompleteSelect(Publication._meta.get_field("keywords"), admin_site),
            )
        else:
            # Removing: only the keywords the selected papers carry.
            field.queryset = Keyword.objects.filter(
                publications__in=papers.order_by().values("pk")
            ).distinct()


class ThemeChoiceForm(forms.Form):
    target = forms.ModelChoiceField(label=gettext_lazy("Research theme"), queryset=None)

    def __init__(self, *args, admin_site, papers=None, **kwargs):
        super().__init__(*args, **kwargs)
        theme_model = bulk.target_model(Action.ADD_THEME)
        queryset = theme_model.objects.order_by("order", "pk")
        if papers is not None:
            queryset = queryset.filter(
                representatives__publication__in=papers.order_by().values("pk")
            ).distinct()
        self.fields["target"].queryset = queryset


FORMS = {
    Action.ADD_KEYWORD: (KeywordChoiceForm, False),
    Action.REMOVE_KEYWORD: (KeywordChoiceForm, True),
    Action.ADD_THEME: (ThemeChoiceForm, False),
    Action.REMOVE_THEME: (ThemeChoiceForm, True),
}


def _done(modeladmin, request, batch):
    url = reverse("admin:publications_editbatch_change", args=[batch.pk])
    text = _("%(action)s: %(changed)d of the %(selected)d selected papers changed.") % {
        "action": str(batch).rsplit(" (", 1)[0],
        "changed": batch.changed_count,
        "selected": batch.selected_count,
    }
    modeladmin.message_user(
        request, format_html('{} <a href="{}">{}</a>', text, url, _("Undo…")), messages.SUCCESS
    )


def _run(modeladmin, request, queryset, action):
    """Apply an action that needs no choice, or ask for the choice, then apply it."""
    choice = FORMS.get(action)
    target = None
    if choice is not None:
        form_class, limit_to_selection = choice
        papers = queryset if limit_to_selection else None
        site = modeladmin.admin_site
        across = request.POST.get("select_across") == "1"
        if "apply" in request.POST:
            form = form_class(request.POST, admin_site=site, papers=papers)
            if form.is_valid():
                target = form.cleaned_data["target"]
        else:
            form = form_class(admin_site=site, papers=papers)
        if target is None:
            return TemplateResponse(
                request,
                "admin/publications/publication/bulk_choice.html",
                {
                    **site.each_context(request),
                    "title": Action(action).label,
                    "opts": modeladmin.model._meta,
                    "form": form,
                    "media": modeladmin.media + form.media,
                    "action": action.replace("-", "_"),
                    # With "select all", the list's filters (in the address) give the papers.
                    "selected": list(
                        queryset.order_by().values_list("pk", flat=True)[: 1 if across else None]
                    ),
                    "count": queryset.count(),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "select_across": "1" if across else "0",
                },
                status=400 if "apply" in request.POST else 200,
            )
    batch = bulk.apply(action, queryset, target, request.user)
    _done(modeladmin, request, batch)
    return None


def _action(action):
    def run(modeladmin, request, queryset):
        return _run(modeladmin, request, queryset, action)

    run.__name__ = action.replace("-", "_")
    return admin.action(description=Action(action).label, permissions=["change"])(run)


ACTIONS = [_action(action) for action in Action.values]


def undo_view(admin_site):
    def view(request, batch_id):
        if not request.user.has_perm("publications.change_publication"):
            raise PermissionDenied
        batch = get_object_or_404(EditBatch, pk=batch_id)
        can_undo = batch.status == EditBatch.Status.APPLIED
        if can_undo and request.method == "POST":
            summary = bulk.undo(batch, request.user)
            messages.success(request, str(summary))
            return redirect("admin:publications_editbatch_change", batch.pk)
        return TemplateResponse(
            request,
            "admin/publications/edit_undo.html",
            {
                **admin_site.each_context(request),
                "opts": EditBatch._meta,
                "title": _("Undo a bulk edit"),
                "batch": batch,
                "can_undo": can_undo,
                "batch_url": reverse("admin:publications_editbatch_change", args=[batch.pk]),
            },
            status=200 if can_undo else 409,
        )

    return view
