"""What the templates show a visitor: a paper in a list, its authors and source line,
the per-year chart, the filter form, and text shown in its fallback language."""

import re

import pytest

from publications.models import Keyword
from tests import factories
from tests.publications.test_views import html_of

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & "quotes"'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;"


def authors_of(html):
    """The first author list of a page."""
    return re.search(r'<div class="authors">(.*?)</div>', html, re.S).group(1)


def tag(html, element, **attributes):
    """The first <element …> start tag having these attributes (in any order), or None."""
    for found in re.findall(rf"<{element}\b[^>]*>", html):
        if all(f'{key}="{value}"' in found for key, value in attributes.items()):
            return found
    return None


class TestEscaping:
    def test_every_value_of_a_paper_is_text_never_markup(self, client):
        keyword = factories.keyword(name_en=f"Key {HOSTILE}")
        author = factories.person(f"Evil{HOSTILE}", lab=True)
        paper = factories.paper(
            f"Title {HOSTILE}",
            authors=[author],
            keywords=[keyword],
            venue=f"Venue {HOSTILE}",
            volume="<b>7</b>",
            note_en=f"Note {HOSTILE}",
            doi='10.1000/"onmouseover=alert(1)',
        )
        theme = factories.theme(keywords=[keyword], is_published=True)
        pages = ["/en/publications/", f"/en/research/{theme.slug}/", "/en/", "/en/keywords/"]
        for url in [*pages, f"/en/publications/{paper.slug}/"]:
            html = html_of(client, url)
            assert "<script>alert" not in html and "<b>7</b>" not in html, url
            assert 'doi.org/10.1000/"onmouseover' not in html, url
        for url in pages[:3]:
            html = html_of(client, url)
            assert f"Title {ESCAPED}" in html
            assert f"Venue {ESCAPED}" in html and "&lt;b&gt;7&lt;/b&gt;" in html
            assert f"Note {ESCAPED}" in html
            assert f"Evil{ESCAPED}" in authors_of(html)
        assert f"Key {ESCAPED}</a>" in html_of(client, f"/en/research/{theme.slug}/")


class TestFallbackLanguage:
    def test_a_title_missing_in_the_page_language_is_marked_with_its_language(self, client):
        factories.paper("Only English", title_ja="")
        ja = html_of(client, "/ja/publications/")
        assert '<a href="/ja/publications/' in ja
        assert '<span lang="en">Only English</span>' in ja
        assert '<span lang="en">' not in html_of(client, "/en/publications/")

    def test_keywords_and_notes_are_marked_too(self, client):
        keyword = factories.keyword(name_en="Glass", name_ja="ガラス")
        english_only = Keyword.objects.create(name_en="Entropy", name_ja="", slug="entropy")
        factories.paper("Noted", keywords=[keyword, english_only], note_en="Best paper award")
        theme = factories.theme(keywords=[keyword, english_only])
        ja = html_of(client, f"/ja/research/{theme.slug}/")
        matched = re.search(r'<p class="matched">(.*?)</p>', ja, re.S).group(1)
        assert matched.startswith("共通のキーワード：")
        assert '<span lang="en">Entropy</span></a>' in matched and ">ガラス</a>" in matched
        assert '<span class="note"><span lang="en">Best paper award</span></span>' in ja
        assert '<a href="/ja/keywords/entropy/"><span lang="en">Entropy</span></a>' in html_of(
            client, "/ja/keywords/"
        )

    def test_markdown_in_the_other_language_is_marked_on_its_block(self, client):
        theme = factories.theme(body_ja="", body_en="A *body* in English.")
        ja = html_of(client, f"/ja/research/{theme.slug}/")
        assert '<div class="prose" lang="en"><p>A <em>body</em> in English.</p></div>' in ja
        en = html_of(client, f"/en/research/{theme.slug}/")
        assert '<div class="prose"><p>A <em>body</em> in English.</p></div>' in en


