"""The lab's identity in the header and the footer, and the Access page: only what
staff entered in the lab's profile, in both languages."""

import re

import pytest

from research.models import LabProfile
from tests import factories

pytestmark = pytest.mark.django_db


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def part(html, tag):
    return re.search(rf"<{tag}[ >].*?</{tag}>", html, re.S).group(0)


@pytest.fixture
def filled_profile():
    return LabProfile.objects.create(**factories.FILLED_PROFILE)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_access_page_says_plainly_that_nothing_is_entered_yet(client, lab_content, lang):
    html = html_of(client, f"/{lang}/access/")
    expected = {
        "ja": "研究室の所在地・交通案内・連絡先はまだ登録されていません。",
        "en": "The lab's address, directions and contact details have not been entered yet.",
    }[lang]
    assert expected in html
    assert "<address" not in html and 'rel="external"' not in html


def test_the_lab_content_states_no_university_address_or_contact(lab_content):
    """The seed states none of them, so none is loaded: nothing is invented."""
    lab = LabProfile.objects.get()
    for field in ("university", "department", "address", "directions"):
        assert not getattr(lab, f"{field}_ja") and not getattr(lab, f"{field}_en")
    assert lab.postal_code == lab.map_url == lab.email == lab.phone == ""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_header_and_footer_show_nothing_that_is_not_entered(client, lab_content, lang):
    html = html_of(client, f"/{lang}/")
    for tag in ("header", "footer"):
        assert 'class="affiliation"' not in part(html, tag)
    assert "<address" not in part(html, "footer")
    assert f'href="/{lang}/access/"' in part(html, "footer")


@pytest.mark.parametrize(
    ("lang", "affiliation"),
    [
        ("ja", "東京大学 生産技術研究所"),
        ("en", "Institute of Industrial Science, The University of Tokyo"),
    ],
)
def test_the_header_names_the_university_and_department_in_the_language_order(
    client, filled_profile, lang, affiliation
):
    header = part(html_of(client, f"/{lang}/publications/"), "header")
    assert f'<span class="affiliation">{affiliation}</span>' in header
    assert 'class="lab-mark"' in header and 'aria-hidden="true"' in header


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_access_page_and_footer_show_the_profile(client, filled_profile, lang):
    html = html_of(client, f"/{lang}/access/")
    main = part(html, "main")
    address = {
        "ja": "〒153-8505 東京都目黒区駒場4-6-1",
        "en": "4-6-1 Komaba, Meguro-ku, Tokyo 153-8505",
    }
    assert address[lang] in main
    assert 'href="https://maps.example.org/?q=komaba"' in main
    station = {"ja": "<strong>駒場東大前駅</strong>", "en": "<strong>Komaba-todaimae</strong>"}
    assert station[lang] in main
    assert 'href="tel:0354526000"' in main
    footer = part(html, "footer")
    assert address[lang] in footer and "lab [at] iis.example.ac.jp" in footer
    # As on a member's page: no address that a harvester reads as one.
    assert "lab@iis.example.ac.jp" not in html and "mailto:" not in html


def test_an_address_in_one_language_is_shown_in_the_other_marked_as_such(client):
    LabProfile.objects.create(address_ja="東京都目黒区駒場4-6-1")
    html = html_of(client, "/en/access/")
    assert '<span lang="ja">東京都目黒区駒場4-6-1</span>' in part(html, "main")


def test_the_access_page_is_in_the_navigation_and_marked_current(client):
    html = html_of(client, "/ja/access/")
    assert '<a href="/ja/access/" aria-current="page">アクセス</a>' in html


@pytest.mark.parametrize("size", [0, 40], ids=["empty", "filled"])
def test_access_page_query_count_is_constant(client, django_assert_num_queries, size):
    LabProfile.objects.create(**{**factories.FILLED_PROFILE, "directions_en": "Walk. " * size})
    # The lab's profile, shared by the page, the header and the footer.
    with django_assert_num_queries(1):
        client.get("/en/access/")


@pytest.mark.parametrize("typed", ["〒153-8505", "〒 １５３－８５０５", "153-8505"])
def test_a_postal_code_typed_with_its_mark_is_shown_with_one(client, typed):
    """Japanese addresses write 〒 before the code, so a secretary types it; the page
    adds its own and showed "〒〒153-8505" (and "〒153-8505" in English)."""
    profile = LabProfile(**{**factories.FILLED_PROFILE, "postal_code": typed})
    profile.full_clean()
    profile.save()
    ja = part(html_of(client, "/ja/access/"), "main")
    assert "〒153-8505 東京都目黒区駒場4-6-1" in ja and "〒〒" not in ja
    en = part(html_of(client, "/en/access/"), "main")
    assert "Tokyo 153-8505" in en and "〒" not in en
