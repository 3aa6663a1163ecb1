"""The search entries (the side table searches count and sort on), PublicationSearch and
SearchPaginator.

Every test runs on SQLite and on PostgreSQL. What a visitor notices: a paper is
found, hidden or reordered as soon as it is saved, deleted, imported or its import
undone; a broad search says "more than 1,000 results"; the pages show the same
papers, in the same order, as reading the whole search would.
"""

import pytest
from django.core.paginator import Paginator

from publications import search
from publications.bibtex import importer, undo
from publications.models import Keyword, Publication, SearchEntry

pytestmark = pytest.mark.django_db


def make_paper(title_en, year=2020, **fields):
    return Publication.objects.create(title_en=title_en, year=year, **fields)


def entry_of(paper):
    return (
        SearchEntry.objects.filter(pk=paper.pk)
        .values_list("is_published", "year", "month", "text")
        .first()
    )


def found(q):
    return list(Publication.objects.published().search(q))


def searched(q, papers=None, cap=None):
    """The search as the publications list runs it: over every published paper, or
    over `papers` (filtered)."""
    if papers is None:
        papers = Publication.objects.published()
        return search.PublicationSearch(papers, q, every_published_paper=True, cap=cap)
    return search.PublicationSearch(papers, q, cap=cap)


# ---------------------------------------------------------------- kept in sync


class TestEntriesFollowThePapers:
    def test_a_new_paper_has_an_entry_with_its_document(self):
        paper = make_paper("Theoretical ELNES", year=2019, month=4)
        paper.refresh_from_db()
        assert entry_of(paper) == (True, 2019, 4, paper.search_text)

    def test_unpublishing_a_paper_hides_it_from_the_search_at_once(self):
        paper = make_paper("Theoretical ELNES")
        assert found("elnes") == [paper]
        paper.is_published = False
        paper.save()
        assert found("elnes") == []
        assert list(Publication.objects.search("elnes")) == [paper]  # staff lists see it

    def test_a_new_year_or_month_reorders_the_results_at_once(self):
        old = make_paper("ELNES old", year=2001)
        new = make_paper("ELNES new", year=2024, month=5)
        pages = search.SearchPaginator(searched("elnes"), 20)
        assert list(pages.page(1)) == [new, old]
        old.year, old.month = 2024, 6
        old.save()
        pages = search.SearchPaginator(searched("elnes"), 20)
        assert list(pages.page(1)) == [old, new]
        assert entry_of(old)[:3] == (True, 2024, 6)

    def test_a_deleted_paper_takes_its_entry_with_it(self):
        paper = make_paper("Theoretical ELNES")
        kept = make_paper("ELNES kept")
        paper.delete()
        assert not SearchEntry.objects.filter(pk=paper.pk).exists()
        assert found("elnes") == [kept]

    def test_an_imported_paper_is_found_and_undoing_the_import_removes_it(self):
        text = "@article{k,\n  title = {Imported ELNES of oxides},\n  year = {2021},\n}\n"
        batch, _plan = importer.start(text=text)
        importer.confirm(batch)
        paper = Publication.objects.get(title_en="Imported ELNES of oxides")
        assert entry_of(paper) == (True, 2021, None, paper.search_text)
        assert found("imported elnes") == [paper]
        batch.refresh_from_db()
        undo.undo(batch)
        assert found("imported elnes") == []
        assert not SearchEntry.objects.exists()

    def test_an_import_as_unpublished_is_not_found_by_visitors(self):
        text = "@article{k,\n  title = {Hidden ELNES},\n  year = {2021},\n}\n"
        batch, _plan = importer.start(text=text, is_published=False)
        importer.confirm(batch)
        assert found("hidden") == []
        assert [p.title_en for p in Publication.objects.search("hidden")] == ["Hidden ELNES"]

    def test_rebuild_restores_missing_entries(self):
        from io import StringIO

        from django.core.management import call_command

        paper = make_paper("Theoretical ELNES")
        SearchEntry.objects.all().delete()
        assert found("elnes") == []
        call_command("rebuild_search_index", stdout=StringIO())
        assert found("elnes") == [paper]


