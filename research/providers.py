"""Research themes as the publications list sees them (registered in ResearchConfig.ready)."""

from django.db.models import Q

from publications.filters import ThemeProvider

from .models import ResearchTheme


class ResearchThemeProvider(ThemeProvider):
    def choices(self):
        return [(theme.slug, theme) for theme in ResearchTheme.objects.published()]

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
        return (
            ResearchTheme.objects.published()
            .filter(
                Q(representatives__publication=publication)
                | Q(keywords__in=publication.keywords.all())
            )
            .distinct()
        )

    def themes_for_keyword(self, keyword):
        return ResearchTheme.objects.published().filter(keywords=keyword)
