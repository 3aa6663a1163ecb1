"""A background search of Crossref for the DOIs of every paper without one (data health)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DoiSearch(models.Model):
    """One run of "Look for the DOIs of the papers without one" (publications/tasks.py).

    The worker searches Crossref for each paper and stores what it found as a
    DoiSearchResult per paper; the admin's page shows the progress, then the candidates.
    Nothing is written to the papers until the editor accepts a DOI (doi_search.accept,
    an undoable import batch of its own). Searches older than a day are deleted when a
    new one starts: their candidates are stale by then.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Searching")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The language of the editor who started it: the worker's messages are in it.
    language = models.CharField(max_length=10, blank=True)
    # Why the search stopped before the end (Crossref down…), in that language.
    error = models.TextField(blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"DOI search #{self.pk} ({self.status})"

    @property
    def running(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class DoiSearchResult(models.Model):
    """What Crossref's search gave for one paper: its candidates, best first, as
    `doi_search.Candidate.to_json` writes them (empty: nothing found)."""

    search = models.ForeignKey(DoiSearch, on_delete=models.CASCADE, related_name="results")
    number = models.PositiveIntegerField()
    paper = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="+"
    )
    candidates = models.JSONField(default=list)
    # Why this paper could not be searched (no title), else empty.
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["search", "number"]
        constraints = [
            models.UniqueConstraint(fields=["search", "number"], name="doisearchresult_number")
        ]

    def __str__(self):
        return f"{self.search_id}/{self.number}"
