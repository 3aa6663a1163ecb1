"""An Atom feed of the lab's news, in the page's language."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from publications.markup import render_markdown

from .models import NewsItem

FEED_LENGTH = 20


class NewsFeed(Feed):
    """Newest first. An entry is dated by the item's own date (published and updated):
    correcting a typo does not make an old announcement look new."""

    feed_type = Atom1Feed

    def title(self):
        return _("Mizoguchi Laboratory: news")

    def subtitle(self):
        return _("Announcements of the laboratory.")

    def link(self):
        return reverse("news:list")

    def items(self):
        return NewsItem.objects.published().newest_first()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return render_markdown(item.body)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_updateddate(self, item):
        return self.item_pubdate(item)
