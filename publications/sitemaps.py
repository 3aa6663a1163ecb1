"""Sitemap sections for papers and keywords, in both languages with alternates."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Keyword, Publication


class LabSitemap(Sitemap):
    """Every URL in each language, with hreflang alternates and an x-default."""

    i18n = True
    alternates = True
    x_default = True

    def get_urls(self, page=1, site=None, protocol=None):
        """The x-default is the Japanese page, as in the pages' own hreflang links.

        Django points it at the URL without the language prefix, which only redirects
        (by Accept-Language) and would contradict what every page says.
        """
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            locations = {alt["lang_code"]: alt["location"] for alt in url["alternates"]}
            for alternate in url["alternates"]:
                if alternate["lang_code"] == "x-default":
                    alternate["location"] = locations[settings.LANGUAGE_CODE]
        return urls


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


class NamedPagesSitemap(LabSitemap):
    """Pages without an object (indexes), by URL name; lastmod = the newest change they show."""

    changefreq = "weekly"
    url_names = ()

    def items(self):
        return list(self.url_names)

    def location(self, item):
        return reverse(item)

    def changed_objects(self):
        return Publication.objects.published()

    def lastmod(self, item):
        return self.changed_objects().aggregate(last=Max("updated_at"))["last"]


class PublicationIndexSitemap(NamedPagesSitemap):
    """The publications list and the keyword index."""

    url_names = ("publications:list", "publications:keyword_list")
