"""Atom feeds of publications: all of them and per keyword, in the page's language."""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .markup import math_plain
from .models import Keyword, Publication

FEED_LENGTH = 50


class PublicationFeed(Feed):
    """Newest publications first; each entry links to the paper's page."""

    feed_type = Atom1Feed

    def title(self, obj=None):
        return _("Mizoguchi Laboratory: new publications")

    def subtitle(self, obj=None):
        return _("The laboratory's latest papers.")

    def link(self, obj=None):
        return reverse("publications:list")

    def publications(self, obj):
        return Publication.objects.published()

    def items(self, obj=None):
        return self.publications(obj).with_authors().newest_first()[:FEED_LENGTH]

    def item_title(self, item):
        return math_plain(item.title)

    def item_description(self, item):
        return f"{item.citation_text()} {math_plain(item.abstract)}".strip()

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        authors = item.ordered_authorships
        return str(authors[0].person) if authors else None

    def item_pubdate(self, item):
        if item.year is None:
            return None  # undated: no date is better than a made-up one
        date = datetime.datetime(item.year, item.month or 1, item.day or 1)
        return timezone.make_aware(date)

    def item_updateddate(self, item):
        return item.updated_at


class KeywordFeed(PublicationFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Keyword.objects.with_published_papers(), slug=slug)

    def title(self, obj=None):
        return _("Mizoguchi Laboratory: new publications on %(keyword)s") % {"keyword": obj}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def publications(self, obj):
        return Publication.objects.published().filter(keywords=obj)