class TestLinks:
    def test_links_are_in_the_page_language(self, client):
        member = factories.person("Member", lab=True)
        keyword = factories.keyword(name_en="Glass", slug="glass")
        paper = factories.paper("Linked", authors=[member], keywords=[keyword], doi="10.1/x")
        theme = factories.theme(keywords=[keyword], is_published=True)
        ja = html_of(client, f"/ja/research/{theme.slug}/")
        assert f'href="/ja/publications/{paper.slug}/"' in ja
        assert 'href="/ja/keywords/glass/" class="chip-inline"' in ja
        assert '<p class="links"><a href="https://doi.org/10.1/x">doi:10.1/x</a></p>' in ja
        detail = html_of(client, f"/en/publications/{paper.slug}/")
        author = f'<a href="/en/publications/?author={member.slug}">A. Member</a>'
        assert author in authors_of(detail)
        # Names in lists are not links: the paper's title is the list item's one link.
        assert "?author=" not in authors_of(html_of(client, "/en/publications/"))


class TestAuthorList:
    def test_lab_members_are_strong_with_words_for_screen_readers(self, client):
        member, other = factories.person("Member", lab=True), factories.person("Other")
        factories.paper("P", authors=[other, member])
        assert authors_of(html_of(client, "/en/publications/")) == (
            'A. Other, <strong class="lab-member">A. Member'
            '<span class="visually-hidden"> (lab member)</span></strong>'
        )
        assert '<span class="visually-hidden"> (研究室メンバー)</span>' in authors_of(
            html_of(client, "/ja/publications/")
        )

    def test_ten_authors_are_all_shown(self, client):
        factories.paper("Ten", authors=[factories.person(f"Author{i:02d}") for i in range(10)])
        authors = authors_of(html_of(client, "/en/publications/"))
        assert "<details" not in authors and authors.count(", ") == 9

    def test_beyond_ten_the_rest_fold_into_et_al(self, client):
        factories.paper("Many", authors=[factories.person(f"Author{i:02d}") for i in range(14)])
        en = html_of(client, "/en/publications/")
        shown, summary, hidden = re.search(
            r'<div class="authors">(.*?)<details class="more-authors"><summary>(.*?)</summary>'
            r"(.*?)</details></div>",
            en,
            re.S,
        ).groups()
        assert shown.count("A. Author") == 10 and "Author09" in shown and "Author10" not in shown
        assert summary == (
            '<span class="et-al">et al. <span class="more-count">(show 4 more authors)</span>'
            '</span><span class="fewer">(show fewer)</span>'
        )
        assert hidden == ", A. Author10, A. Author11, A. Author12, A. Author13"
        ja = html_of(client, "/ja/publications/")
        assert '<span class="et-al">他 <span class="more-count">(ほか 4 名を表示)</span>' in ja

    @pytest.mark.parametrize(("lang", "et_al"), [("en", "et al."), ("ja", "他")])
    def test_et_al_is_a_word_of_its_own(self, client, lang, et_al):
        """Not "Mizoguchiet al." nor "溝口 照康他", whether the list is folded or cut short."""
        mizoguchi = factories.person(
            "Mizoguchi", "Teruyasu", lab=True, family_name_ja="溝口", given_name_ja="照康"
        )
        people = [factories.person(f"Author{i:02d}") for i in range(9)]
        factories.paper("Folded", year=2021, authors=[*people, mizoguchi, factories.person()])
        factories.paper("Cut short", year=2020, authors=[mizoguchi], authors_truncated=True)
        html = html_of(client, f"/{lang}/publications/")
        lists = re.findall(r'<div class="authors">(.*?)</div>', html, re.S)
        name = {"en": "Teruyasu Mizoguchi", "ja": "溝口 照康"}[lang]
        for authors in lists:
            # The text a visitor sees (the words for screen readers left out).
            spoken = re.sub(r'<span class="visually-hidden">.*?</span>', "", authors)
            text = re.sub(r"<[^>]+>", "", spoken)
            assert f"{name} {et_al}" in text, text

    def test_one_folded_author_is_counted_in_the_singular(self, client):
        factories.paper("Eleven", authors=[factories.person() for _ in range(11)])
        assert "(show 1 more author)" in html_of(client, "/en/publications/")

    def test_a_list_the_source_cut_short_ends_with_et_al(self, client):
        factories.paper("P", authors=[factories.person("Solo")], authors_truncated=True)
        assert authors_of(html_of(client, "/en/publications/")) == "A. Solo et al."
        assert authors_of(html_of(client, "/ja/publications/")) == "A. Solo 他"


