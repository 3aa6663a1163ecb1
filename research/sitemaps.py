"""Sitemap sections for the home page and the research themes."""

from publications.sitemaps import LabSitemap, NamedPagesSitemap

from .models import LabProfile, Member, ResearchTheme


class ThemeSitemap(LabSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return ResearchTheme.objects.published()

    def lastmod(self, obj):
        return obj.updated_at


class ResearchIndexSitemap(NamedPagesSitemap):
    """The home page and the themes index."""

    priority = 1.0
    url_names = ("research:home", "research:theme_list")

    def changed_objects(self):
        return ResearchTheme.objects.published()


class MemberSitemap(LabSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Member.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at


class MemberIndexSitemap(NamedPagesSitemap):
    """The members page."""

    priority = 0.8
    url_names = ("research:member_list",)

    def changed_objects(self):
        return Member.objects.published()


class AccessSitemap(NamedPagesSitemap):
    """The Access page."""

    priority = 0.5
    changefreq = "yearly"
    url_names = ("research:access",)

    def changed_objects(self):
        return LabProfile.objects.all()
