"""Lists' exports (?format=bibtex|ris|csljson) are drawn once per content change, keyed
on what selects the papers, and limited per client address."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from labsite import cache as page_cache
from publications import exports, freshness
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/en/publications/"
STATUS = "X-Labsite-Cache"


@pytest.fixture
def papers():
    keyword = factories.keyword(name_en="EELS")
    factories.paper(title_en="Core-loss spectra", year=2020, keywords=[keyword])
    factories.paper(title_en="Grain boundaries", year=2021, keywords=[keyword])
    return keyword


def test_unknown_parameters_find_the_same_cached_export(papers, settings):
    first = Client().get(LIST, {"format": "bibtex"})
    assert (first.status_code, first[STATUS]) == (200, "miss")
    for junk in ({"x": "1"}, {"x": "8f3a"}, {"utm_source": "mail", "page": "3", "all": "1"}):
        again = Client().get(LIST, {"format": "bibtex", **junk})
        assert (again.status_code, again[STATUS]) == (200, "hit")
        assert again.content == first.content
    # A parameter that selects other papers is another export; a filter that names
    # nothing (an unknown keyword) is ignored, as on the page: the same export.
    year = Client().get(LIST, {"format": "bibtex", "year": "2020"})
    assert year[STATUS] == "miss"
    assert "Grain boundaries" not in year.content.decode()
    assert Client().get(LIST, {"format": "bibtex", "keyword": "no-such"})[STATUS] == "hit"
    assert Client().get(LIST, {"format": "ris", "x": "2"})[STATUS] == "miss"  # another format


def test_the_page_cache_stores_no_export(papers, settings, local_cache):
    settings.LABSITE_PAGE_CACHE_SECONDS = 600
    url = f"{LIST}?format=csljson&x=42"
    response = Client().get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    with translation.override("en"):
        key = page_cache.page_key(RequestFactory().get(url))
    assert freshness.shared_cache().get(key) is None


def test_a_content_change_retires_the_cached_export(papers, django_capture_on_commit_callbacks):
    assert Client().get(LIST, {"format": "bibtex"})[STATUS] == "miss"
    assert Client().get(LIST, {"format": "bibtex"})[STATUS] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        factories.paper(title_en="Vacancy clusters", year=2022)
    fresh = Client().get(LIST, {"format": "bibtex"})
    assert fresh[STATUS] == "miss"
    assert "Vacancy clusters" in fresh.content.decode()


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Too many downloads: at most 3 lists in 60 seconds"), ("ja", "ダウンロード")],
)
def test_the_export_after_the_limit_is_429_with_retry_after(papers, settings, language, text):
    settings.LABSITE_EXPORT_RATE_LIMIT = 3
    settings.LABSITE_EXPORT_RATE_WINDOW = 60
    theme = factories.theme(title_en="Spectroscopy", keywords=[papers])
    client = Client(REMOTE_ADDR="203.0.113.9")
    urls = [
        f"/{language}/publications/?format=bibtex",
        f"/{language}/keywords/{papers.slug}/?format=ris",
        f"/{language}/research/{theme.slug}/?format=csljson&x=1",
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    # A paper's own citation is one paper's work: not counted, never refused.
    paper = papers.publications.first()
    assert client.get(f"/{language}/publications/{paper.slug}/?format=bibtex").status_code == 200

    refused = client.get(urls[0])
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert text in refused.content.decode()
    # Another address is counted apart.
    assert Client(REMOTE_ADDR="198.51.100.7").get(urls[0]).status_code == 200


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "This list has 2 papers: a download holds at most 1."), ("ja", "2 件")],
)
def test_a_list_longer_than_the_bound_is_refused_with_a_message(papers, settings, language, text):
    settings.LABSITE_EXPORT_MAX_PAPERS = 1
    refused = Client().get(f"/{language}/publications/", {"format": "bibtex"})
    assert refused.status_code == 400
    assert text in refused.content.decode()
    assert Client().get(f"/{language}/keywords/{papers.slug}/?format=ris").status_code == 400
    # Narrowed to fit, it downloads; a paper's own citation is never refused.
    narrowed = Client().get(f"/{language}/publications/", {"format": "bibtex", "year": "2021"})
    assert narrowed.status_code == 200
    paper = papers.publications.first()
    assert Client().get(f"/{language}/publications/{paper.slug}/?format=ris").status_code == 200


def test_one_list_is_drawn_at_a_time_and_cached_ones_are_still_served(papers):
    cached = Client().get(LIST, {"format": "bibtex"})
    assert cached[STATUS] == "miss"
    # Another worker is drawing a list (it holds the lock in the shared cache).
    freshness.shared_cache().add(exports.DRAW_LOCK, "another worker", 60)
    busy = Client(HTTP_ACCEPT_LANGUAGE="en").get(LIST, {"format": "bibtex", "year": "2020"})
    assert busy.status_code == 503
    assert busy["Retry-After"] == "10"
    assert "Another list is being prepared" in busy.content.decode()
    assert Client().get(LIST, {"format": "bibtex", "x": "1"})[STATUS] == "hit"
    freshness.shared_cache().delete(exports.DRAW_LOCK)
    assert Client().get(LIST, {"format": "bibtex", "year": "2020"}).status_code == 200