class TestSourceLine:
    def test_venue_volume_issue_pages_year_and_labels(self, client):
        factories.paper(
            "Full", venue="J. Test", volume="12", issue="3", pages="10-20", year=2021,
            status="accepted", type="chapter", note_en="Cover article",
        )  # fmt: skip
        source = re.search(r'<p class="source">(.*?)</p>', html_of(client, "/en/publications/"))
        assert source.group(1) == (
            '<span class="venue">J. Test</span> <span class="volume">12</span>(3), 10–20 (2021)'
            ' <span class="status">Accepted</span> <span class="badge">Book chapter</span>'
            ' <span class="note">Cover article</span>'
        )

    def test_an_article_number_stands_for_pages_and_nothing_is_added_when_missing(self, client):
        factories.paper("Numbered", venue="Phys. Rev. B", article_number="045301", year=2019)
        factories.paper("Bare", venue="Thesis U.", year=2018)
        html = html_of(client, "/en/publications/")
        assert '<span class="venue">Phys. Rev. B</span>, 045301 (2019)</p>' in html
        assert '<p class="source"><span class="venue">Thesis U.</span> (2018)</p>' in html


class TestYearChart:
    def test_a_bar_per_year_and_the_same_numbers_in_a_table(self, client):
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

    def test_the_geometry_is_written_as_svg_numbers_in_every_language(self, client):
        for year in (2001, 2002, 2002):
            factories.paper(year=year)
        for language in ("ja", "en"):
            html = html_of(client, f"/{language}/publications/")
            # Two slots of 48.5 % across, bars 70 % of a slot, the tallest one full height.
            assert tag(html, "rect", x="8.78%", y="88.0", width="33.95%", height="68.0")
            assert tag(html, "rect", x="57.28%", y="20.0", width="33.95%", height="136.0")
            assert tag(html, "line", y1="156", y2="156", x2="100%")

    def test_each_bar_shows_its_count_in_text_that_never_scales(self, client):
        """A viewBox scaled the labels with the chart: about 6 px on a 390 px phone."""
        for year in (2001, 2002, 2002):
            factories.paper(year=year)
        html = html_of(client, "/en/publications/")
        svg = tag(html, "svg", role="img")
        assert "viewBox" not in svg and 'width="100%"' in svg
        values = re.findall(r'x="([\d.]+)%" y="([\d.]+)"[^>]*class="value">(\d+)</text>', html)
        assert values == [("25.75", "88.0", "1"), ("74.25", "20.0", "2")]  # on top of the bars
        assert re.findall(r'class="tick">(\d+)</text>', html) == ["2001", "2002"]

    def test_a_long_chart_labels_fewer_years_and_leaves_counts_to_the_table_on_phones(self, client):
        for year in range(1990, 2020):
            factories.paper(year=year)
        html = html_of(client, "/en/publications/")
        assert 'class="dense"' in tag(html, "svg", role="img")
        wide = re.findall(r'class="tick(?: minor)?">(\d+)</text>', html)
        narrow = re.findall(r'class="tick">(\d+)</text>', html)
        assert len(wide) <= 12 and wide[-1] == "2019"
        assert narrow == ["1995", "2001", "2007", "2013", "2019"]

    def test_a_page_without_papers_has_no_chart(self, client):
        assert 'class="year-chart"' not in html_of(client, "/en/publications/")


