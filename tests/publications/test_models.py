import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from publications.models import Authorship, Keyword, Person, Publication

pytestmark = pytest.mark.django_db


def make_paper(**fields):
    values = {
        "title_en": "Defect energetics in LaAlO3 polymorphs",
        "year": 2012,
        "venue": "Phys. Rev. B",
    }
    values.update(fields)
    return Publication.objects.create(**values)


class TestPublication:
    def test_str_shows_title_and_year(self):
        assert str(make_paper()) == "Defect energetics in LaAlO3 polymorphs (2012)"

    def test_doi_is_stored_bare_whatever_form_it_was_given_in(self):
        assert (
            make_paper(doi="https://doi.org/10.1093/jmicro/dfaf038").doi == "10.1093/jmicro/dfaf038"
        )
        assert (
            make_paper(title_en="Other", doi="doi:10.1002/aisy.202100103").doi
            == "10.1002/aisy.202100103"
        )

    @pytest.mark.parametrize(
        "typed", ["1–10", "1—10", "1 - 10", "1--10", "1−10", "１－１０", "1〜10", "1～10"]
    )
    def test_a_page_range_pasted_with_any_dash_exports_as_a_range(self, client, typed):
        """An editor who copies "1–10" from a journal's page (or types 1～10 in Japanese)
        got BibTeX `pages = {1–10}` and RIS `SP - 1–10` with no end page."""
        paper = Publication(
            title_en="Pasted pages", slug="pasted", year=2026, venue="Microscopy", pages=typed
        )
        paper.full_clean()
        paper.save()
        assert paper.pages == "1-10"
        url = paper.get_absolute_url()
        ris = client.get(url, {"format": "ris"}).content.decode()
        assert re.search(r"^SP  - 1\r?$", ris, re.M) and re.search(r"^EP  - 10\r?$", ris, re.M)
        assert "pages = {1--10}" in client.get(url, {"format": "bibtex"}).content.decode()
        assert "1–10" in client.get(url).content.decode()

    def test_doi_is_unique_regardless_of_case(self):
        make_paper(doi="10.1093/jmicro/DFAF038")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_paper(title_en="A copy", doi="10.1093/jmicro/dfaf038")

    def test_many_papers_may_have_no_doi(self):
        make_paper(doi="")
        make_paper(title_en="Another paper", doi="")
        assert Publication.objects.filter(doi="").count() == 2

    @pytest.mark.parametrize("year", [1599, 2200])
    def test_implausible_year_is_refused_by_the_database(self, year):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_paper(year=year)

    def test_implausible_year_is_explained_to_an_editor(self):
        paper = Publication(title_en="x", year=1599, venue="v")
        with pytest.raises(ValidationError) as excinfo:
            paper.full_clean()
        assert "year" in excinfo.value.message_dict

    def test_month_out_of_range_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_paper(month=13)

    def test_slugs_are_ascii_and_unique_even_for_equal_titles(self):
        first, second = make_paper(), make_paper(title_en="Defect energetics in LaAlO3 polymorphs")
        assert first.slug == "defect-energetics-in-laalo3-polymorphs-2012"
        assert second.slug == "defect-energetics-in-laalo3-polymorphs-2012-2"

    def test_japanese_only_title_still_gets_an_ascii_slug(self):
        paper = make_paper(title_en="", title_ja="格子欠陥の研究")
        assert paper.slug.isascii() and paper.slug

    @pytest.mark.parametrize("title", ["Feed", "Suggest"])
    def test_a_paper_never_takes_the_address_of_another_page(self, client, title):
        # publications/feed/ and publications/suggest/ are the feed and the suggestions.
        paper = make_paper(title_en=title, year=None)
        assert paper.slug == f"{title.lower()}-2"
        response = client.get(f"/en/publications/{paper.slug}/")
        assert response.status_code == 200 and title in response.content.decode()

    def test_an_editor_is_told_when_a_slug_is_another_pages_address(self):
        paper = Publication(title_en="x", year=2020, venue="v", slug="feed")
        with translation.override("ja"), pytest.raises(ValidationError) as excinfo:
            paper.full_clean()
        assert "別のページ" in excinfo.value.message_dict["slug"][0]

    def test_arxiv_id_loses_prefix_and_version(self):
        assert make_paper(arxiv_id="arXiv:2101.00001v3").arxiv_id == "2101.00001"

    def test_title_in_neither_language_is_refused(self):
        paper = Publication(year=2020, venue="v")
        with pytest.raises(ValidationError):
            paper.full_clean()


