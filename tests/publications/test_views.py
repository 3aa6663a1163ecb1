"""The publications list with its filters, a paper's page, and the keyword pages."""

import re

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from publications.models import Person, Publication
from research.models import Member, ResearchTheme
from tests import factories

pytestmark = pytest.mark.django_db


def html_of(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status
    return response.content.decode()


def titles(html):
    return re.findall(
        r'class="publication-title"><a href="[^"]+">(?:<span lang="\w+">)?([^<]+)', html
    )


class TestFilters:
    @pytest.fixture
    def papers(self):
        k_defect = factories.keyword(name_en="Lattice defects", slug="lattice-defects")
        k_glass = factories.keyword(name_en="Glass", slug="glass")
        member = factories.person("Member", lab=True)
        outsider = factories.person("Outsider")
        return {
            "a": factories.paper("A defects 2019", 2019, [outsider], [k_defect], type="review"),
            "b": factories.paper("B defects 2021", 2021, [member], [k_defect]),
            "c": factories.paper("C glass 2021", 2021, [outsider, member], [k_glass]),
            "d": factories.paper("D glass 2023", 2023, [outsider], [k_glass]),
        }

    def test_no_filter_lists_everything_newest_first_under_year_headings(self, client, papers):
        html = html_of(client, "/en/publications/")
        assert titles(html) == [
            "D glass 2023",
            "B defects 2021",
            "C glass 2021",
            "A defects 2019",
        ] or titles(html) == ["D glass 2023", "C glass 2021", "B defects 2021", "A defects 2019"]
        assert re.findall(r'class="year-heading">(\d+)<', html) == ["2023", "2021", "2019"]
        assert "4 publications" in html

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"keyword": "glass"}, {"C glass 2021", "D glass 2023"}),
            ({"year": "2021"}, {"B defects 2021", "C glass 2021"}),
            ({"year_from": "2020", "year_to": "2022"}, {"B defects 2021", "C glass 2021"}),
            ({"year_from": "2021"}, {"B defects 2021", "C glass 2021", "D glass 2023"}),
            ({"type": "review"}, {"A defects 2019"}),
            ({"lab": "1"}, {"B defects 2021", "C glass 2021"}),
            ({"keyword": "glass", "lab": "1", "year_to": "2022"}, {"C glass 2021"}),
        ],
    )
    def test_filters_combine(self, client, papers, params, expected):
        html = html_of(client, "/en/publications/", **params)
        assert set(titles(html)) == expected
        assert f"{len(expected)} publication" in html

    def test_author_filter_and_links_from_author_names(self, client, papers):
        member = Person.objects.get(family_name_en="Member")
        html = html_of(client, "/en/publications/", author=member.slug)
        assert set(titles(html)) == {"B defects 2021", "C glass 2021"}
        detail = html_of(client, papers["c"].get_absolute_url().replace("/ja/", "/en/"))
        assert f"?author={member.slug}" in detail

    def test_a_lab_members_papers_lead_to_the_member_page(self, client, papers):
        """A paper's author names link to the list of their papers; for a lab member
        with a page, that list links the page (before, a student who clicked the
        professor's name on a paper could not reach the professor)."""
        person = Person.objects.get(family_name_en="Member")
        member = Member.objects.create(family_name="Member", slug="a-member", person=person)
        html = html_of(client, "/en/publications/", author=person.slug)
        assert '<a href="/en/members/a-member/">Member page of A. Member</a>' in html
        ja = html_of(client, "/ja/publications/", author=person.slug)
        assert '<a href="/ja/members/a-member/">A. Member のメンバーページ</a>' in ja
        member.is_published = False
        member.save()
        assert "/members/a-member/" not in html_of(client, "/en/publications/", author=person.slug)
        other = Person.objects.exclude(pk=person.pk).first()
        assert "Member page" not in html_of(client, "/en/publications/", author=other.slug)

    def test_a_year_range_given_backwards_lists_the_years_between(self, client, papers):
        html = html_of(client, "/en/publications/", year_from="2022", year_to="2020")
        assert set(titles(html)) == {"B defects 2021", "C glass 2021"}
        assert re.search(r'<input type="number" name="year_from" value="2020"', html)
        assert re.search(r'<input type="number" name="year_to" value="2022"', html)

    def test_theme_filter_uses_representatives_and_keywords(self, client, papers):
        k_glass = papers["c"].keywords.get()
        theme = factories.theme(keywords=[k_glass], representatives=[papers["a"]])
        html = html_of(client, "/en/publications/", theme=theme.slug)
        assert set(titles(html)) == {"A defects 2019", "C glass 2021", "D glass 2023"}

    def test_filters_keep_each_other_in_pagination_and_form(self, client):
        k = factories.keyword(slug="kw")
        for i in range(25):
            factories.paper(f"Paper {i}", 2020, keywords=[k])
        html = html_of(client, "/en/publications/", keyword="kw", year="2020")
        assert "25 publications" in html
        assert len(titles(html)) == 20
        nxt = re.search(r'<a href="([^"]+)" rel="next">', html).group(1)
        assert "keyword=kw" in nxt and "year=2020" in nxt and "page=2" in nxt
        assert '<option value="kw" selected>' in html
        assert re.search(r'<input type="number" name="year" value="2020"[^>]* id="id_year">', html)
        page2 = html_of(client, "/en/publications/" + nxt.replace("&amp;", "&"))
        assert len(titles(page2)) == 5

    def test_show_all_on_one_page(self, client):
        for i in range(25):
            factories.paper(f"Paper {i}", 2020)
        html = html_of(client, "/en/publications/", all="1")
        assert len(titles(html)) == 25
        assert 'rel="next"' not in html

    @pytest.mark.parametrize(
        "params",
        [
            {"page": "999"},
            {"page": "abc"},
            {"page": "-1"},
            {"year": "99999"},
            {"year": "twenty"},
            {"year_from": "'; DROP TABLE x; --"},
            {"keyword": "no-such-keyword"},
            {"keyword": "<script>alert(1)</script>"},
            {"theme": "nope"},
            {"author": "nobody"},
            {"type": "novel"},
            {"lab": "maybe"},
        ],
    )
    def test_odd_filter_values_give_a_normal_page(self, client, papers, params):
        html = html_of(client, "/en/publications/", **params)
        assert "<script>alert(1)</script>" not in html
        assert "publications" in html

    def test_unknown_filter_values_are_reported_not_silently_dropped(self, client, papers):
        html = html_of(client, "/ja/publications/", keyword="no-such-keyword", year="99999")
        assert "no-such-keyword" in html
        assert "無視" in html  # "… were ignored" in Japanese

    def test_chart_counts_the_filtered_papers(self, client, papers):
        html = html_of(client, "/en/publications/", keyword="glass")
        assert "2 papers from 2021 to 2023" in html