class TestFilterForm:
    @pytest.fixture
    def choices(self):
        glass = factories.keyword(name_en="Glass", name_ja="ガラス", slug="glass")
        only_en = Keyword.objects.create(name_en="Only English <b>", name_ja="", slug="only-en")
        factories.paper(keywords=[glass, only_en])  # the filter offers keywords with papers
        factories.person(
            "Member", given_en="Ann", lab=True, family_name_ja="溝口", given_name_ja="杏"
        )
        factories.theme(title_en="Defects & interfaces", title_ja="欠陥と界面", is_published=True)

    def test_choices_show_names_in_the_page_language(self, client, choices):
        en = html_of(client, "/en/publications/", keyword="glass")
        assert '<option value="glass" selected>Glass</option>' in en
        assert '<option value="only-en">Only English &lt;b&gt;</option>' in en
        assert ">Ann Member</option>" in en and ">Defects &amp; interfaces</option>" in en
        ja = html_of(client, "/ja/publications/")
        assert '<option value="glass">ガラス</option>' in ja
        assert '<option value="only-en">Only English &lt;b&gt;</option>' in ja  # the fallback
        assert ">溝口 杏</option>" in ja and ">欠陥と界面</option>" in ja
        assert '<option value="invited-review">招待総説</option>' in ja
        assert '<option value="" selected>すべてのキーワード</option>' in ja

    def test_every_field_has_its_label_and_keeps_its_value(self, client, choices):
        html = html_of(
            client, "/en/publications/", q="ELNES", year_from="2010", type="review", lab="1"
        )
        labels = dict(re.findall(r'<label for="(id_\w+)">([^<]+)</label>', html))
        assert labels == {
            "id_q": "Search titles, authors, journals, keywords (Japanese or English)",
            "id_keyword": "Keyword",
            "id_theme": "Research theme",
            "id_year": "Year",
            "id_year_from": "From year",
            "id_year_to": "To year",
            "id_type": "Type",
            "id_author": "Author",
            "id_lab": "Papers with lab members only",
        }
        assert tag(html, "input", type="search", id="id_q", value="ELNES", maxlength="200")
        assert tag(html, "input", id="id_year_from", value="2010", min="1600", max="2100")
        year = tag(html, "input", id="id_year")
        assert year and "value=" not in year
        assert '<option value="review" selected>Review</option>' in html
        assert tag(html, "input", type="checkbox", id="id_lab", name="lab", value="1")
        assert " checked" in tag(html, "input", id="id_lab")
        assert '<details class="filters-box" open>' in html

    def test_an_author_who_is_not_a_lab_member_stays_selected(self, client, choices):
        guest = factories.person("Guest", given_en="Gail")
        factories.paper("A paper with a guest", authors=[guest])
        html = html_of(client, "/en/publications/", author=guest.slug)
        assert f'<option value="{guest.slug}" selected>Gail Guest</option>' in html

    @pytest.mark.parametrize(
        "params",
        [
            {"year": "99999", "year_to": "twenty", "type": "novel"},
            {"keyword": "<script>", "theme": "nope", "author": "nobody", "lab": "maybe"},
            {"q": "x" * 20_000},
        ],
    )
    def test_values_not_understood_never_show_as_errors_or_values(self, client, params):
        html = html_of(client, "/en/publications/", **params)
        assert "errorlist" not in html and "<script>" not in html
        assert "99999" not in (tag(html, "input", id="id_year") or "")
        assert " selected>" not in re.sub(r'<option value="" selected>', "", html)


class TestResultCount:
    def test_the_count_and_the_query_read_as_one_phrase_in_each_language(self, client):
        factories.paper("Grain boundaries in alumina")
        factories.paper("Grain growth")
        count = r'<p class="result-count" role="status">(.*?)\s*</p>'
        ja = re.search(count, html_of(client, "/ja/publications/?q=grain"), re.S).group(1)
        assert ja == "2 件の論文（「grain」の検索結果）"  # no space before the bracket
        en = re.search(count, html_of(client, "/en/publications/?q=grain"), re.S).group(1)
        assert en == "2 publications for “grain”"
        one = re.search(count, html_of(client, "/en/publications/?q=alumina"), re.S).group(1)
        assert one == "1 publication for “alumina”"
