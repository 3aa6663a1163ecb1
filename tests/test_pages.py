"""The minimal public pages of the foundation, in both languages."""

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


def test_theme_without_image_gets_a_generated_visual(client, lab_content):
    theme = ResearchTheme.objects.first()
    html = client.get(theme.get_absolute_url()).content.decode()
    assert "<svg" in html and f'aria-label="{theme.image_alt}"' in html
