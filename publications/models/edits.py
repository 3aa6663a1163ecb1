"""Bulk edits from the publication admin's list, recorded so that each can be undone."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .papers import Publication


class EditBatch(models.Model):
    """One bulk edit over selected papers: what it did, to which papers, and its undo.

    Only the papers it changed get an EditItem (adding a keyword a paper already has
    changes nothing), so undoing it touches exactly those, and only where nobody
    changed the same thing since (publications/bulk.py).
    """

    class Action(models.TextChoices):
        ADD_KEYWORD = "add-keyword", _("Add a keyword")
        REMOVE_KEYWORD = "remove-keyword", _("Remove a keyword")
        ADD_THEME = "add-theme", _("Add as representative papers of a theme")
        REMOVE_THEME = "remove-theme", _("Remove from a theme's representative papers")
        PUBLISH = "publish", _("Publish on the site")
        UNPUBLISH = "unpublish", _("Hide from the site")
        PEER_REVIEWED = "peer-reviewed", _("Mark as peer-reviewed")
        NOT_PEER_REVIEWED = "not-peer-reviewed", _("Mark as not peer-reviewed")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNDONE = "undone", _("Undone")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # The keyword or theme the action names, by id and by name: the theme lives in the
    # research app, and either may be deleted later while the record stays readable.
    target_id = models.PositiveBigIntegerField(_("keyword or theme id"), null=True, blank=True)
    target_label = models.CharField(_("keyword or theme"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    selected_count = models.PositiveIntegerField(_("papers selected"), default=0)
    changed_count = models.PositiveIntegerField(_("papers changed"), default=0)
    created_at = models.DateTimeField(_("done"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk edit")
        verbose_name_plural = _("bulk edits")

    def __str__(self):
        text = self.get_action_display()
        if self.target_label:
            text = f"{text}: {self.target_label}"
        return f"{text} ({self.changed_count})"


class EditItem(models.Model):
    """One paper a bulk edit changed, with the state it had before and after.

    `before` and `after` hold what the action touches: {"is_published": bool},
    {"peer_reviewed": true, false or null (not recorded)},
    {"has": bool} for a keyword, {"has": bool, "order": n} for a theme.
    """

    batch = models.ForeignKey(
        EditBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("bulk edit")
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", verbose_name=_("publication")
    )
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = _("paper changed")
        verbose_name_plural = _("papers changed")

    def __str__(self):
        return str(self.publication_id)
