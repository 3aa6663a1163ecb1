"""The header's search box: on every page, and the vocabulary terms it suggests."""

import re

import pytest

from publications.models import Keyword
from publications.suggest import MAX_SUGGESTIONS
from tests import factories
from tests.quality import NOT_FOUND_PAGE, PUBLIC_PAGES

pytestmark = pytest.mark.django_db


def suggestions(client, lang, q, **extra):
    response = client.get(f"/{lang}/publications/suggest/", {"q": q, **extra})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["suggestions"]


@pytest.fixture
def eels():
    keyword = factories.keyword(
        name_en="Electron energy loss spectroscopy", name_ja="電子エネルギー損失分光", slug="eels"
    )
    keyword.aliases_en = "EELS\nelectron energy-loss spectroscopy"
    keyword.save()
    return keyword


class TestSuggestions:
    def test_an_abbreviation_suggests_the_term_in_the_pages_language(self, client, eels):
        ja = suggestions(client, "ja", "EEL")
        assert ja[0] == {
            "value": "電子エネルギー損失分光",
            "lang": "ja",
            "detail": "EELS",
            "detail_lang": "en",
        }
        en = suggestions(client, "en", "eels")
        assert en[0]["value"] == "Electron energy loss spectroscopy"
        assert en[0]["detail"] == "EELS"

    def test_japanese_typed_on_the_english_page_and_the_other_way_round(self, client, eels):
        en = suggestions(client, "en", "電子エネ")
        assert en[0]["value"] == "Electron energy loss spectroscopy"
        assert en[0]["detail"] == "電子エネルギー損失分光" and en[0]["detail_lang"] == "ja"
        ja = suggestions(client, "ja", "energy")
        assert ja[0]["value"] == "電子エネルギー損失分光"

    def test_width_case_and_hyphens_do_not_matter(self, client, eels):
        assert suggestions(client, "en", "ＥＥＬＳ")[0]["value"] == eels.name_en
        assert suggestions(client, "en", "energy-loss")[0]["value"] == eels.name_en

    def test_terms_without_papers_are_suggested_after_those_with_papers(self, client, eels):
        used = factories.keyword(name_en="Electron microscopy", name_ja="電子顕微鏡")
        factories.paper(keywords=[used])
        values = [s["value"] for s in suggestions(client, "en", "electron")]
        assert values == ["Electron microscopy", "Electron energy loss spectroscopy"]

    def test_a_name_starting_with_the_query_comes_before_one_containing_it(self, client):
        factories.keyword(name_en="Amorphous glasses", name_ja="アモルファスガラス")
        factories.keyword(name_en="Glasses", name_ja="ガラス")
        assert [s["value"] for s in suggestions(client, "en", "glass")] == [
            "Glasses",
            "Amorphous glasses",
        ]

    def test_latin_letters_match_from_a_word_start_japanese_anywhere(self, client, eels):
        factories.keyword(name_en="Steels", name_ja="鉄鋼")
        factories.keyword(name_en="Scanning electron microscopy", name_ja="走査型電子顕微鏡法")
        assert [s["value"] for s in suggestions(client, "en", "eels")] == [eels.name_en]
        values = [s["value"] for s in suggestions(client, "en", "電子")]
        assert values == ["Electron energy loss spectroscopy", "Scanning electron microscopy"]

    def test_at_most_a_few_suggestions(self, client):
        for n in range(MAX_SUGGESTIONS + 5):
            factories.keyword(name_en=f"Glass type {n}")
        assert len(suggestions(client, "en", "glass")) == MAX_SUGGESTIONS

    @pytest.mark.parametrize(
        "q",
        [
            "",
            "   ",
            "%",
            "_",
            "\\",
            "' OR 1=1 --",
            "a" * 10_000,
            "電" * 5_000,
            "\x00EELS",
            "<script>alert(1)</script>",
        ],
        ids=lambda q: repr(q[:12]),
    )
    def test_hostile_input_gets_a_list_never_an_error(self, client, eels, q):
        found = suggestions(client, "en", q)
        assert isinstance(found, list) and len(found) <= MAX_SUGGESTIONS

    def test_undecodable_and_repeated_parameters(self, client, eels):
        for query in ("q=%ff%fe%00&q=EELS&q=", "q=%ed%a0%80", "q[]=x&q=%"):
            response = client.get(f"/en/publications/suggest/?{query}")
            assert response.status_code == 200
            assert isinstance(response.json()["suggestions"], list)
        assert client.get("/en/publications/suggest/").json() == {"suggestions": []}

    def test_answers_are_kept_by_browsers_but_not_by_the_page_cache(self, client, eels):
        response = client.get("/en/publications/suggest/", {"q": "EELS"})
        assert "private" in response["Cache-Control"]

    def test_a_term_added_in_the_admin_is_suggested_next(
        self, client, local_cache, django_capture_on_commit_callbacks
    ):
        assert suggestions(client, "en", "moir") == []
        with django_capture_on_commit_callbacks(execute=True):
            Keyword.objects.create(name_en="Moiré materials", name_ja="モアレ材料", slug="moire")
        assert suggestions(client, "en", "moir")[0]["value"] == "Moiré materials"


