"""Sitemap sections for the news list and the news items."""

from django.db.models import Max

from publications.sitemaps import LabSitemap, NamedPagesSitemap

from .models import NewsItem


class NewsSitemap(LabSitemap):
    changefreq = "yearly"
    priority = 0.5

    def items(self):
        return NewsItem.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at


class NewsIndexSitemap(NamedPagesSitemap):
    """The news list."""

    changefreq = "weekly"
    priority = 0.7
    url_names = ("news:list",)

    def items(self):
        # An empty news page is nothing to find: listed from the first published item on.
        return list(self.url_names) if self.changed_objects().exists() else []

    def changed_objects(self):
        return NewsItem.objects.published()

    def lastmod(self, item):
        return self.changed_objects().aggregate(last=Max("updated_at"))["last"]