# ---------------------------------------------------------------- the paginator


def everything(queryset, per_page=3):
    """Every page of Django's own Paginator: the order the search defines."""
    paginator = Paginator(queryset, per_page)
    return [list(paginator.page(n)) for n in paginator.page_range]


def all_pages(paginator):
    return [list(paginator.page(n)) for n in paginator.page_range]


@pytest.fixture
def papers():
    """Fourteen ELNES papers (one unpublished), four tagged ELNES; years and months tie."""
    keyword = Keyword.objects.create(slug="elnes", name_ja="ELNES", name_en="ELNES")
    made = []
    for n in range(14):
        paper = make_paper(
            f"ELNES study {n}",
            year=2010 + n % 4,
            month=None if n % 3 == 0 else 1 + n % 12,
            is_published=n != 5,
        )
        if n % 4 == 1:
            paper.keywords.add(keyword)
        made.append(paper)
    make_paper("Unrelated XANES")
    return made


class TestSearchPaginator:
    @pytest.mark.parametrize("per_page", [2, 3])
    @pytest.mark.parametrize("cap", [2, 5, 7, 1000])
    def test_pages_show_the_search_in_its_order_narrow_or_broad(self, papers, cap, per_page):
        results = Publication.objects.published().search("ELNES")
        expected = everything(results, per_page)
        paginator = search.SearchPaginator(searched("ELNES", cap=cap), per_page)
        shown = all_pages(paginator)
        if cap >= 13:
            assert shown == expected
        else:
            # Capped: the pages stop at the cap, and show the first `cap` results.
            flat = [paper for page in expected for paper in page]
            assert [paper for page in shown for paper in page] == flat[:cap]

    def test_keyword_matches_come_first_and_say_so(self, papers):
        page = search.SearchPaginator(searched("elnes", cap=6), 20).page(1)
        assert [p.keyword_match for p in page] == [True] * 3 + [False] * 3
        assert set(page[:3]) == {p for p in papers if p.keywords.exists() and p.is_published}

    def test_the_count_is_exact_up_to_the_cap(self, papers):
        paginator = search.SearchPaginator(searched("elnes", cap=13), 5)
        assert (paginator.count, paginator.count_capped, paginator.num_pages) == (13, False, 3)

    def test_beyond_the_cap_it_says_more_than_the_cap(self, papers):
        paginator = search.SearchPaginator(searched("elnes", cap=12), 5)
        assert paginator.count_capped  # asked before the count: it counts
        assert (paginator.count, paginator.num_pages) == (12, 3)
        assert search.COUNT_CAP == 1000  # what the list shows: "more than 1,000 results"

    def test_a_page_past_the_cap_gives_the_last_page(self, papers):
        paginator = search.SearchPaginator(searched("elnes", cap=7), 5)
        assert paginator.get_page(9).number == 2
        assert len(paginator.get_page(9)) == 2

    def test_filters_before_the_search_are_kept(self, papers):
        keyword = Keyword.objects.get(slug="elnes")
        papers = Publication.objects.published().filter(keywords=keyword)
        expected = everything(papers.search("study"))
        assert all_pages(search.SearchPaginator(searched("study", papers, cap=2), 3)) == [
            expected[0][:2]
        ]
        assert all_pages(search.SearchPaginator(searched("study", papers), 3)) == expected
        assert sum(map(len, expected)) == 3

    def test_filters_give_the_pages_of_filtering_the_search_results(self, papers):
        results = Publication.objects.published().search("elnes").filter(year__gte=2012)
        expected = everything(results)
        papers = Publication.objects.published().filter(year__gte=2012)
        assert all_pages(search.SearchPaginator(searched("elnes", papers), 3)) == expected
        paginator = search.SearchPaginator(searched("elnes", papers, cap=2), 3)
        assert (paginator.count, paginator.count_capped) == (2, True)

    def test_an_unpublished_paper_shows_only_where_unpublished_papers_do(self, papers):
        hidden = papers[5]
        everyone = searched("elnes", Publication.objects.all())
        visitors = searched("elnes")
        assert hidden in [
            p for page in all_pages(search.SearchPaginator(everyone, 5)) for p in page
        ]
        assert hidden not in [
            p for page in all_pages(search.SearchPaginator(visitors, 5)) for p in page
        ]

    def test_a_list_without_a_search_is_counted_in_full(self, papers, monkeypatch):
        monkeypatch.setattr(search.results, "COUNT_CAP", 3)
        paginator = search.SearchPaginator(Publication.objects.newest_first(), 5)
        assert (paginator.count, paginator.count_capped) == (15, False)
        assert list(paginator.page(1)) == list(Publication.objects.newest_first()[:5])

    def test_a_page_reads_its_authors_in_one_query(self, papers, django_assert_num_queries):
        for paper in papers:
            paper.set_authors(["T. Mizoguchi"])
        with_authors = Publication.objects.published().with_authors()
        page = search.SearchPaginator(searched("elnes", with_authors), 5).page(1)
        with django_assert_num_queries(0):
            names = [a.person.family_name_en for p in page for a in p.ordered_authorships]
        assert names == ["Mizoguchi"] * 5

    def test_the_lists_queryset_is_paged_on_the_entries(
        self, papers, django_assert_max_num_queries
    ):
        results = Publication.objects.published().for_list().search("elnes")
        listed = Publication.objects.published().for_list()
        paginator = search.SearchPaginator(
            search.PublicationSearch(listed, "elnes", every_published_paper=True, cap=6), 5
        )
        # Every published paper: the entries are kept to them on their own column.
        entries = paginator.object_list.entries()
        assert Publication._meta.db_table not in str(entries.query)
        # The count (and on PostgreSQL a whole-word count first); the keyword's ids,
        # its papers (capped), the tagged entries of the page; the others (counted up
        # to half the cap, then paged); the papers; their authors. However many match.
        with django_assert_max_num_queries(9):
            page = list(paginator.page(1))
        assert page == everything(results, 5)[0]
        assert "abstract_en" in page[0].get_deferred_fields()

    def test_the_year_chart_counts_every_result_up_to_the_cap(self, papers):
        results = Publication.objects.published().search("elnes")
        assert search.SearchPaginator(searched("elnes"), 5).year_counts() == results.year_counts()
        assert search.SearchPaginator(searched("elnes"), 5).year_counts() == [
            (2010, 4),
            (2011, 3),  # not the unpublished one
            (2012, 3),
            (2013, 3),
        ]
        assert search.SearchPaginator(searched("elnes", cap=12), 5).year_counts() is None
        plain = Publication.objects.published()
        assert search.SearchPaginator(plain, 5).year_counts() == plain.year_counts()

    def test_no_match_is_an_empty_first_page(self, papers):
        paginator = search.SearchPaginator(searched("zzzz"), 5)
        assert (paginator.count, list(paginator.get_page(1))) == (0, [])

    @pytest.mark.parametrize("q", ["%", "'; --", "elnes:* | !study", '"elnes study"', "ＥＬＮＥＳ"])
    def test_odd_queries_page_like_any_other(self, papers, q):
        results = Publication.objects.published().search(q)
        flat = [paper for page in everything(results, 4) for paper in page]
        paginator = search.SearchPaginator(searched(q, cap=6), 4)
        shown = [paper for page in all_pages(paginator) for paper in page]
        blank = search.SearchQuery.parse(q).is_blank  # the whole list, counted in full
        assert shown == (flat if blank else flat[:6])
