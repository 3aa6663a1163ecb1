"""Which papers a theme lists, and in what order: the ones that belong, most related first."""

import pytest
from django.utils import translation

from publications.models import Keyword
from tests import factories

pytestmark = pytest.mark.django_db


def theme_page(client, theme, lang="en", status=200):
    with translation.override(lang):
        url = theme.get_absolute_url()
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def order_of(html, titles):
    """The titles in the order the page shows them (a missing one fails)."""
    return sorted(titles, key=html.index)


def broad_keyword(papers=6):
    """A keyword that many papers share (it says little about any of them)."""
    keyword = factories.keyword(name_en="Ceramics")
    for year in range(2015, 2015 + papers):
        factories.paper(f"Broad paper {year}", year=year, keywords=[keyword])
    return keyword


class TestRanking:
    def test_a_paper_sharing_a_rare_keyword_comes_before_newer_ones_sharing_a_common_one(
        self, client
    ):
        broad = broad_keyword()
        specific = factories.keyword(name_en="Moiré materials")
        factories.paper("Twisted bilayer", year=2001, keywords=[specific, broad])
        factories.paper("Moiré only", year=2000, keywords=[specific])
        theme = factories.theme(keywords=[broad, specific])
        html = theme_page(client, theme)
        assert order_of(html, ["Twisted bilayer", "Moiré only", "Broad paper 2020"]) == [
            "Twisted bilayer",  # shares both keywords
            "Moiré only",  # shares the rare one
            "Broad paper 2020",  # shares only the common one, however new
        ]
        # The papers sharing only the common keyword are still listed, newest first.
        assert order_of(html, ["Broad paper 2020", "Broad paper 2015"]) == [
            "Broad paper 2020",
            "Broad paper 2015",
        ]

    def test_sharing_more_keywords_ranks_higher(self, client):
        k1, k2, k3 = factories.keyword(), factories.keyword(), factories.keyword()
        factories.paper("Shares one", year=2024, keywords=[k1])
        factories.paper("Shares three", year=2001, keywords=[k1, k2, k3])
        factories.paper("Shares two", year=2010, keywords=[k2, k3])
        theme = factories.theme(keywords=[k1, k2, k3])
        html = theme_page(client, theme)
        assert order_of(html, ["Shares one", "Shares two", "Shares three"]) == [
            "Shares three",
            "Shares two",
            "Shares one",
        ]

    def test_representatives_stay_first(self, client):
        broad = broad_keyword()
        chosen = factories.paper("Chosen by the editors", year=1999, keywords=[broad])
        theme = factories.theme(keywords=[broad], representatives=[chosen])
        html = theme_page(client, theme)
        assert html.index("Chosen by the editors") < html.index("Broad paper 2020")

    def test_the_export_lists_papers_in_the_pages_order(self, client):
        broad = broad_keyword(2)
        specific = factories.keyword()
        factories.paper("Old but specific", year=1990, keywords=[specific])
        theme = factories.theme(keywords=[broad, specific])
        with translation.override("en"):
            url = theme.get_absolute_url()
        text = client.get(url + "?format=ris").content.decode()
        assert text.index("Old but specific") < text.index("Broad paper 2016")