@pytest.mark.parametrize("size", [5, 200], ids=["few", "many"])
def test_suggestions_read_the_vocabulary_once_per_content_version(
    client, django_assert_num_queries, local_cache, size
):
    for n in range(size):
        factories.keyword(name_en=f"Term {n}")
    suggestions(client, "en", "term")  # reads the vocabulary and keeps it
    # The content version only: the terms come from the worker's memory.
    with django_assert_num_queries(1):
        assert suggestions(client, "en", "term 1")[0]["value"] == "Term 1"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_has_the_search_box_in_its_header(client, lab_content, lang):
    label = {"ja": "論文を検索", "en": "Search publications"}[lang]
    for path in PUBLIC_PAGES:
        response = client.get(path.format(lang=lang))
        assert response.status_code == (404 if path == NOT_FOUND_PAGE else 200), path
        html = response.content.decode()
        header = re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)
        form = re.search(r"<form [^>]*>", header).group(0)
        assert 'role="search"' in form and 'method="get"' in form, path
        assert f'action="/{lang}/publications/"' in form, path
        assert f'<label for="site-search-q" class="visually-hidden">{label}</label>' in header
        box = re.search(r'<input [^>]*id="site-search-q"[^>]*>', header).group(0)
        assert 'name="q"' in box and 'type="search"' in box
        assert f'data-suggest-url="/{lang}/publications/suggest/"' in box
        assert re.search(r'<script src="[^"]*js/suggest\.js" defer></script>', html)


class TestDidYouMean:
    """A search that finds nothing because of a slip of the keyboard or the input method
    (ELNSE, 機会学習) said only "No publications match"; it now offers the lab's term."""

    @pytest.fixture
    def vocabulary(self):
        elnes = factories.keyword(name_en="ELNES", name_ja="ELNES", slug="elnes")
        ml = factories.keyword(name_en="Machine learning", name_ja="機械学習", slug="ml")
        factories.paper("Spectra by deep nets", 2024, keywords=[elnes, ml])
        return elnes, ml

    def did_you_mean(self, client, lang, q):
        html = client.get(f"/{lang}/publications/", {"q": q}).content.decode()
        found = re.search(r'<p class="did-you-mean">([^<]*)<a href="([^"]*)">([^<]*)</a>', html)
        return found and (found.group(1).strip(), found.group(2).replace("&amp;", "&"), found[3])

    @pytest.mark.parametrize(
        ("lang", "typed", "meant", "label"),
        [
            ("en", "ELNSE", "ELNES", "Did you mean:"),
            ("en", "ｅｌｎｓｅ", "ELNES", "Did you mean:"),
            ("ja", "機会学習", "機械学習", "もしかして："),
            ("en", "machne lerning", "Machine learning", "Did you mean:"),
        ],
    )
    def test_a_misspelt_term_offers_the_term(self, client, vocabulary, lang, typed, meant, label):
        offered = self.did_you_mean(client, lang, typed)
        assert offered[0] == label and offered[2] == meant
        # …and following it finds the paper.
        page = client.get(f"/{lang}/publications/{offered[1]}").content.decode()
        assert "Spectra by deep nets" in page

    def test_nothing_is_offered_when_the_search_finds_papers_or_nothing_is_close(
        self, client, vocabulary
    ):
        assert self.did_you_mean(client, "en", "ELNES") is None
        assert self.did_you_mean(client, "en", "perovskite") is None
        assert self.did_you_mean(client, "en", "zzzz") is None

    def test_the_other_filters_are_kept(self, client, vocabulary):
        html = client.get("/en/publications/", {"q": "ELNSE", "year": "2024"}).content.decode()
        assert 'href="?q=ELNES&amp;year=2024"' in html or 'href="?year=2024&amp;q=ELNES"' in html
