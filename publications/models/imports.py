"""BibTeX imports: a previewed batch, then what applying it did, for undo."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .keywords import Keyword


class ImportBatchQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ImportBatch.Status.PENDING)

    def applied(self):
        return self.filter(status=ImportBatch.Status.APPLIED)


class ImportBatch(models.Model):
    """One BibTeX import: pending while previewed, then applied (undoable) or undone.

    A pending batch holds the uploaded text (`source_text`) until it is read, then its
    parsed entries (ImportRecords) and the plan the preview shows (ImportRows), so
    that the preview can be confirmed without uploading the file again; applying it
    records what it created and what it changed as ImportItems, which is what undo
    restores.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Previewed, not imported")
        APPLIED = "applied", _("Imported")
        UNDONE = "undone", _("Undone")

    class Job(models.TextChoices):
        """Where a confirmed batch is in the background queue (publications/tasks.py)."""

        NONE = "", _("none")
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Importing")

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        COMMAND = "command", _("Command line")

    class Origin(models.TextChoices):
        """What the entries came from (the source above says who started the import)."""

        BIBTEX = "bibtex", _("BibTeX")
        IDENTIFIERS = "identifiers", _("DOIs and arXiv ids")
        CROSSREF_MATCH = "crossref-match", _("DOIs found on Crossref")
        RESEARCHMAP = "researchmap", _("researchmap")
        ORCID = "orcid", _("ORCID")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    origin = models.CharField(
        _("origin"), max_length=20, choices=Origin.choices, default=Origin.BIBTEX
    )
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    is_published = models.BooleanField(
        _("new papers published"),
        default=True,
        help_text=_("Whether the papers this import creates are shown to visitors."),
    )
    keywords = models.ManyToManyField(
        Keyword,
        blank=True,
        related_name="+",
        verbose_name=_("keywords added"),
        help_text=_("Added to every imported paper."),
    )
    # The uploaded text, decoded, until the entries are read from it (then emptied): a
    # large file is read by the background worker, not by the upload's request.
    source_text = models.TextField(blank=True, editable=False)
    # The digest of the plan the preview shows (its ImportRows): confirming refuses
    # another plan. Empty until the entries have been read and planned.
    plan_digest = models.CharField(max_length=64, blank=True, editable=False)
    # What the preview's summary says: {"counts": {status: n}, "actions": {action: n},
    # "total": n, "has_choices": bool}, kept with the rows so no request counts 100,000 rows.
    plan_summary = models.JSONField(default=dict, blank=True, editable=False)
    skipped = models.JSONField(_("skipped entries"), default=list, blank=True, editable=False)
    created_count = models.PositiveIntegerField(_("new papers"), default=0)
    updated_count = models.PositiveIntegerField(_("updated papers"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("entries with errors"), default=0)
    # The background job (publications/tasks.py). The batch stays pending until the
    # worker's transaction commits; `job` says it is waiting or running meanwhile, and
    # `job_options` holds the confirmation (choices, skip_errors, the digest shown).
    job = models.CharField(
        _("background job"), max_length=10, choices=Job.choices, default="", blank=True
    )
    job_options = models.JSONField(default=dict, blank=True, editable=False)
    # Why the last job wrote nothing (the plan changed, a choice was refused…), shown once.
    job_error = models.TextField(blank=True, editable=False)
    # Progress of the running job: what it is doing and how far (done of total).
    progress_step = models.CharField(max_length=20, blank=True, editable=False)
    progress_done = models.PositiveIntegerField(default=0, editable=False)
    progress_total = models.PositiveIntegerField(default=0, editable=False)
    progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("BibTeX import")
        verbose_name_plural = _("BibTeX imports")

    def __str__(self):
        name = self.filename or _("pasted text")
        # In the site's time zone, as every other date of the admin (it was UTC: an import
        # made at 22:25 in Tokyo was titled 13:25 above a list saying 22:25).
        when = f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}" if self.created_at else "—"
        return f"{name} ({self.get_status_display()}, {when})"


class ImportText(models.Model):
    """A piece of a large upload's text, until the worker has read it.

    A text longer than one piece is stored as the pieces `parsing.chunks` cuts (cut
    between entries, so each is read as it is) rather than whole in
    `ImportBatch.source_text`: one INSERT of the whole text costs the upload's request
    the database driver's copies of it, a piece's INSERT only a piece's (figures:
    docs/limits.md, "Large files").
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    line = models.PositiveIntegerField()  # lines of the text before this piece
    text = models.TextField()

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="importtext_batch_number")
        ]

    def __str__(self):
        return f"{self.batch_id}: {self.number}"


class ImportRecord(models.Model):
    """One parsed entry (or unreadable block) of a pending batch: `mapping.to_record`'s dict.

    Stored a chunk at a time as the file is read, and read back a chunk at a time
    (in file order: `line`, then `pk`) by planning and writing, so that a large file
    is never held whole as Python objects (docs/limits.md).
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()
    record = models.JSONField()

    class Meta:
        ordering = ["batch", "line", "pk"]
        indexes = [models.Index(fields=["batch", "line"], name="importrecord_batch_line_idx")]

    def __str__(self):
        return f"{self.record.get('key') or '?'} (line {self.line})"


class ImportRow(models.Model):
    """One row of a pending batch's preview: what the plan (`plan.Row`) says of an entry.

    `view` holds what the preview shows (`plan.Row.to_view`); `choice` is the
    editor's choice among `view["options"]`, `default` the plan's. The preview
    pages through these rows instead of planning the file again.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10)
    default = models.CharField(max_length=30)
    choice = models.CharField(max_length=30)
    view = models.JSONField()

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="importrow_batch_number")
        ]
        indexes = [
            models.Index(fields=["batch", "status", "number"], name="importrow_batch_status_idx")
        ]

    def __str__(self):
        return f"{self.number}: {self.status}"


class ImportItem(models.Model):
    """What an applied import did to one object, with the object's state before and after."""

    class Kind(models.TextChoices):
        PUBLICATION_CREATED = "publication-created", _("Publication created")
        PUBLICATION_UPDATED = "publication-updated", _("Publication updated")
        PERSON_CREATED = "person-created", _("Person created")
        KEYWORD_CREATED = "keyword-created", _("Keyword created")
        VARIANT_CREATED = "variant-created", _("Name variant added")

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("import")
    )
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    label = models.CharField(_("object"), max_length=500, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = _("import item")
        verbose_name_plural = _("import items")
        indexes = [models.Index(fields=["batch", "kind"], name="importitem_batch_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"
