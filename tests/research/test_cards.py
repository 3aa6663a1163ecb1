"""Open Graph cards: a page without a picture of its own is shared with a 1200×630
card of its title, drawn in the lab's style in Japanese or Latin script."""

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image

from research import cards

pytestmark = pytest.mark.django_db


def og_image(client, url):
    html = client.get(url).content.decode()
    return re.search(r'<meta property="og:image" content="http://testserver([^"]+)"', html).group(1)


def test_a_card_url_is_stable_and_differs_per_title(client, lab_content):
    first = og_image(client, "/ja/research/")
    assert og_image(client, "/ja/research/") == first
    assert og_image(client, "/en/research/") != first
    assert og_image(client, "/ja/publications/") != first


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_card_is_a_png_of_the_pages_size(client, lab_content, lang):
    response = client.get(og_image(client, f"/{lang}/research/core-loss-spectroscopy/"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_a_forged_or_altered_card_url_is_not_found(client, lab_content):
    url = og_image(client, "/en/")
    assert client.get(url.replace(".png", "x.png")).status_code == 404
    assert client.get("/card/SGVsbG8:abc.png").status_code == 404


def test_a_card_is_drawn_once_then_served_from_the_cache(client, lab_content, monkeypatch):
    drawn = []
    draw = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda *a: drawn.append(a) or draw(*a))
    url = og_image(client, "/en/keywords/")
    first = client.get(url).content
    assert client.get(url).content == first
    assert len(drawn) == 1


def test_a_long_japanese_title_wraps_between_characters_within_the_card():
    title = (
        "内殻電子励起スペクトルの第一原理計算法の確立と"
        "機械学習を活用したスペクトルインフォマティクス手法の確立"
    )
    typeface, lines = cards.title_lines(title)
    assert 2 <= len(lines) <= cards.MAX_LINES
    assert "".join(lines) == title
    width = cards.SIZE[0] - 2 * cards.MARGIN
    assert all(typeface.getlength(line) <= width for line in lines)


def test_english_wraps_between_words_and_an_endless_title_ends_with_an_ellipsis():
    title = "Establishing first-principles methods for calculating core-loss spectra " * 4
    _typeface, lines = cards.title_lines(title)
    words = set(title.split())
    assert len(lines) == cards.MAX_LINES and lines[-1].endswith("…")
    assert all(word in words for line in lines[:-1] for word in line.split())


def test_the_card_font_is_installed_and_has_japanese():
    """The check that `manage.py check` runs (a missing font draws Japanese as boxes)."""
    assert cards.check_card_font(None) == []
    typeface = cards.font(40)
    # A font without a glyph draws the same box for both characters.
    assert bytes(typeface.getmask("溝")) != bytes(typeface.getmask("口"))
    call_command("check", "--tag", "compatibility", "--fail-level", "WARNING")
