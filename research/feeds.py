"""An Atom feed of a research theme's publications."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from publications.feeds import PublicationFeed

from .models import ResearchTheme


class ThemeFeed(PublicationFeed):
    def get_object(self, request, slug):
        return get_object_or_404(ResearchTheme.objects.published(), slug=slug)

    def title(self, obj=None):
        return _("Mizoguchi Laboratory: new publications in “%(theme)s”") % {"theme": obj}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def publications(self, obj):
        return obj.publications()
