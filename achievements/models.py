"""Achievements other than papers: presentations, awards and patents.

Each has its people in order (presenters and co-authors, recipients, inventors)
as publications.Person, the authors of the papers, so that a member's
achievements are found through the person linked to the member, and a name read
from BibTeX resolves to the same person as in the papers (Person.objects.resolve).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from publications.models import Person


class AchievementQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def in_period(self, start, end):
        """Those dated from `start` to `end` (dates, both included)."""
        fields = self.model.DATE_FIELDS
        condition = models.Q()
        for name in fields:
            condition |= models.Q(**{f"{name}__gte": start, f"{name}__lte": end})
        return self.filter(condition)

    def of_person(self, person_id):
        return self.filter(contributors__person_id=person_id)


class Achievement(models.Model):
    """What every kind of achievement has: visibility, a link, a note, its BibTeX key."""

    url = models.URLField(_("URL"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_published = models.BooleanField(
        _("published on the site"),
        default=True,
        help_text=_("Unpublished achievements are hidden from visitors."),
    )
    citation_key = models.CharField(_("BibTeX key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AchievementQuerySet.as_manager()

    # The date fields that place it in a year (a patent: filed or registered).
    DATE_FIELDS = ("date",)

    class Meta:
        abstract = True

    def people(self):
        """Its contributors in order, each with `person` (prefetched by the list as `ordered`)."""
        ordered = getattr(self, "ordered", None)
        if ordered is None:
            ordered = list(self.contributors.select_related("person").order_by("position"))
        return ordered


class Contributor(models.Model):
    """A person's place in an achievement's list of people (1 = first)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=1, validators=[MinValueValidator(1)]
    )
    as_printed = models.CharField(
        _("name as printed"),
        max_length=200,
        blank=True,
        help_text=_("The name as the source spelled it."),
    )

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.position}. {self.person}"


class Presentation(Achievement):
    """A talk or a poster at a meeting (学会発表)."""

    class Format(models.TextChoices):
        ORAL = "oral", _("Oral")
        POSTER = "poster", _("Poster")

    title = models.CharField(_("title"), max_length=500, blank=True)
    meeting = models.CharField(_("meeting"), max_length=300, blank=True)
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("City (and country), or “online”.")
    )
    date = models.DateField(_("date"), help_text=_("The day of the presentation."))
    format = models.CharField(
        _("oral or poster"), max_length=10, choices=Format.choices, default=Format.ORAL
    )
    is_invited = models.BooleanField(_("invited"), default=False)
    is_international = models.BooleanField(
        _("international meeting"), default=False, help_text=_("国際会議 rather than 国内会議.")
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")

    def __str__(self):
        return f"{self.title} ({self.date:%Y-%m-%d})" if self.date else self.title

    def clean(self):
        super().clean()
        if not (self.title_ja or self.title_en):
            raise ValidationError(_("Give the title in at least one language."))


class PresentationAuthor(Contributor):
    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="contributors"
    )
    is_presenter = models.BooleanField(
        _("presenter"), default=False, help_text=_("Marked ○ in Japanese lists.")
    )

    class Meta(Contributor.Meta):
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "person"], name="presentation_author_unique"
            )
        ]


class Award(Achievement):
    """A prize or an award (受賞)."""

    name = models.CharField(_("award"), max_length=300, blank=True)
    awarding_body = models.CharField(_("awarding body"), max_length=300, blank=True)
    subject = models.CharField(
        _("awarded for"),
        max_length=500,
        blank=True,
        help_text=_("The work, talk or poster the award is for, if any."),
    )
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self):
        return f"{self.name} ({self.date:%Y-%m-%d})" if self.date else self.name

    def clean(self):
        super().clean()
        if not (self.name_ja or self.name_en):
            raise ValidationError(_("Give the award's name in at least one language."))


class AwardRecipient(Contributor):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="contributors")

    class Meta(Contributor.Meta):
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(fields=["award", "person"], name="award_recipient_unique")
        ]


class Patent(Achievement):
    """A patent application or a granted patent (特許)."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        PUBLISHED = "published", _("Application published")
        REGISTERED = "registered", _("Registered")
        LAPSED = "lapsed", _("Withdrawn or lapsed")

    title = models.CharField(_("title"), max_length=500, blank=True)
    applicant = models.CharField(
        _("applicant"), max_length=300, blank=True, help_text=_("出願人, e.g. the university.")
    )
    application_number = models.CharField(
        _("application number"), max_length=100, blank=True, help_text=_("特願2024-012345")
    )
    registration_number = models.CharField(
        _("patent number"), max_length=100, blank=True, help_text=_("特許第7123456号")
    )
    # Blank when only the registration is known (a granted patent read from BibTeX).
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="filed")

    DATE_FIELDS = ("filed_on", "registered_on")

    class Meta:
        ordering = [
            Coalesce("registered_on", "filed_on").desc(),
            "-pk",
        ]
        verbose_name = _("patent")
        verbose_name_plural = _("patents")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if not (self.title_ja or self.title_en):
            raise ValidationError(_("Give the title in at least one language."))
        if not (self.filed_on or self.registered_on):
            raise ValidationError({"filed_on": _("Give the filing or the registration date.")})
        if self.registered_on and self.filed_on and self.registered_on < self.filed_on:
            raise ValidationError(
                {"registered_on": _("A patent cannot be registered before it is filed.")}
            )

    @property
    def date(self):
        """The date a list shows: the registration once there is one, else the filing."""
        return self.registered_on or self.filed_on


class PatentInventor(Contributor):
    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="contributors")

    class Meta(Contributor.Meta):
        verbose_name = _("inventor")
        verbose_name_plural = _("inventors")
        constraints = [
            models.UniqueConstraint(fields=["patent", "person"], name="patent_inventor_unique")
        ]


def fiscal_year_bounds(year):
    """The Japanese fiscal year `year` (年度): 1 April `year` to 31 March the next year."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def fiscal_year_of(value):
    """The Japanese fiscal year of a date: January to March count in the year before."""
    return value.year - 1 if value.month < 4 else value.year


KINDS = {"presentation": Presentation, "award": Award, "patent": Patent}


class ResearchmapImport(models.Model):
    """One reading of a researcher's presentations, awards and patents from researchmap.

    Pending while the editor previews it (`rows`: one dict per achievement read, with
    its status, options and the editor's choice; achievements/importing.py), then
    applied — `rows[n]["object_id"]` and `people_created` record what it created, which
    is all that undo deletes — or undone. The papers read in the same request are a
    publications ImportBatch of their own (`papers_batch`), previewed on their own page
    (docs/sources-researchmap-orcid.md).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Previewed, not imported")
        APPLIED = "applied", _("Imported")
        UNDONE = "undone", _("Undone")

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        COMMAND = "command", _("Command line")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ADMIN
    )
    page = models.CharField(_("researchmap page"), max_length=255)
    is_published = models.BooleanField(
        _("new achievements published"),
        default=True,
        help_text=_("Whether the achievements this import creates are shown to visitors."),
    )
    papers_batch = models.ForeignKey(
        "publications.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("papers of the same reading"),
    )
    rows = models.JSONField(default=list, blank=True, editable=False)
    people_created = models.JSONField(default=list, blank=True, editable=False)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    created_at = models.DateTimeField(_("read"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
    )
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

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("researchmap import of achievements")
        verbose_name_plural = _("researchmap imports of achievements")

    def __str__(self):
        return f"{self.page} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("admin:achievements_researchmapimport_preview", args=[self.pk])
