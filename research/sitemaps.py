"""Sitemap sections for the home page and the research themes."""

from django.db.models import Max
from django.urls import reverse

from publications.sitemaps import LabSitemap

from .models import ResearchTheme


class ThemeSitemap(LabSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return ResearchTheme.objects.published()

    def lastmod(self, obj):
        return obj.updated_at


class ResearchIndexSitemap(LabSitemap):
    """The home page and the themes index."""

    priority = 1.0
    changefreq = "weekly"

    def items(self):
        return ["research:home", "research:theme_list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return ResearchTheme.objects.published().aggregate(last=Max("updated_at"))["last"]
