from django.db.models import Max

from publications.sitemaps import NamedPagesSitemap

from .models import KINDS


class AchievementIndexSitemap(NamedPagesSitemap):
    """The achievements page, once it lists something: an empty page is not worth a visit."""

    priority = 0.6
    url_names = ("achievements:list",)

    def _last_change(self):
        dates = [
            model.objects.published().aggregate(last=Max("updated_at"))["last"]
            for model in KINDS.values()
        ]
        return max((date for date in dates if date is not None), default=None)

    def items(self):
        return list(self.url_names) if self._last_change() else []

    def lastmod(self, item):
        return self._last_change()
