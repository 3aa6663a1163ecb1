"""News (お知らせ): dated announcements of the lab, in Japanese and English."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publications.models import Publication, unique_slug
from research.models import Member

# news/feed/ is the feed: an item with that slug could never be reached.
RESERVED_SLUGS = frozenset({"feed"})


class NewsItemQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def newest_first(self):
        return self.order_by("-date", "-pk")


class NewsItem(models.Model):
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("The news item's address.")
    )
    date = models.DateField(
        _("date"), default=timezone.localdate, help_text=_("Shown with the item; newest first.")
    )
    is_published = models.BooleanField(_("published on the site"), default=True)
    publications = models.ManyToManyField(
        Publication,
        blank=True,
        related_name="news_items",
        verbose_name=_("related papers"),
        help_text=_("Papers the item is about: linked below it."),
    )
    members = models.ManyToManyField(
        Member,
        blank=True,
        related_name="news_items",
        verbose_name=_("related members"),
        help_text=_("Members the item is about: linked below it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [models.Index(fields=["is_published", "-date"], name="news_published_date")]

    def __str__(self):
        return self.title or self.slug

    def save(self, *args, **kwargs):
        if not self.slug:
            text = self.title_en or self.title_ja or ""
            self.slug = unique_slug(
                NewsItem, text, f"news-{self.date:%Y%m%d}", self.pk, 100, RESERVED_SLUGS
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        if not (self.title_ja or self.title_en):
            errors["title_ja"] = _("Give the news item a title in at least one language.")
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _(
                "“%(slug)s” is the address of another page; choose another slug."
            ) % {"slug": self.slug}
        if errors:
            raise ValidationError(errors)
