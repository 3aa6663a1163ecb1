"""The minimal public pages of the foundation, in both languages."""

import itertools
import re

import pytest
from django.urls import reverse
from django.utils import translation

from research.models import ResearchTheme

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "target"), [("en-US,en;q=0.9", "/en/"), ("ja,en;q=0.5", "/ja/"), ("fr", "/ja/")]
)
def test_root_redirects_by_browser_language_japanese_by_default(client, accept, target):
    response = client.get("/", headers={"accept-language": accept})
    assert response.status_code == 302
    assert response["Location"] == target


def test_home_in_japanese(client, lab_content):
    html = client.get("/ja/").content.decode()
    assert '<html lang="ja">' in html
    assert "物質の構造機能相関を解明し物質設計を実現する" in html
    assert "格子欠陥" in html or "マテリアルズインフォマティクス" in html


def test_home_in_english(client, lab_content):
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "Mizoguchi Laboratory" in html
    assert ResearchTheme.objects.first().title_en in html


def test_home_without_any_content_still_renders(client):
    assert client.get("/en/").status_code == 200


def test_theme_page_links_its_twin_in_the_other_language(client, lab_content):
    theme = ResearchTheme.objects.first()
    with translation.override("en"):
        url = theme.get_absolute_url()
    html = client.get(url).content.decode()
    assert f'href="/ja/research/{theme.slug}/"' in html
    assert theme.body_en.split()[0] in html


def test_unpublished_theme_is_not_found(client, lab_content):
    ResearchTheme.objects.filter(order=2).update(is_published=False)
    theme = ResearchTheme.objects.get(order=2)
    assert client.get(reverse("research:theme", kwargs={"slug": theme.slug})).status_code == 404


def generated_visual(html):
    return re.search(r'<svg class="theme-image generated".*?</svg>', html, re.S).group(0)


def test_theme_without_image_gets_a_generated_visual(client, lab_content):
    """Until its figure is uploaded a theme shows a generated picture, hidden from
    screen readers: the alt text describes the figure, which the picture is not."""
    theme = ResearchTheme.objects.first()
    html = client.get(theme.get_absolute_url()).content.decode()
    visual = generated_visual(html)
    assert 'aria-hidden="true"' in visual
    assert "aria-label" not in visual and 'role="img"' not in visual
    assert theme.image_alt not in visual


def test_every_theme_has_a_generated_visual_of_its_own(client, lab_content):
    html = client.get("/en/").content.decode()
    visuals = re.findall(r'<svg class="theme-image generated".*?</svg>', html, re.S)
    assert len(visuals) == ResearchTheme.objects.published().count() == 6
    # Not one picture in six colours: the lattice and the spectrum differ.
    drawings = {re.sub(r'id="[^"]*"|url\(#[^)]*\)|hsl\([^)]*\)', "", v) for v in visuals}
    assert len(drawings) == 6
    assert len({re.search(r'data-lattice="(\w+)"', v).group(1) for v in visuals}) >= 3
    # The same theme draws the same picture on every page.
    theme = ResearchTheme.objects.published().first()
    page = client.get(theme.get_absolute_url()).content.decode()
    assert re.search(r'<path d="([^"]+)"', generated_visual(page)).group(1) in html


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_headings_never_skip_a_level(client, lab_content, lang):
    """Lighthouse's heading-order (the members page once went from h1 to h3, no member
    having a role to head a group with)."""
    from tests import factories
    from tests.quality import PROFILE_PAGES, PUBLIC_PAGES

    skipped = []
    for pages in (PUBLIC_PAGES, PROFILE_PAGES):
        for page in pages:
            url = page.format(lang=lang)
            levels = [
                int(n) for n in re.findall(r"<h([1-6])[ >]", client.get(url).content.decode())
            ]
            assert levels and levels[0] == 1, url
            skipped += [(url, a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        factories.fill_lab_profile()
    assert skipped == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_s_footer_offers_both_feeds_in_the_page_s_language(client, lab_content, lang):
    for path in ("/", "/publications/", "/news/", "/access/"):
        html = client.get(f"/{lang}{path}").content.decode()
        footer = html[html.index("<footer") :]
        assert f'href="/{lang}/publications/feed/"' in footer, path
        assert f'href="/{lang}/news/feed/"' in footer, path
