"""Sitemap sections for papers and keywords, in both languages with alternates."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Keyword, Publication


class LabSitemap(Sitemap):
    """Every URL in each language, with hreflang alternates and an x-default."""

    i18n = True
    alternates = True
    x_default = True


class PublicationSitemap(LabSitemap):
    changefreq = "monthly"

    def items(self):
        return Publication.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at


class KeywordSitemap(LabSitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Keyword.objects.filter(publications__is_published=True)
            .annotate(last=Max("publications__updated_at"))
            .order_by("slug")
        )

    def lastmod(self, obj):
        return obj.last


class PublicationIndexSitemap(LabSitemap):
    """The publications list and the keyword index."""

    changefreq = "weekly"

    def items(self):
        return ["publications:list", "publications:keyword_list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Publication.objects.published().aggregate(last=Max("updated_at"))["last"]