class TestKeywordsTooBroadToLink:
    @pytest.fixture
    def setting(self):
        generic = factories.keyword(name_en="Spectral analysis", name_ja="スペクトル解析")
        generic.links_themes = False
        generic.save()
        specific = factories.keyword(name_en="Materials informatics")
        stray = factories.paper("Unrelated ELNES study", year=2008, keywords=[generic])
        belongs = factories.paper("Informatics paper", year=2020, keywords=[specific, generic])
        theme = factories.theme(title_en="Informatics theme", keywords=[generic, specific])
        return theme, stray, belongs

    def test_a_paper_sharing_only_such_a_keyword_is_not_listed(self, client, setting):
        theme = setting[0]
        html = theme_page(client, theme)
        assert "Informatics paper" in html and "Unrelated ELNES study" not in html
        # The keyword still tags papers: its chip stays on the theme's page.
        assert "Spectral analysis" in html

    def test_nor_does_the_keyword_show_among_the_matched_ones(self, client, setting):
        theme = setting[0]
        html = theme_page(client, theme)
        matched = html[html.index("Informatics paper") :]
        matched = matched[matched.index('<p class="matched">') :]
        matched = matched[: matched.index("</p>")]
        assert "Materials informatics" in matched and "Spectral analysis" not in matched

    def test_the_theme_filter_feed_and_paper_page_agree(self, client, setting):
        theme, stray, belongs = setting
        listed = client.get(f"/en/publications/?theme={theme.slug}").content.decode()
        assert "Informatics paper" in listed and "Unrelated ELNES study" not in listed
        feed = client.get(f"/en/research/{theme.slug}/feed/").content.decode()
        assert "Informatics paper" in feed and "Unrelated ELNES study" not in feed
        with translation.override("en"):
            stray_page = client.get(stray.get_absolute_url()).content.decode()
            belongs_page = client.get(belongs.get_absolute_url()).content.decode()
        assert "Informatics theme" not in stray_page
        assert "Informatics theme" in belongs_page


class TestExcludedPapers:
    def test_an_excluded_paper_is_listed_nowhere_as_the_themes(self, client):
        k = factories.keyword()
        kept = factories.paper("Belongs here", keywords=[k])
        excluded = factories.paper("Shares the keyword by chance", keywords=[k])
        theme = factories.theme(title_en="Glass theme", keywords=[k])
        theme.excluded_publications.add(excluded)
        html = theme_page(client, theme)
        assert "Belongs here" in html and "Shares the keyword by chance" not in html
        assert "1 more paper shares" in html
        listed = client.get(f"/en/publications/?theme={theme.slug}").content.decode()
        assert "Belongs here" in listed and "Shares the keyword by chance" not in listed
        feed = client.get(f"/en/research/{theme.slug}/feed/").content.decode()
        assert "Shares the keyword by chance" not in feed
        with translation.override("en"):
            page = client.get(excluded.get_absolute_url()).content.decode()
            kept_page = client.get(kept.get_absolute_url()).content.decode()
        assert "Glass theme" not in page and "Glass theme" in kept_page

    def test_excluding_a_paper_only_from_one_theme(self, client):
        k = factories.keyword()
        paper = factories.paper("Shared paper", keywords=[k])
        one = factories.theme(keywords=[k])
        other = factories.theme(keywords=[k])
        one.excluded_publications.add(paper)
        assert "Shared paper" not in theme_page(client, one)
        assert "Shared paper" in theme_page(client, other)

    def test_a_representative_paper_stays_even_if_also_excluded(self, client):
        # Choosing a paper to represent a theme is the editors' explicit word; the
        # exclusion is about papers that only share a keyword (docs/pages.md).
        k = factories.keyword()
        paper = factories.paper("Chosen paper", keywords=[k])
        theme = factories.theme(keywords=[k], representatives=[paper])
        theme.excluded_publications.add(paper)
        html = theme_page(client, theme)
        assert html.count("Chosen paper") == 1


def test_weights_follow_how_many_published_papers_a_keyword_tags():
    rare, common = factories.keyword(), factories.keyword()
    factories.paper(keywords=[rare, common])
    for _ in range(4):
        factories.paper(keywords=[common])
    factories.paper(keywords=[rare], is_published=False)  # not counted
    theme = factories.theme(keywords=[rare, common])
    weights = theme.keyword_weights()
    # ln((5 + 1) / 1) and ln((5 + 1) / 5), in thousandths.
    assert weights == {rare.pk: 1792, common.pk: 182}
    assert Keyword.objects.filter(pk__in=weights).count() == 2
