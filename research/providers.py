"""Research themes as the publications list sees them (registered in ResearchConfig.ready)."""

from django.db.models import Q

from publications.filters import ThemeProvider

from .models import RepresentativePublication, ResearchTheme

# What a link to a theme shows: its title in either language (and its URL, from the slug).
LINK_COLUMNS = ("slug", "title_ja", "title_en")


class ResearchThemeProvider(ThemeProvider):
    def choices(self):
        themes = ResearchTheme.objects.published().only(*LINK_COLUMNS)
        return [(theme.slug, str(theme)) for theme in themes]

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
        """Published themes the paper belongs to: as a representative, or by a shared
        linking keyword unless the editors excluded it (as the theme's page lists it)."""
        # Semi-joins, not joins: no theme comes twice, so no DISTINCT; the paper's
        # keywords (prefetched on its page) go in as ids.
        keyword_ids = [keyword.pk for keyword in publication.keywords.all() if keyword.links_themes]
        themes = ResearchTheme.objects.published().filter(
            Q(
                pk__in=RepresentativePublication.objects.filter(
                    publication_id=publication.pk
                ).values("theme_id")
            )
            | (
                Q(
                    pk__in=ResearchTheme.keywords.through.objects.filter(
                        keyword_id__in=keyword_ids
                    ).values("researchtheme_id")
                )
                & ~Q(
                    pk__in=ResearchTheme.excluded_publications.through.objects.filter(
                        publication_id=publication.pk
                    ).values("researchtheme_id")
                )
            )
        )
        return themes.only(*LINK_COLUMNS)

    def themes_for_keyword(self, keyword):
        themes = ResearchTheme.objects.published().filter(keywords=keyword)
        return themes.only(*LINK_COLUMNS)
