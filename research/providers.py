"""Research themes as the publications list sees them (registered in ResearchConfig.ready)."""

from django.db.models import Q

from publications import listing
from publications.filters import ThemeProvider

from .models import ResearchTheme

# What a link to a theme shows: its title in either language (and its URL, from the slug).
LINK_COLUMNS = ("id", "slug", "title_ja", "title_en", "order")


class ResearchThemeProvider(ThemeProvider):
    def choices(self):
        themes = listing.lean(ResearchTheme.objects.published(), *LINK_COLUMNS)
        return [(theme.slug, theme) for theme in themes]

    def lookup(self, slug, include_unpublished=False):
        themes = (
            ResearchTheme.objects.all()
            if include_unpublished
            else ResearchTheme.objects.published()
        )
        return themes.filter(slug=slug).first()

    def publication_ids(self, theme):
        return theme.publications().values("pk")

    def themes_for_publication(self, publication):
        """Published themes the paper belongs to: as a representative or by a shared keyword."""
        themes = ResearchTheme.objects.published().filter(
            Q(representatives__publication=publication) | Q(keywords__in=publication.keywords.all())
        )
        return listing.lean(themes.distinct(), *LINK_COLUMNS)

    def themes_for_keyword(self, keyword):
        themes = ResearchTheme.objects.published().filter(keywords=keyword)
        return listing.lean(themes, *LINK_COLUMNS)
