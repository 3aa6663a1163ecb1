"""The publication items, author lists and year charts that list pages build in Python."""

import pytest

from publications.models import Keyword
from tests import factories
from tests.publications.test_views import html_of

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & "quotes"'


def test_every_value_of_an_item_is_escaped(client):
    keyword = factories.keyword(name_en=f"Key {HOSTILE}")
    author = factories.person(f"Evil{HOSTILE}", lab=True)
    factories.paper(
        f"Title {HOSTILE}",
        authors=[author],
        keywords=[keyword],
        venue=f"Venue {HOSTILE}",
        volume="<b>7</b>",
        note_en=f"Note {HOSTILE}",
        doi='10.1000/"onmouseover=alert(1)',
    )
    theme = factories.theme(keywords=[keyword], is_published=True)
    for url in ("/en/publications/", f"/en/research/{theme.slug}/", "/en/"):
        html = html_of(client, url)
        assert "<script>alert" not in html and "<b>7</b>" not in html
        assert 'doi.org/10.1000/"onmouseover' not in html
        escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;"
        assert f"Title {escaped}" in html
        assert "Venue &lt;script&gt;" in html


def test_a_title_missing_in_the_page_language_is_marked_with_its_language(client):
    factories.paper("Only English", title_ja="")
    assert '<a href="/ja/publications/' in html_of(client, "/ja/publications/")
    assert '<span lang="en">Only English</span>' in html_of(client, "/ja/publications/")
    assert '<span lang="en">' not in html_of(client, "/en/publications/")


def test_links_are_in_the_page_language(client):
    member = factories.person("Member", lab=True)
    keyword = factories.keyword(name_en="Glass", slug="glass")
    paper = factories.paper("Linked", authors=[member], keywords=[keyword])
    theme = factories.theme(keywords=[keyword], is_published=True)
    ja = html_of(client, f"/ja/research/{theme.slug}/")
    assert f'href="/ja/publications/{paper.slug}/"' in ja
    assert 'href="/ja/keywords/glass/" class="chip-inline"' in ja
    detail = html_of(client, f"/en/publications/{paper.slug}/")
    assert f'<a href="/en/publications/?author={member.slug}">A. Member</a>' in detail


def test_the_year_chart_has_a_bar_per_year_and_a_table(client):
    factories.paper("Old", year=2001)
    factories.paper("New", year=2004)
    factories.paper("New too", year=2004)
    html = html_of(client, "/en/publications/")
    assert html.count('class="bar"') == 4  # 2001–2004, gaps included
    assert "<title>2004: 2</title>" in html and "<title>2002: 0</title>" in html
    assert "Publications per year: 3 papers from 2001 to 2004." in html
    assert "<tr><td>2001</td><td>1</td></tr><tr><td>2004</td><td>2</td></tr>" in html
    ja = html_of(client, "/ja/publications/")
    assert "年ごとの論文数：2001年から2004年までに 3 件。" in ja
    assert "<summary>年ごとの論文数（表）</summary>" in ja


def test_filter_choices_show_names_in_the_page_language(client):
    factories.keyword(name_en="Glass", name_ja="ガラス", slug="glass")
    Keyword.objects.create(name_en="Only English <b>", name_ja="", slug="only-en")
    factories.person("Member", given_en="Ann", lab=True, family_name_ja="溝口", given_name_ja="杏")
    factories.theme(title_en="Defects & interfaces", title_ja="欠陥と界面", is_published=True)
    en = html_of(client, "/en/publications/", keyword="glass")
    assert '<option value="glass" selected>Glass</option>' in en
    assert '<option value="only-en">Only English &lt;b&gt;</option>' in en
    assert ">Ann Member</option>" in en and ">Defects &amp; interfaces</option>" in en
    ja = html_of(client, "/ja/publications/")
    assert '<option value="glass">ガラス</option>' in ja
    assert '<option value="only-en">Only English &lt;b&gt;</option>' in ja  # the fallback
    assert ">溝口 杏</option>" in ja and ">欠陥と界面</option>" in ja
