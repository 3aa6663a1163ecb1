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
# A paper saved again this soon after it was added was still being added (an import
# saves it, then its authors and keywords): not a change a feed reader should see.
ADDED_MARGIN = datetime.timedelta(hours=1)


class AuthorsAtomFeed(Atom1Feed):
    """Atom with one <author> per author of the paper, in order (Django writes one)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")


class PublicationFeed(Feed):
    """Newest publications first; each entry links to the paper's page.

    An entry is `published` on the paper's publication date and `updated` when its
    record was last changed after it was added (an editor's correction, an import's
    update); until then `updated` is the publication date too (when it was added, for
    an undated paper), so a BibTeX import does not make every old paper look new.
    """

    feed_type = AuthorsAtomFeed

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

    def item_extra_kwargs(self, item):
        return {"authors": [str(a.person) for a in item.ordered_authorships]}

    def item_pubdate(self, item):
        if item.year is None:
            return None  # undated: no date is better than a made-up one
        date = datetime.datetime(item.year, item.month or 1, item.day or 1)
        return timezone.make_aware(date)

    def item_updateddate(self, item):
        if item.updated_at - item.created_at > ADDED_MARGIN:
            return item.updated_at
        return self.item_pubdate(item) or item.created_at


class KeywordFeed(PublicationFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Keyword.objects.with_published_papers(), slug=slug)

    def title(self, obj=None):
        return _("Mizoguchi Laboratory: new publications on %(keyword)s") % {"keyword": obj}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def publications(self, obj):
        return Publication.objects.published().filter(keywords=obj)