class TestTranslationFallback:
    def test_english_page_falls_back_to_japanese_title(self):
        paper = make_paper(title_en="", title_ja="格子欠陥インフォマティクス")
        with translation.override("en"):
            assert paper.title == "格子欠陥インフォマティクス"

    def test_japanese_page_falls_back_to_english_title(self):
        paper = make_paper(title_en="Learning excited states", title_ja="")
        with translation.override("ja"):
            assert paper.title == "Learning excited states"

    def test_each_language_shows_its_own_text_when_present(self):
        keyword = Keyword.objects.create(
            name_ja="格子欠陥", name_en="Lattice defects", slug="lattice-defects"
        )
        with translation.override("ja"):
            assert str(keyword) == "格子欠陥"
        with translation.override("en"):
            assert str(keyword) == "Lattice defects"


class TestAuthors:
    def test_set_authors_keeps_order_and_resolves_name_variants(self):
        paper = make_paper()
        paper.set_authors(["PY. Chen", "K. Shibata", "T. Mizoguchi"])
        other = make_paper(title_en="High precision force field", year=2025)
        other.set_authors(["P. Y. Chen", "K. Shibata", "T.Mizoguchi"])
        assert [a.person_id for a in paper.ordered_authorships] == [
            a.person_id for a in other.ordered_authorships
        ]
        assert [a.position for a in other.ordered_authorships] == [1, 2, 3]
        assert [a.as_printed for a in other.ordered_authorships] == [
            "P. Y. Chen",
            "K. Shibata",
            "T.Mizoguchi",
        ]

    def test_same_person_twice_in_one_author_list_is_refused(self):
        paper = make_paper()
        with pytest.raises(ValidationError):
            paper.set_authors(["T. Mizoguchi", "T.Mizoguchi"])

    def test_database_refuses_repeated_position(self):
        paper = make_paper()
        a, b = Person.objects.create(family_name_en="A"), Person.objects.create(family_name_en="B")
        Authorship.objects.create(publication=paper, person=a, position=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Authorship.objects.create(publication=paper, person=b, position=1)

    def test_database_refuses_repeated_person(self):
        paper = make_paper()
        a = Person.objects.create(family_name_en="A")
        Authorship.objects.create(publication=paper, person=a, position=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Authorship.objects.create(publication=paper, person=a, position=2)

    def test_authorship_str(self):
        paper = make_paper()
        paper.set_authors(["Min-Su Kim"])
        assert str(paper.ordered_authorships[0]) == "1. Min-Su Kim"


class TestListReads:
    def test_a_list_reads_its_papers_and_their_authors_in_order_in_two_queries(
        self, django_assert_num_queries
    ):
        first, second = make_paper(year=2021), make_paper(year=2020)
        first.set_authors(["Ann Zero", "Ben One", "Cy Two"])
        second.set_authors(["Dee Three", "Ann Zero"])
        with translation.override("en"), django_assert_num_queries(2):
            papers = list(Publication.objects.newest_first().for_list())
            authors = [[str(a.person) for a in p.ordered_authorships] for p in papers]
        assert [p.pk for p in papers] == [first.pk, second.pk]
        assert authors == [["Ann Zero", "Ben One", "Cy Two"], ["Dee Three", "Ann Zero"]]
        # What no list shows stays in the database until asked for.
        assert {"abstract_en", "bibtex", "search_text"} <= papers[0].get_deferred_fields()

    def test_new_authors_replace_the_ones_read_with_the_paper(self):
        paper = make_paper()
        paper.set_authors(["A. Old"])
        read = Publication.objects.with_authors().get(pk=paper.pk)
        assert [a.as_printed for a in read.ordered_authorships] == ["A. Old"]
        read.set_authors(["K. Shibata", "T. Mizoguchi"])
        assert [a.as_printed for a in read.ordered_authorships] == ["K. Shibata", "T. Mizoguchi"]

    def test_papers_sharing_keywords_are_the_same_from_a_list_or_a_queryset(self):
        ks = [Keyword.objects.create(name_en=f"K{n}", slug=f"k{n}") for n in range(4)]
        sharing = [make_paper(title_en="One"), make_paper(title_en="Two")]
        sharing[0].keywords.set([ks[0]])
        sharing[1].keywords.set([ks[1], ks[2]])
        make_paper(title_en="Other").keywords.set([ks[3]])
        keywords = Keyword.objects.filter(pk__in=[ks[0].pk, ks[1].pk])
        from_queryset = set(Publication.objects.sharing_keywords(keywords))
        assert set(Publication.objects.sharing_keywords(list(keywords))) == from_queryset
        assert from_queryset == set(sharing)
        assert not Publication.objects.sharing_keywords([]).exists()


def test_an_imports_name_gives_its_time_in_the_sites_time_zone():
    """The admin titles an import by its name; the list beside it gives times in
    Asia/Tokyo, and the title gave UTC (22:25 in the list, 13:25 in the title)."""
    import datetime

    from publications.models import ImportBatch

    batch = ImportBatch.objects.create(source="admin", filename="lab.bib")
    batch.created_at = datetime.datetime(2026, 12, 7, 13, 25, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert str(batch) == "lab.bib (Previewed, not imported, 2026-12-07 22:25)"
