"""The search box on the publications list, as a visitor uses it in either language."""

import re

import pytest
from django.db import connection

from publications import search
from tests import factories

pytestmark = pytest.mark.django_db


def titles(html):
    """The titles of the results as read (a search marks its matched words)."""
    found = re.findall(r'class="publication-title"[^>]*>(.*?)</h3>', html, re.DOTALL)
    return [re.sub(r"<[^>]+>", "", title).strip() for title in found]


def page(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def papers():
    defects = factories.keyword(name_en="Lattice defects", name_ja="格子欠陥", slug="defects")
    elnes = factories.keyword(name_en="ELNES", name_ja="ELNES", slug="elnes")
    return {
        "vacancy": factories.paper("Oxygen vacancies in SrTiO3", 2019, keywords=[defects]),
        "spectra": factories.paper("Core-loss spectra of MgO", 2021, keywords=[elnes]),
        "mention": factories.paper("Beyond ELNES: a machine-learning view", 2024),
        "other": factories.paper("Thermal conductivity of glass", 2022),
    }


class TestSearchBox:
    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_two_japanese_characters_find_the_lattice_defect_paper(self, client, papers, lang):
        html = page(client, f"/{lang}/publications/", q="欠陥")
        assert titles(html) == ["Oxygen vacancies in SrTiO3"]

    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_keyword_matches_come_first_under_their_own_heading(self, client, papers, lang):
        html = page(client, f"/{lang}/publications/", q="elnes")
        assert titles(html) == ["Core-loss spectra of MgO", "Beyond ELNES: a machine-learning view"]
        heading = "このキーワードを持つ論文" if lang == "ja" else "Papers with this keyword"
        assert heading in html

    def test_full_width_query_finds_the_same_papers(self, client, papers):
        assert titles(page(client, "/en/publications/", q="ＥＬＮＥＳ")) == titles(
            page(client, "/en/publications/", q="ELNES")
        )

    def test_result_count_and_the_query_stay_in_the_page(self, client, papers):
        html = page(client, "/en/publications/", q="elnes")
        assert re.search(r'class="result-count"[^>]*>\s*2 publications', html)
        assert 'value="elnes"' in html
        assert "<title>“elnes” — Publications" in html

    def test_search_combines_with_the_filters(self, client, papers):
        html = page(client, "/en/publications/", q="elnes", year_from="2022")
        assert titles(html) == ["Beyond ELNES: a machine-learning view"]

    def test_nothing_found_says_so_in_both_languages(self, client, papers):
        assert "No publications match" in page(client, "/en/publications/", q="zzzzqx")
        assert "該当する論文はありません" in page(client, "/ja/publications/", q="zzzzqx")


HOSTILE = [
    "%",
    "_",
    "%%__\\",
    "'",
    '"',
    '""""',
    "' OR 1=1 --",
    "1; DROP TABLE publications_publication; --",
    "<script>alert(1)</script>",
    "\x00",
    "a" * 5000,
    "欠陥 " * 500,
    "!!! & | ! :* <->",
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_hostile_queries_give_a_normal_page(client, papers, q, lang):
    response = client.get(f"/{lang}/publications/", {"q": q, "page": "99"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'class="result-count"' in html


@pytest.mark.parametrize("size", [3, 80], ids=["few", "many"])
def test_a_search_renders_in_a_constant_number_of_queries(
    client, django_assert_num_queries, local_cache, size
):
    keyword = factories.keyword(name_en="ELNES", name_ja="ELNES", slug="elnes")
    factories.many_papers(size, keywords=[keyword])
    factories.theme(keywords=[keyword])
    # The years of up to 1,001 matches (count and chart), the page on the search
    # entries ranked (the keyword named by the query first), its papers, their
    # authors, the content version; PostgreSQL first reads the words that the
    # query's word prefixes start (search.expand_prefixes). The first view also
    # reads the vocabulary and the filter form's 3 choices, which the worker then
    # keeps under the content version. And the lab's profile (the header, the footer).
    expected = 7 if connection.vendor == "postgresql" else 6
    with django_assert_num_queries(expected + 1 + 3):
        client.get("/en/publications/", {"q": "elnes"})
    with django_assert_num_queries(expected):
        client.get("/en/publications/", {"q": "elnes"})
    # The keyword filter's lookup, and the other forms of `paper` (papers, …).
    narrowed = {"q": "paper", "keyword": "elnes", "lab": "1"}
    with django_assert_num_queries(expected + 2 + 3):
        client.get("/ja/publications/", narrowed)
    with django_assert_num_queries(expected + 2):
        response = client.get("/ja/publications/", narrowed)
    assert response.context["result_count"] == size


def test_a_very_broad_search_says_more_than_the_cap_and_draws_no_chart(client, monkeypatch):
    monkeypatch.setattr(search.results, "COUNT_CAP", 3)
    for n in range(5):
        factories.paper(f"Defect study {n}", year=2010 + n)
    en = client.get("/en/publications/", {"q": "defect"}).content.decode()
    assert "More than 3 publications" in en and 'class="year-chart"' not in en
    assert titles(en)[0] == "Defect study 4"  # newest first, still
    ja = client.get("/ja/publications/", {"q": "defect"}).content.decode()
    assert "3 件以上" in ja
    narrow = client.get("/en/publications/", {"q": "defect study 2"}).content.decode()
    assert "1 publication" in narrow and 'class="year-chart"' in narrow
