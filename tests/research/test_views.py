"""What visitors see on the home page, the themes index and a theme's page."""

import datetime
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from news.models import NewsItem
from publications.models import Publication
from research.models import ResearchTheme
from tests import factories

pytestmark = pytest.mark.django_db


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def theme_url(theme, lang):
    with translation.override(lang):
        return theme.get_absolute_url()


class TestThemePublicationList:
    def test_representatives_first_in_editors_order_then_related_newest_first(self, client):
        k1, k2, other = factories.keyword(), factories.keyword(), factories.keyword()
        rep_old = factories.paper("Representative old", year=2001, keywords=[k1])
        rep_new = factories.paper("Representative new", year=2024, keywords=[k2])
        related_2010 = factories.paper("Related 2010", year=2010, keywords=[k1])
        related_2022 = factories.paper("Related 2022", year=2022, keywords=[k1, k2])
        factories.paper("Unrelated", year=2023, keywords=[other])
        theme = factories.theme(keywords=[k1, k2], representatives=[rep_old, rep_new])
        html = html_of(client, theme_url(theme, "en"))
        order = [
            html.index(t)
            for t in ("Representative old", "Representative new", "Related 2022", "Related 2010")
        ]
        assert order == sorted(order)
        assert "Unrelated" not in html
        assert html.count("Representative old") == 1  # not repeated among the related papers
        assert rep_new.title_en in html and related_2022.title_en and related_2010.title_en

    def test_related_papers_say_which_keywords_matched(self, client):
        k1 = factories.keyword(name_en="Lattice defects", name_ja="格子欠陥")
        k2 = factories.keyword(name_en="Glass", name_ja="ガラス")
        factories.paper("Related", keywords=[k1])
        theme = factories.theme(keywords=[k1, k2])
        html = html_of(client, theme_url(theme, "ja"))
        matched = re.search(r'<p class="matched">(.*?)</p>', html, re.S).group(1)
        assert "格子欠陥" in matched and "ガラス" not in matched

    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_the_lead_is_shown_once_above_the_body(self, client, lab_content, lang):
        for theme in ResearchTheme.objects.all():
            html = html_of(client, theme_url(theme, lang))
            main = html[html.index("<main") : html.index("</main>")]
            lead = getattr(theme, f"lead_{lang}")
            assert main.count(lead[:40]) == 1, theme.slug

    def test_unpublished_papers_never_appear(self, client):
        k = factories.keyword()
        hidden = factories.paper("Hidden paper", keywords=[k], is_published=False)
        theme = factories.theme(keywords=[k], representatives=[hidden])
        assert "Hidden paper" not in html_of(client, theme_url(theme, "en"))

    def test_theme_page_has_keyword_chips_and_a_year_chart_with_text_alternative(self, client):
        k = factories.keyword(name_en="ELNES", name_ja="ELNES")
        factories.paper(year=2010, keywords=[k])
        factories.paper(year=2012, keywords=[k])
        theme = factories.theme(keywords=[k])
        html = html_of(client, theme_url(theme, "en"))
        assert f'href="{k.get_absolute_url().replace("/ja/", "/en/")}"' in html
        svg = re.search(
            r"<svg[^>]*role=\"img\"[^>]*aria-labelledby=\"theme-chart-title\".*?</svg>", html, re.S
        )
        assert svg and "2 papers from 2010 to 2012" in svg.group(0)
        assert "<table" in html and "<td>2010</td><td>1</td>" in html

    def test_chart_and_pages_count_representatives_and_related_papers_once(self, client):
        k = factories.keyword()
        chosen = factories.paper(year=2005, keywords=[k])  # representative and related
        factories.paper(year=2005, keywords=[k, factories.keyword()])
        for year in range(2000, 2021):  # 21 more: two pages of related papers
            factories.paper(year=year, keywords=[k])
        factories.paper(year=1999, keywords=[k], is_published=False)
        theme = factories.theme(keywords=[k], representatives=[chosen])
        html = html_of(client, theme_url(theme, "en"))
        assert "23 papers from 2000 to 2020" in html
        assert "<td>2005</td><td>3</td>" in html and "<td>1999</td>" not in html
        last = html_of(client, theme_url(theme, "en") + "?page=2")
        assert len(re.findall(r'class="publication"', last)) == 1 + 2  # the chosen paper + 2


class TestPublishing:
    def test_unpublished_theme_is_404_for_visitors_and_a_preview_for_staff(self, client):
        theme = factories.theme(is_published=False)
        html_of(client, theme_url(theme, "en"), 404)
        client.force_login(User.objects.create_user("staff", is_staff=True))
        assert "Preview" in html_of(client, theme_url(theme, "en"))

    def test_unpublished_theme_is_not_listed(self, client):
        factories.theme(title_en="Secret theme", is_published=False)
        assert "Secret theme" not in html_of(client, "/en/research/")
        assert "Secret theme" not in html_of(client, "/en/")


