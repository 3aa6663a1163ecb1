"""Keywords that tag no published paper (vocabulary terms that only widen search) are
not offered to visitors: no index entry, filter choice, page, feed, sitemap entry or chip."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def keywords():
    used = factories.keyword(name_en="ELNES", name_ja="ELNES", slug="elnes")
    vocabulary = factories.keyword(
        name_en="Electron energy loss spectroscopy", name_ja="電子エネルギー損失分光", slug="eels"
    )
    draft_only = factories.keyword(name_en="Draft topic", name_ja="下書きの話題", slug="draft")
    factories.paper("Published paper", keywords=[used])
    factories.paper("Unpublished paper", keywords=[draft_only], is_published=False)
    theme = factories.theme(title_en="Spectroscopy", keywords=[used, vocabulary])
    theme.slug = "spectroscopy"
    theme.save()
    return used, vocabulary, draft_only


HIDDEN = (
    "Electron energy loss spectroscopy",
    "電子エネルギー損失分光",
    "Draft topic",
    "下書きの話題",
)


def text(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status
    return response.content.decode()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_keyword_index_lists_only_keywords_with_published_papers(client, keywords, lang):
    html = text(client, f"/{lang}/keywords/")
    assert f'href="/{lang}/keywords/elnes/"' in html
    assert not any(name in html for name in HIDDEN)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_filters_offer_only_keywords_with_published_papers(client, keywords, lang):
    html = text(client, f"/{lang}/publications/")
    select = re.search(r'<select name="keyword".*?</select>', html, re.S).group(0)
    assert 'value="elnes"' in select
    assert 'value="eels"' not in select and 'value="draft"' not in select


def test_filtering_by_such_a_keyword_is_ignored_and_said_so(client, keywords):
    html = text(client, "/en/publications/", keyword="eels")
    assert "Published paper" in html  # the filter is not applied
    notice = re.search(r'<div class="notice".*?</div>', html, re.S).group(0)
    assert "Keyword: “eels”" in notice


@pytest.mark.parametrize("slug", ["eels", "draft"])
def test_such_a_keyword_has_no_page_and_no_feed(client, keywords, slug):
    text(client, f"/en/keywords/{slug}/", 404)
    text(client, f"/ja/keywords/{slug}/feed/", 404)
    text(client, "/en/keywords/elnes/")
    text(client, "/en/keywords/elnes/feed/")


def test_the_sitemap_lists_only_keywords_with_published_papers(client, keywords):
    xml = text(client, "/sitemap.xml")
    assert "/keywords/elnes/" in xml
    assert "/keywords/eels/" not in xml and "/keywords/draft/" not in xml


@pytest.mark.parametrize("url", ["/en/research/", "/en/research/spectroscopy/"])
def test_theme_pages_show_only_keywords_with_published_papers(client, keywords, url):
    html = text(client, url)
    assert 'href="/en/keywords/elnes/"' in html
    assert 'href="/en/keywords/eels/"' not in html
    assert "Electron energy loss spectroscopy" not in html


@pytest.mark.parametrize("size", [3, 60], ids=["few", "many"])
def test_keyword_index_query_count_stays_constant_with_many_vocabulary_terms(
    client, django_assert_num_queries, size
):
    used = factories.keyword()
    factories.many_papers(size // 3 + 1, keywords=[used])
    for _ in range(size):
        factories.keyword()
    # Every keyword, and the number of published papers of each; the lab's profile.
    with django_assert_num_queries(3):
        html = text(client, "/en/keywords/")
    assert len(re.findall(r'<a href="/en/keywords/[^"]+/">', html)) == 1
