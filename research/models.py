"""Research themes and the lab's profile: the pages that present the papers."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from publications import freshness
from publications.models import Keyword, Publication

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]


def validate_image_size(image):
    limit = settings.LABSITE_MAX_IMAGE_BYTES
    if image and image.size > limit:
        raise ValidationError(
            _("The image is %(size).1f MB; the limit is %(limit)d MB."),
            params={"size": image.size / 1_048_576, "limit": limit // 1_048_576},
            code="image_too_large",
        )


class SubqueryCount(models.Subquery):
    """The number of rows of a queryset, as an expression (a scalar subquery)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = models.IntegerField()


def body_repeats_lead(lead, body):
    """Whether a theme's body starts with its lead (spacing aside): shown twice on its page."""
    lead, body = " ".join((lead or "").split()), " ".join((body or "").split())
    return bool(lead) and body.startswith(lead)


class ResearchThemeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class ResearchTheme(models.Model):
    title = models.CharField(_("title"), max_length=200, blank=True)
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("One or two sentences shown on cards.")
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    image = models.ImageField(
        _("image"),
        upload_to="themes/",
        blank=True,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS), validate_image_size],
        help_text=_(
            "JPEG, PNG, WebP or GIF, at most 5 MB. Without one, a generated visual is shown."
        ),
    )
    image_alt = models.CharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("Alt text for screen readers."),
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_published = models.BooleanField(_("published on the site"), default=True)
    keywords = models.ManyToManyField(
        Keyword, blank=True, related_name="themes", verbose_name=_("keywords")
    )
    representative_publications = models.ManyToManyField(
        Publication,
        through="RepresentativePublication",
        blank=True,
        related_name="representative_in",
        verbose_name=_("representative publications"),
    )
    # Papers sharing a keyword with the theme that editors judged not to belong to it.
    excluded_publications = models.ManyToManyField(
        Publication,
        blank=True,
        related_name="excluded_from_themes",
        verbose_name=_("papers not related to the theme"),
        help_text=_("Papers that share a keyword with the theme but are not listed on it."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResearchThemeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("research theme")
        verbose_name_plural = _("research themes")

    def __str__(self):
        return self.title or self.slug

    def get_absolute_url(self):
        return reverse("research:theme", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if not (self.title_ja or self.title_en):
            raise ValidationError(_("Give the theme a title in at least one language."))
        repeated = {
            f"body_{code}": _(
                "The body begins with the lead, which the page already shows above it:"
                " start the body after the lead."
            )
            for code in ("ja", "en")
            if body_repeats_lead(getattr(self, f"lead_{code}"), getattr(self, f"body_{code}"))
        }
        if repeated:
            raise ValidationError(repeated)
        if self.image and not (self.image_alt_ja or self.image_alt_en):
            raise ValidationError(
                {"image_alt_ja": _("Describe the image for readers who cannot see it.")}
            )

    def representative_list(self):
        """The editors' representative papers, in their order (published ones only)."""
        return (
            Publication.objects.published()
            .filter(representations__theme=self)
            .order_by("representations__order", "representations__pk")
        )

    def linking_keywords(self):
        """The theme's keywords that tie it to papers (not marked too broad)."""
        return Keyword.objects.filter(themes=self, links_themes=True)

    def related_publications(self):
        """Other published papers sharing a linking keyword with the theme, newest first.

        Not the representatives, nor the papers the editors excluded from the theme.
        `ranked_related()` orders the same papers by how much they share.
        """
        return (
            Publication.objects.published()
            .sharing_keywords(self.linking_keywords())
            .exclude(pk__in=self.representatives.values("publication_id"))
            .exclude(
                pk__in=self.excluded_publications.through.objects.filter(researchtheme=self).values(
                    "publication_id"
                )
            )
            .newest_first()
        )

    def keyword_weights(self):
        """{keyword id: weight} of the linking keywords that tag a published paper.

        A keyword many papers share says less about a paper than a rare one: its
        weight is ln((N + 1) / df), N the published papers, df those it tags (an
        inverse document frequency, smoothed so that a keyword tagging every paper
        still weighs a little). Kept as integers (thousandths) so that sums, and
        the order they give, are exact and the same on every database. One query,
        kept by each worker until the content changes.
        """

        def compute():
            # The number of published papers rides along as a subquery: one query.
            published = SubqueryCount(Publication.objects.published().order_by().values("pk"))
            counts = (
                Publication.keywords.through.objects.filter(
                    publication__is_published=True,
                    keyword__in=self.linking_keywords(),
                )
                .values("keyword_id")
                .annotate(
                    df=models.Count("pk"),
                    total=published,
                )
                .values_list("keyword_id", "df", "total")
            )
            return {
                keyword_id: round(1000 * math.log((total + 1) / df))
                for keyword_id, df, total in counts
            }

        return freshness.cached(f"theme:{self.pk}:keyword-weights", compute)

    def ranked_related(self):
        """`related_publications()`, the most closely related first.

        A paper's `theme_score` is the sum of the weights (`keyword_weights`) of the
        linking keywords it shares with the theme: sharing more keywords, and more
        specific ones, ranks a paper higher; ties go newest first. No minimum score:
        every paper sharing a linking keyword is listed (docs/pages.md says why).
        """
        weights = self.keyword_weights()
        if not weights:
            return self.related_publications().none()
        through = Publication.keywords.through
        score = (
            through.objects.filter(publication=models.OuterRef("pk"), keyword_id__in=weights)
            .order_by()
            .values("publication")
            .annotate(
                total=models.Sum(
                    models.Case(
                        *(
                            models.When(keyword_id=keyword_id, then=models.Value(weight))
                            for keyword_id, weight in sorted(weights.items())
                        ),
                        default=models.Value(0),
                        output_field=models.IntegerField(),
                    )
                )
            )
            .values("total")
        )
        return (
            self.related_publications()
            .annotate(theme_score=models.Subquery(score, output_field=models.IntegerField()))
            .order_by(
                models.F("theme_score").desc(nulls_last=True),
                models.F("year").desc(nulls_last=True),  # undated papers last
                models.F("month").desc(nulls_last=True),
                "-pk",
            )
        )

    def publications(self):
        """Every published paper of the theme: representative or related (as listed)."""
        return Publication.objects.published().filter(
            models.Q(pk__in=self.representatives.values("publication_id"))
            | models.Q(pk__in=self.related_publications().order_by().values("pk"))
        )

    @property
    def hue(self):
        """A stable hue for the generated visual of a theme without an image."""
        return (sum(map(ord, self.slug)) * 47) % 360


class RepresentativePublication(models.Model):
    """A paper the editors chose to represent a theme, in their order."""

    theme = models.ForeignKey(
        ResearchTheme,
        on_delete=models.CASCADE,
        related_name="representatives",
        verbose_name=_("theme"),
    )
    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="representations",
        verbose_name=_("publication"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["theme", "order", "pk"]
        verbose_name = _("representative publication")
        verbose_name_plural = _("representative publications")
        constraints = [
            models.UniqueConstraint(fields=["theme", "publication"], name="representative_unique"),
        ]

    def __str__(self):
        return f"{self.theme}: {self.publication}"


class LabProfile(models.Model):
    """The lab's name, mission statement and introduction (one row)."""

    name = models.CharField(_("lab name"), max_length=200, blank=True)
    mission = models.CharField(_("mission statement"), max_length=300, blank=True)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("lab profile")
        verbose_name_plural = _("lab profile")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="labprofile_singleton")
        ]

    def __str__(self):
        return self.name or str(_("Lab profile"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The profile, or an unsaved empty one when none was entered yet."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