class TestHome:
    def test_home_shows_mission_themes_and_latest_papers(self, client, lab_content):
        html = html_of(client, "/en/")
        assert "Uncovering the structure" in html
        assert html.count('class="card"') == 6
        newest = Publication.objects.newest_first().first()
        assert newest.title_en in html

    def test_english_page_marks_japanese_fallback_text_with_its_language(self, client, lab_content):
        theme = ResearchTheme.objects.first()
        ResearchTheme.objects.filter(pk=theme.pk).update(title_en="")
        html = html_of(client, "/en/")
        assert f'<span lang="ja">{theme.title_ja}</span>' in html

    def test_japanese_page_marks_english_fallback_titles(self, client, lab_content):
        html = html_of(client, "/ja/")
        newest = Publication.objects.newest_first().first()
        assert f'<span lang="en">{newest.title_en}</span>' in html


class TestImages:
    def test_theme_image_is_served_as_a_sized_webp_rendition(self, client):
        buffer = io.BytesIO()
        Image.new("RGB", (2400, 1200), "teal").save(buffer, "PNG")
        theme = factories.theme(image_alt_en="A lattice", image_alt_ja="格子")
        theme.image.save("big.png", SimpleUploadedFile("big.png", buffer.getvalue()))
        html = html_of(client, theme_url(theme, "en"))
        tag = re.search(
            r'<img src="([^"]+\.webp)" width="(\d+)" height="(\d+)" alt="A lattice"', html
        )
        assert tag, html
        assert (tag.group(2), tag.group(3)) == ("1280", "640")
        card = re.search(
            r'<img src="([^"]+\.webp)" width="640" height="320"[^>]*>', html_of(client, "/en/")
        )
        assert card

    def test_cards_below_the_first_row_load_lazily(self, client):
        for _ in range(5):
            theme = factories.theme(image_alt_en="x")
            buffer = io.BytesIO()
            Image.new("RGB", (800, 400), "teal").save(buffer, "PNG")
            theme.image.save("t.png", SimpleUploadedFile("t.png", buffer.getvalue()))
        tags = re.findall(
            r"<img [^>]*class=\"theme-image\"[^>]*>", html_of(client, "/en/research/")
        )
        assert ['loading="lazy"' in t for t in tags] == [False, False, False, True, True]

    def test_a_broken_image_file_falls_back_to_the_generated_visual(self, client):
        theme = factories.theme(image_alt_en="x")
        theme.image.save("broken.png", SimpleUploadedFile("broken.png", b"not an image"))
        html = html_of(client, theme_url(theme, "en"))
        assert '<svg class="theme-image generated"' in html


@pytest.mark.parametrize("size", [2, 60], ids=["few", "many"])
def test_home_query_count_is_constant(client, django_assert_num_queries, local_cache, size):
    ks = [factories.keyword() for _ in range(3)]
    factories.many_papers(size, keywords=ks)
    for _ in range(size // 10 + 1):
        factories.theme(keywords=ks)
    for n in range(size):
        NewsItem.objects.create(title_en=f"News {n}", date=datetime.date(2026, 1, 1 + n % 28))
    # The lab's profile, the themes, the latest papers and their authors, the latest
    # news, the content version the fragments are kept under; the next view draws the
    # theme cards from the worker's fragments, without reading the themes.
    with django_assert_num_queries(6):
        client.get("/en/")
    with django_assert_num_queries(5):
        client.get("/en/")


@pytest.mark.parametrize("size", [2, 60], ids=["few", "many"])
def test_theme_list_query_count_is_constant(client, django_assert_num_queries, size):
    ks = [factories.keyword() for _ in range(size // 10 + 2)]
    for _ in range(size // 10 + 1):
        factories.theme(keywords=ks)
    # The themes, and their keywords; the lab's profile (the header and the footer).
    with django_assert_num_queries(3):
        client.get("/en/research/")


@pytest.mark.parametrize("size", [2, 60], ids=["few", "many"])
def test_theme_page_query_count_is_constant(client, django_assert_num_queries, local_cache, size):
    ks = [factories.keyword() for _ in range(3)]
    papers = factories.many_papers(size, keywords=ks[:1])
    theme = factories.theme(keywords=ks, representatives=papers[: size // 2])
    # The theme, its keywords; the representative papers, a page of the related ones,
    # the authors of both lists at once, the keywords each related paper shares with
    # the theme; the lab's profile (for the page's structured data); the content
    # version; and on the first view the per-year counts of the related papers and the
    # weights of the theme's keywords, which the worker then keeps under the version.
    with django_assert_num_queries(10):
        client.get(theme_url(theme, "en"))
    with django_assert_num_queries(8):
        client.get(theme_url(theme, "en"))