class TestAuthorNames:
    # How author lists look (lab members, "et al."): tests/publications/test_templates.py.
    def test_japanese_names_family_first_and_never_initials(self, client):
        person = Person.objects.create(
            family_name_ja="溝口",
            given_name_ja="照康",
            family_name_en="Mizoguchi",
            given_name_en="Teruyasu",
        )
        factories.paper("P", authors=[person])
        assert "溝口 照康" in html_of(client, "/ja/publications/")
        assert "Teruyasu Mizoguchi" in html_of(client, "/en/publications/")


class TestListItemLabels:
    def test_status_and_type_show_in_the_page_language(self, client):
        factories.paper("Pressed", status="in-press", type="invited-review")
        factories.paper("Printed", type="article")
        en, ja = html_of(client, "/en/publications/"), html_of(client, "/ja/publications/")
        assert '<span class="status">In press</span>' in en
        assert '<span class="badge">Invited review</span>' in en
        assert '<span class="status">印刷中</span>' in ja
        assert '<span class="badge">招待総説</span>' in ja
        # A published journal article carries neither label.
        assert en.count('class="status"') == 1 and en.count('class="badge"') == 1

    def test_labels_follow_the_page_not_the_first_page_rendered(self, client):
        factories.paper("Pressed", status="in-press")
        for url, label in [("/ja/", "印刷中"), ("/en/", "In press"), ("/ja/", "印刷中")]:
            assert f'<span class="status">{label}</span>' in html_of(client, url)


class TestPublicationPage:
    def test_full_citation_links_keywords_and_themes(self, client, lab_content):
        paper = Publication.objects.get(doi="10.1093/jmicro/dfaf038")
        with translation.override("en"):
            html = html_of(client, paper.get_absolute_url())
        assert "Data-Driven ELNES/XANES Analysis" in html
        assert 'href="https://doi.org/10.1093/jmicro/dfaf038"' in html
        assert "In press" in html and "Invited review" in html
        theme = ResearchTheme.objects.get(slug="core-loss-spectroscopy")
        assert f'href="/en/research/{theme.slug}/"' in html
        for keyword in paper.keywords.all():
            assert f'href="/en/keywords/{keyword.slug}/"' in html

    def test_themes_of_a_paper_by_representation_or_keyword_each_once(self, client):
        shared, other = factories.keyword(), factories.keyword()
        paper = factories.paper("Twice related", keywords=[shared])
        both = factories.theme("Both ways", keywords=[shared], representatives=[paper])
        by_keyword = factories.theme("By keyword", keywords=[shared, other])
        chosen = factories.theme("Chosen", keywords=[other], representatives=[paper])
        unrelated = factories.theme("Unrelated", keywords=[other])
        hidden = factories.theme("Hidden", keywords=[shared], is_published=False)
        html = html_of(client, paper.get_absolute_url().replace("/ja/", "/en/"))
        for theme in (both, by_keyword, chosen):
            assert html.count(f'href="/en/research/{theme.slug}/"') == 1
        for theme in (unrelated, hidden):
            assert f'href="/en/research/{theme.slug}/"' not in html

    def test_unpublished_paper_is_404_for_visitors_and_a_preview_for_staff(self, client):
        paper = factories.paper("Draft", is_published=False)
        html_of(client, paper.get_absolute_url(), 404)
        assert "Draft" not in html_of(client, "/en/publications/")
        client.force_login(User.objects.create_user("editor", is_staff=True))
        with translation.override("ja"):
            assert "プレビュー" in html_of(client, paper.get_absolute_url())

    def test_language_switcher_goes_to_the_same_paper_and_keeps_the_query(self, client):
        paper = factories.paper("Twin")
        html = html_of(client, paper.get_absolute_url().replace("/ja/", "/en/"))
        assert f'<a href="/ja/publications/{paper.slug}/" hreflang="ja" lang="ja">' in html
        listing = html_of(client, "/en/publications/", year="2020")
        assert 'href="/ja/publications/?year=2020" hreflang="ja"' in listing


class TestKeywords:
    def test_keyword_index_counts_published_papers(self, client):
        k = factories.keyword(name_en="ELNES", slug="elnes")
        factories.paper(keywords=[k])
        factories.paper(keywords=[k])
        factories.paper(keywords=[k], is_published=False)
        html = html_of(client, "/en/keywords/")
        assert re.search(r'ELNES</a> <span class="count">2 papers</span>', html)

    def test_keyword_index_orders_by_papers_then_by_name_in_each_language(self, client):
        b = factories.keyword(name_en="Beta", name_ja="あ", slug="b")
        a = factories.keyword(name_en="Alpha", name_ja="い", slug="a")
        most = factories.keyword(name_en="Zeta", name_ja="う", slug="z")
        factories.keyword(name_en="Empty", name_ja="え", slug="e")
        for keywords in ([most, a, b], [most]):
            factories.paper(keywords=keywords)
        english = html_of(client, "/en/keywords/")
        names = re.findall(r'<a href="/en/keywords/[^"]+/">([^<]+)</a>', english)
        assert names == ["Zeta", "Alpha", "Beta"]  # a keyword without papers is not offered
        japanese = html_of(client, "/ja/keywords/")
        assert re.findall(r'<a href="/ja/keywords/[^"]+/">([^<]+)</a>', japanese) == [
            "う", "あ", "い",
        ]  # fmt: skip

    def test_keyword_page_lists_its_themes_and_papers(self, client):
        k = factories.keyword(name_en="ELNES", slug="elnes")
        factories.paper("Spectra paper", keywords=[k])
        factories.theme(title_en="Spectroscopy", keywords=[k])
        html = html_of(client, "/en/keywords/elnes/")
        assert "Spectroscopy" in html and "Spectra paper" in html

    def test_unknown_keyword_is_404(self, client):
        html_of(client, "/en/keywords/nope/", 404)


def _bulk(size):
    """`size` papers on two of `size` // 10 + 4 keywords, and a theme with all of them."""
    ks = [factories.keyword() for _ in range(size // 10 + 4)]
    factories.many_papers(size, keywords=ks[:2])
    factories.theme(keywords=ks)
    return ks


@pytest.mark.parametrize("size", [3, 80], ids=["few", "many"])
def test_publication_list_query_count_is_constant(
    client, django_assert_num_queries, local_cache, size
):
    ks = _bulk(size)
    # The page's papers and their authors; the content version; and on the first view
    # the filters' choices (keywords, themes, lab members) and the per-year counts,
    # which the worker then keeps under the version (drawn filters, counts); the lab's
    # profile (the header and the footer).
    with django_assert_num_queries(8):
        client.get("/en/publications/")
    with django_assert_num_queries(4):
        client.get("/en/publications/")
    # Filtered: the keyword's lookup, and the per-year counts of these papers; the
    # filters drawn with this keyword selected are new to the worker.
    filtered = {"keyword": ks[0].slug, "lab": "1", "year_from": "2001"}
    with django_assert_num_queries(9):
        client.get("/en/publications/", filtered)
    with django_assert_num_queries(6):
        client.get("/en/publications/", filtered)


@pytest.mark.parametrize("size", [3, 80], ids=["few", "many"])
def test_publication_page_query_count_is_constant(client, django_assert_num_queries, size):
    people = [factories.person() for _ in range(size)]
    ks = [factories.keyword() for _ in range(size // 2 + 1)]
    paper = factories.paper(authors=people, keywords=ks)
    for _ in range(size // 10 + 1):
        factories.theme(keywords=ks[:1], representatives=[paper])
    # The paper, its authors, its keywords, its themes; the lab's profile.
    with django_assert_num_queries(5):
        client.get(paper.get_absolute_url())


@pytest.mark.parametrize("size", [3, 80], ids=["few", "many"])
def test_keyword_pages_query_count_is_constant(
    client, django_assert_num_queries, local_cache, size
):
    ks = _bulk(size)
    # Every keyword, and the number of published papers of each; the lab's profile.
    with django_assert_num_queries(3):
        client.get("/en/keywords/")
    # The keyword; its papers, their authors; its themes; the content version; the
    # lab's profile; and on the first view the per-year counts, which the worker then keeps.
    with django_assert_num_queries(7):
        client.get(ks[0].get_absolute_url())
    with django_assert_num_queries(6):
        client.get(ks[0].get_absolute_url())
