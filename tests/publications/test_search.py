"""Publication search: what a query finds, in which order, and that the index stays fresh.

Every test runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://… make test):
the two databases must return the same papers.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection

from publications import search
from publications.models import (
    Authorship,
    Keyword,
    NameVariant,
    Person,
    Publication,
    SearchEntry,
    SearchPairs,
    SearchWord,
)

pytestmark = pytest.mark.django_db


# PostgreSQL reads the words a query's word prefixes start, in one query before the search.
EXPANSION_QUERIES = 1 if connection.vendor == "postgresql" else 0
# Parsing a query outside a request reads the content version and, under it, the
# vocabulary (kept in the worker's memory: the tests' dummy cache keeps nothing).
VOCABULARY_QUERIES = 2


def make_paper(title_en="", year=2020, **fields):
    return Publication.objects.create(title_en=title_en, year=year, **fields)


def make_keyword(slug, name_ja, name_en):
    return Keyword.objects.create(slug=slug, name_ja=name_ja, name_en=name_en)


def found(q, queryset=None):
    """The set of papers the search box finds for `q`."""
    queryset = Publication.objects.all() if queryset is None else queryset
    return set(queryset.search(q))


# ---------------------------------------------------------------- what it matches


class TestFieldsSearched:
    def test_title_in_either_language(self):
        ja = make_paper(title_ja="格子欠陥の第一原理計算")
        en = make_paper(title_en="First-principles study of lattice defects")
        assert found("第一原理") == {ja}
        assert found("lattice") == {en}

    def test_abstract_in_either_language(self):
        ja = make_paper(title_en="A", abstract_ja="電子エネルギー損失分光を用いた解析")
        en = make_paper(title_en="B", abstract_en="We analyse energy-loss near-edge structures.")
        assert found("損失分光") == {ja}
        assert found("near-edge") == {en}

    def test_venue(self):
        paper = make_paper(title_en="A", venue="J. Phys. Chem. Lett.")
        make_paper(title_en="B", venue="Phys. Rev. B")
        assert found("Chem") == {paper}

    def test_doi_whole_in_part_or_as_a_link(self):
        paper = make_paper(title_en="A", doi="10.1093/jmicro/dfaf038")
        make_paper(title_en="B", doi="10.1002/aisy.202100103")
        assert found("10.1093/jmicro/dfaf038") == {paper}
        assert found("jmicro/dfaf038") == {paper}
        assert found("https://doi.org/10.1093/jmicro/dfaf038") == {paper}

    def test_keyword_names_in_both_languages(self):
        keyword = make_keyword("lattice-defects", "格子欠陥", "Lattice defects")
        paper = make_paper(title_en="Vacancies in LaAlO3")
        paper.keywords.add(keyword)
        make_paper(title_en="Other")
        assert found("格子欠陥") == {paper}
        assert found("lattice defects") == {paper}

    def test_author_family_and_given_names_in_both_scripts(self):
        person = Person.objects.create(
            family_name_en="Mizoguchi",
            given_name_en="Teruyasu",
            family_name_ja="溝口",
            given_name_ja="照康",
        )
        paper = make_paper(title_en="A")
        Authorship.objects.create(publication=paper, person=person, position=1)
        make_paper(title_en="B")
        for q in [
            "Mizoguchi",
            "Teruyasu",
            "溝口",
            "照康",
            "溝口 照康",
            "溝口照康",
            "Teruyasu Mizoguchi",
        ]:
            assert found(q) == {paper}, q

    def test_any_name_variant_and_the_name_as_printed(self):
        person = Person.objects.create(family_name_en="Chen", given_name_en="P. Y.")
        printed = make_paper(title_en="Printed as PY. Chen")
        printed.set_authors(["PY. Chen"])
        full = make_paper(title_en="Printed in full")
        Authorship.objects.create(publication=full, person=person, position=1)
        NameVariant.objects.create(person=person, name="Chen Pin-Yi")
        assert found("PY. Chen") == found("P. Y. Chen") == {printed, full}
        assert found("Pin-Yi") == {printed, full}

    def test_text_elsewhere_is_not_searched(self):
        make_paper(title_en="A", note="Invited review", bibtex="@article{elnes2020}")
        assert found("invited") == found("elnes2020") == set()


class TestNormalisation:
    def test_full_width_latin_equals_ascii_both_ways(self):
        ascii_title = make_paper(title_en="Theoretical ELNES")
        wide_title = make_paper(title_en="ＸＡＮＥＳ spectra")
        assert found("ＥＬＮＥＳ") == found("ｅｌｎｅｓ") == {ascii_title}
        assert found("xanes") == {wide_title}

    def test_half_width_katakana_equals_full_width_both_ways(self):
        full = make_paper(title_ja="カタカナの論文")
        half = make_paper(title_ja="ｽﾍﾟｸﾄﾙ解析")
        assert found("ｶﾀｶﾅ") == {full}
        assert found("スペクトル") == {half}

    def test_case_is_ignored_beyond_ascii(self):
        paper = make_paper(title_en="Ökonomie der STRASSE")
        assert found("ökonomie") == found("ÖKONOMIE") == found("straße") == {paper}

    def test_compatibility_characters_are_folded(self):
        paper = make_paper(title_en="ﬁrst-principles study of SrTiO₃")  # ligature, subscript
        assert found("first") == found("srtio3") == {paper}


class TestJapanese:
    def test_two_characters_find_a_longer_word(self):
        paper = make_paper(title_ja="格子欠陥インフォマティクス")
        make_paper(title_ja="格子振動")
        assert found("欠陥") == {paper}

    def test_one_character(self):
        paper = make_paper(title_ja="格子欠陥インフォマティクス")
        make_paper(title_ja="電子顕微鏡")
        assert found("欠") == {paper}
        assert found("ス") == {paper}

    def test_longer_substrings_anywhere_in_a_run(self):
        paper = make_paper(title_ja="格子欠陥インフォマティクスの展開")
        assert found("陥インフォ") == found("マティクスの") == {paper}
        assert found("欠陥インフォマティクスと") == set()

    def test_japanese_next_to_latin(self):
        paper = make_paper(title_ja="Liイオン電池正極材料")
        assert found("イオン電池") == found("Liイオン") == found("li イオン") == {paper}
        assert found("Naイオン") == set()

    def test_a_query_never_spans_two_fields(self):
        paper = make_paper(title_ja="格子", abstract_ja="欠陥")
        assert found("格子欠陥") == set()
        assert found("格子 欠陥") == {paper}


class TestWordsAndPhrases:
    def test_words_are_anded_and_may_match_different_fields(self):
        both = make_paper(title_en="Theoretical ELNES", venue="Microscopy")
        make_paper(title_en="Theoretical XANES", venue="Microscopy")
        make_paper(title_en="ELNES of oxides", venue="Phys. Rev. B")
        assert found("elnes microscopy") == {both}

    def test_a_full_width_space_separates_words(self):
        paper = make_paper(title_ja="格子の欠陥")
        assert found("格子　欠陥") == {paper}

    def test_quoted_words_stay_a_phrase(self):
        phrase = make_paper(title_en="Machine learning for spectra")
        apart = make_paper(title_en="Learning how a machine sees spectra")
        assert found("machine learning") == {phrase, apart}
        assert found('"machine learning"') == found("“machine learning”") == {phrase}

    def test_a_phrase_keeps_its_order_and_its_last_word_may_be_a_prefix(self):
        paper = make_paper(title_en="Lattice defects in oxides")
        assert found('"lattice defects"') == found('"lattice defect"') == {paper}
        assert found('"defects lattice"') == set()
        assert found('"lattic defects"') == set()  # only the last word may be cut short

    def test_a_phrase_never_spans_two_fields(self):
        paper = make_paper(title_en="Theory of lattice", venue="Defects Letters")
        assert found("lattice defects") == {paper}
        assert found('"lattice defects"') == set()
        assert found('"of lattice"') == found('"theory of lattice"') == {paper}

    def test_a_phrase_of_three_words_needs_all_three_in_a_row(self):
        row = make_paper(title_en="Point lattice defects")
        make_paper(title_en="Point lattice and lattice defects")
        assert found('"point lattice defects"') == {row}

    def test_an_unclosed_quote_quotes_the_rest(self):
        phrase = make_paper(title_en="Machine learning for spectra")
        make_paper(title_en="Learning how a machine sees spectra")
        assert found('spectra "machine learning') == {phrase}

    def test_words_match_from_their_start(self):
        paper = make_paper(title_en="Core-loss spectroscopy")
        assert found("spectr") == found("core-loss") == found("core loss") == {paper}
        assert found("pectro") == set()

    def test_several_words_each_only_the_start_of_a_word(self):
        paper = make_paper(title_en="Machine learning for catalysts")
        make_paper(title_en="Machining of catalysts")
        assert found("mach learn cata") == found("machine learn") == {paper}
        assert found("mach learnt") == set()

    def test_a_prefix_that_starts_many_words_finds_them_all(self):
        """More words than search.MAX_EXPANSION start `ab`: the prefix is searched as such."""
        papers = {make_paper(title_en=f"ab{n} study") for n in range(search.MAX_EXPANSION + 3)}
        assert found("ab study") == found("ab") == papers
        assert found("ab1") == {p for p in papers if p.title_en.startswith("ab1")}

    def test_a_word_stays_findable_by_its_start_after_its_paper_changes(self):
        paper = make_paper(title_en="Catalysis")
        assert found("cata") == {paper}
        paper.title_en = "Catalysts"
        paper.save()
        assert found("cata") == found("catalysts") == {paper}
        assert found("catalysi") == set()

    def test_punctuation_inside_a_word_joins_its_parts(self):
        paper = make_paper(title_en="Li–ion conductors")  # en dash
        make_paper(title_en="Li and ion conductors")
        assert found("Li-ion") == {paper}


# ---------------------------------------------------------------- ranking


class TestRanking:
    def test_papers_with_the_keyword_named_like_the_query_come_first_then_newest(self):
        keyword = make_keyword("elnes", "ELNES", "ELNES")
        old_tagged = make_paper(title_en="Basics of ELNES", year=2010)
        old_tagged.keywords.add(keyword)
        new_untagged = make_paper(title_en="ELNES of glass", year=2024, month=3)
        newer_untagged = make_paper(title_en="ELNES of oxides", year=2024, month=9)
        same_month = make_paper(title_en="ELNES of nitrides", year=2024, month=9)
        no_month = make_paper(title_en="ELNES without a month", year=2024)
        results = list(Publication.objects.search("elnes"))
        assert results == [old_tagged, same_month, newer_untagged, new_untagged, no_month]
        assert [p.keyword_match for p in results] == [True, False, False, False, False]

    def test_keyword_match_compares_either_name_normalised(self):
        keyword = make_keyword("lattice-defects", "格子欠陥", "Lattice defects")
        paper = make_paper(title_en="Vacancies", year=2000)
        paper.keywords.add(keyword)
        later = make_paper(title_en="Lattice defects everywhere", year=2020)
        for q in ["格子欠陥", "ｌａｔｔｉｃｅ　ＤＥＦＥＣＴＳ", '"Lattice  defects"']:
            results = list(Publication.objects.search(q))
            assert results[0] == paper and results[0].keyword_match, q
        assert [p.keyword_match for p in Publication.objects.search("lattice defects")] == [
            True,
            False,
        ]
        assert later in found("lattice defects")

    def test_part_of_a_keyword_name_is_not_a_keyword_match(self):
        keyword = make_keyword("lattice-defects", "格子欠陥", "Lattice defects")
        paper = make_paper(title_en="Vacancies")
        paper.keywords.add(keyword)
        assert [p.keyword_match for p in Publication.objects.search("欠陥")] == [False]

    def test_the_keywords_named_by_a_query(self):
        keyword = make_keyword("machine-learning", "機械学習", "Machine learning")
        make_keyword("machine-learning-potentials", "機械学習ポテンシャル", "ML potentials")
        assert list(Keyword.objects.matching("ＭＡＣＨＩＮＥ learning")) == [keyword]
        assert list(Keyword.objects.matching("機械学習")) == [keyword]
        assert list(Keyword.objects.matching("機械")) == []
        assert list(Keyword.objects.matching("  ")) == []


# ---------------------------------------------------------------- composing


class TestComposition:
    def test_composes_with_published_filters_and_count(self):
        recent = make_paper(title_en="ELNES now", year=2023)
        make_paper(title_en="ELNES then", year=2015)
        make_paper(title_en="ELNES hidden", year=2023, is_published=False)
        results = Publication.objects.published().search("elnes").filter(year__gte=2020)
        assert list(results) == [recent]
        assert results.count() == 1

    def test_paginates(self):
        papers = [make_paper(title_en=f"ELNES part {n}", year=2000 + n) for n in range(25)]
        page = Paginator(Publication.objects.search("elnes"), 10).page(3)
        assert page.paginator.count == 25
        assert list(page.object_list) == papers[4::-1]

    def test_with_authors_loads_a_page_in_two_queries(self, django_assert_num_queries):
        for n in range(5):
            paper = make_paper(title_en=f"ELNES {n}")
            paper.set_authors(["T. Mizoguchi", f"A. Author{n}"])
        # The search, then the authors (with their people) of every result at once;
        # PostgreSQL first reads the words that `elnes` starts (search.expand_prefixes).
        with django_assert_num_queries(2 + VOCABULARY_QUERIES + EXPANSION_QUERIES):
            results = list(Publication.objects.search("elnes").with_authors())
            names = [a.person.family_name_en for p in results for a in p.ordered_authorships]
        assert names.count("Mizoguchi") == 5

    def test_the_search_itself_is_one_query(self, django_assert_num_queries):
        make_keyword("elnes", "ELNES", "ELNES")
        make_paper(title_en="ELNES")
        # and the other forms of `calculation` (calculations, calculated, …): one query.
        with django_assert_num_queries(1 + VOCABULARY_QUERIES + 1 + EXPANSION_QUERIES):
            assert len(list(Publication.objects.published().search("elnes calculation"))) == 0

    def test_a_paper_matching_in_many_places_appears_once(self):
        a = make_keyword("a", "ELNES理論", "ELNES theory")
        b = make_keyword("b", "ELNES計算", "ELNES calculations")
        paper = make_paper(title_en="ELNES", abstract_en="ELNES")
        paper.keywords.add(a, b)
        assert list(Publication.objects.search("elnes")) == [paper]
        tagged = Publication.objects.filter(keywords__in=[a, b]).distinct()
        assert list(tagged.search("elnes")) == [paper]

    def test_searching_twice_narrows(self):
        both = make_paper(title_en="ELNES and XANES")
        make_paper(title_en="ELNES only")
        assert list(Publication.objects.search("elnes").search("xanes")) == [both]

    def test_a_blank_query_returns_the_queryset_unchanged(self):
        papers = [make_paper(title_en="A"), make_paper(title_en="B")]
        queryset = Publication.objects.published()
        for q in ["", "   ", "　", None, "%", "_", '""', "'; --", "!?・、。"]:
            assert search.SearchQuery.parse(q).is_blank, q
            assert queryset.search(q) is queryset
        assert set(queryset.search("%")) == set(papers)


# ---------------------------------------------------------------- freshness


class TestIndexFreshness:
    def test_a_new_paper_and_an_edited_one(self):
        paper = make_paper(title_en="ELNES of oxides")
        assert found("oxides") == {paper}
        paper.title_en = "ELNES of nitrides"
        paper.abstract_ja = "窒化物"
        paper.save()
        assert found("oxides") == set()
        assert found("nitrides") == found("窒化物") == {paper}

    def test_set_authors_replaces_the_authors(self):
        paper = make_paper(title_en="A")
        paper.set_authors(["K. Shibata", "T. Mizoguchi"])
        assert found("Shibata") == {paper}
        paper.set_authors(["S. Kiyohara"])
        assert found("Shibata") == set()
        assert found("Kiyohara") == {paper}

    def test_authorships_added_removed_and_reordered(self):
        paper = make_paper(title_en="A")
        first = Person.objects.create(family_name_en="Shibata", given_name_en="Kiyou")
        second = Person.objects.create(family_name_en="Miyata", given_name_en="Tomohiro")
        a = Authorship.objects.create(publication=paper, person=first, position=1)
        b = Authorship.objects.create(publication=paper, person=second, position=2)
        assert found("Shibata") == found("Miyata") == {paper}
        a.position, b.position = 3, 1
        a.save()
        b.save()
        assert found("Shibata") == found("Miyata") == {paper}
        a.delete()
        assert found("Shibata") == set()
        assert found("Miyata") == {paper}

    def test_an_authorship_moved_to_another_paper(self):
        old, new = make_paper(title_en="Old"), make_paper(title_en="New")
        person = Person.objects.create(family_name_en="Ikeno", given_name_en="Hidekazu")
        authorship = Authorship.objects.create(publication=old, person=person, position=1)
        authorship.publication = new
        authorship.save()
        assert found("Ikeno") == {new}

    def test_a_person_renamed(self):
        paper = make_paper(title_en="A")
        paper.set_authors(["K. Shibata"])
        person = Person.objects.get(family_name_en="Shibata")
        person.given_name_en, person.family_name_ja, person.given_name_ja = "Kiyou", "柴田", "基洋"
        person.save()
        assert found("Kiyou") == found("柴田") == found("柴田基洋") == {paper}

    def test_name_variants_added_moved_and_removed(self):
        paper = make_paper(title_en="A")
        paper.set_authors(["T. Mizoguchi"])
        other = Person.objects.create(family_name_en="Somebody", given_name_en="Else")
        mizoguchi = Person.objects.get(family_name_en="Mizoguchi")
        variant = NameVariant.objects.create(person=mizoguchi, name="Mizoguchi Teruyasu")
        assert found("Teruyasu") == {paper}
        variant.person = other
        variant.save()
        assert found("Teruyasu") == set()
        variant.person = mizoguchi
        variant.save()
        assert found("Teruyasu") == {paper}
        variant.delete()
        assert found("Teruyasu") == set()

    def test_a_keyword_renamed(self):
        keyword = make_keyword("elnes", "電子線エネルギー損失", "ELNES")
        paper = make_paper(title_en="A")
        paper.keywords.add(keyword)
        keyword.name_ja, keyword.name_en = "内殻分光", "Core-level spectroscopy"
        keyword.save()
        assert found("elnes") == found("エネルギー") == set()
        assert found("内殻") == found("core-level") == {paper}
        assert next(iter(Publication.objects.search("内殻分光"))).keyword_match

    def test_a_keyword_rename_takes_the_same_queries_for_3_or_30_papers(
        self, django_assert_num_queries
    ):
        for size in (3, 30):
            keyword = make_keyword(f"k{size}", f"旧名{size}", f"Old {size}")
            for n in range(size):
                make_paper(title_en=f"Paper {n}").keywords.add(keyword)
            keyword.name_en = f"New {size}"
            # snapshot, update, papers of the keyword, 4 reads and 4 bulk writes (the
            # documents, the words, the search entries, their word pairs)
            with django_assert_num_queries(11):
                keyword.save()
            assert len(found(f'"new {size}"')) == size

    def test_keywords_added_removed_and_cleared_on_a_paper(self):
        keyword = make_keyword("elnes", "ELNES", "ELNES")
        paper = make_paper(title_en="A")
        paper.keywords.add(keyword)
        assert found("elnes") == {paper}
        paper.keywords.remove(keyword)
        assert found("elnes") == set()
        paper.keywords.set([keyword])
        assert found("elnes") == {paper}
        paper.keywords.clear()
        assert found("elnes") == set()

    def test_papers_added_removed_and_cleared_on_a_keyword(self):
        keyword = make_keyword("elnes", "ELNES", "ELNES")
        a, b = make_paper(title_en="A"), make_paper(title_en="B")
        keyword.publications.add(a, b)
        assert found("elnes") == {a, b}
        keyword.publications.remove(a)
        assert found("elnes") == {b}
        keyword.publications.clear()
        assert found("elnes") == set()

    def test_a_keyword_deleted(self):
        keyword = make_keyword("elnes", "ELNES", "ELNES")
        paper = make_paper(title_en="A")
        paper.keywords.add(keyword)
        keyword.delete()
        assert found("elnes") == set()

    def test_deleting_papers_leaves_the_others_found(self):
        keep = make_paper(title_en="ELNES kept")
        gone = make_paper(title_en="ELNES gone")
        gone.set_authors(["T. Mizoguchi", "K. Shibata"])
        Publication.objects.filter(pk=gone.pk).delete()
        assert found("elnes") == {keep}

    def test_a_huge_abstract_is_indexed_up_to_a_limit_without_failing(self):
        abstract = "格子欠陥" + "".join(chr(0x4E00 + n % 20000) for n in range(200_000)) + "末尾"
        paper = make_paper(title_en="Huge", abstract_ja=abstract)
        assert found("格子欠陥") == {paper}
        assert found("末尾") == set()


class TestRebuildCommand:
    def test_rebuild_repairs_an_index_changed_behind_djangos_back(self):
        keyword = make_keyword("elnes", "ELNES", "ELNES")
        paper = make_paper(title_en="Theoretical ELNES")
        paper.keywords.add(keyword)
        Publication.objects.update(search_text="", search_tokens="")
        SearchEntry.objects.all().delete()
        Keyword.objects.update(name_key_ja="", name_key_en="")
        assert found("theoretical") == set()
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        assert out.getvalue().strip() == (
            "Search index rebuilt: 1 publications checked, 1 updated; "
            "1 keywords checked, 1 updated."
        )
        assert [(p, p.keyword_match) for p in Publication.objects.search("ELNES")] == [
            (paper, True)
        ]

    def test_rebuild_rewrites_the_entry_of_a_document_whose_lexemes_changed(self):
        """What migration 0006 relies on: lexemes an older version did not store (the
        word pairs) are written, though the entry's text is unchanged."""
        paper = make_paper(title_en="Lattice defects")
        SearchPairs.objects.all().delete()  # as before 0006: no pairs anywhere
        Publication.objects.update(search_tokens="defects lattice")
        call_command("rebuild_search_index", stdout=StringIO())
        assert found('"lattice defects"') == {paper}
        assert found('"defects lattice"') == set()

    def test_rebuild_restores_the_words_a_prefix_is_expanded_to(self):
        paper = make_paper(title_en="Machine learning")
        SearchWord.objects.filter(word="machine").delete()  # lost behind Django's back
        other = make_paper(title_en="Machinery")  # while `mach` still starts a word
        call_command("rebuild_search_index", stdout=StringIO())
        assert found("mach") == {paper, other}

    def test_a_second_rebuild_changes_nothing(self):
        make_paper(title_en="Theoretical ELNES")
        call_command("rebuild_search_index", stdout=StringIO())
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        assert "1 publications checked, 0 updated; 0 keywords checked, 0 updated" in out.getvalue()


# ---------------------------------------------------------------- the lab's content


class TestLabContent:
    def papers(self, **filters):
        return set(Publication.objects.filter(**filters))

    def test_japanese_keyword_part_finds_the_lattice_defect_papers(self, lab_content):
        defects = self.papers(keywords__slug="lattice-defects")
        assert len(defects) == 9
        assert found("欠陥") == found("格子欠陥") == defects

    def test_elnes_in_any_width_or_case(self, lab_content):
        elnes = found("ELNES")
        assert elnes == found("ｅｌｎｅｓ") == found("Elnes")
        assert self.papers(keywords__slug="elnes") <= elnes
        assert self.papers(title_en__startswith="Data-Driven ELNES/XANES") <= elnes
        ranked = list(Publication.objects.search("ELNES"))
        assert all(p.keyword_match for p in ranked[: len(self.papers(keywords__slug="elnes"))])

    def test_mizoguchi_in_either_script_finds_all_32_papers(self, lab_content):
        assert len(found("Mizoguchi")) == 32
        assert found("溝口") == found("Mizoguchi") == found("T. Mizoguchi") == found("溝口照康")

    def test_both_spellings_of_chen_find_both_of_his_papers(self, lab_content):
        chen = self.papers(authorships__person__family_name_en="Chen")
        assert {p.title_en.split()[0] for p in chen} == {"Prediction", "High"}
        assert found("PY. Chen") == found("P. Y. Chen") == chen

    def test_a_doi_finds_its_paper(self, lab_content):
        assert found("10.1093/jmicro/dfaf038") == self.papers(doi="10.1093/jmicro/dfaf038")
        assert len(found("10.1093/jmicro/dfaf038")) == 1

    def test_loading_twice_keeps_the_index_as_it_was(self, lab_content):
        before = dict(Publication.objects.values_list("pk", "search_text"))
        from research.content.loader import load_lab_content

        load_lab_content()
        assert dict(Publication.objects.values_list("pk", "search_text")) == before
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        keywords = Keyword.objects.count()  # the seed's 42 and the vocabulary's terms
        assert f"32 publications checked, 0 updated; {keywords} keywords checked, 0 updated" in (
            out.getvalue()
        )


# ---------------------------------------------------------------- hostile input

HOSTILE = [
    "x" * 10_000,
    "ELNES " * 5_000,
    "%",
    "%%",
    "_",
    "\\",
    "\\%",
    "'",
    '"',
    '"unclosed',
    "'; DROP TABLE publications_publication; --",
    "1' OR '1'='1",
    "<script>alert(1)</script>",
    "EL\x00NES",
    "\x00",
    "\ud800",
    "'&|!():*<->",
    "\u3000\u3000",
    "🧪 ELNES",
    "a" * 300,
]


class TestHostileQueries:
    @pytest.fixture(autouse=True)
    def papers(self):
        self.elnes = make_paper(title_en="Theoretical ELNES", doi="10.1093/jmicro/dfaf038")
        self.other = make_paper(title_en="Other: 50 percent of abc")

    @pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
    def test_never_raises(self, q):
        results = Publication.objects.published().search(q)
        assert len(list(results)) == results.count() <= 2
        assert Publication.objects.count() == 2

    def test_a_very_long_query_uses_its_first_200_characters(self):
        assert found("ELNES " + "%" * 10_000) == {self.elnes}
        assert found("%" * 200 + " ELNES") == {self.elnes, self.other}  # blank: everything

    def test_only_the_first_ten_words_count(self):
        words = "theoretical elnes 10 1093 jmicro dfaf038 theo elne the el"
        assert found(words) == {self.elnes}
        assert found(f"{words} nowhere") == {self.elnes}
        assert found(f"nowhere {words}") == set()

    def test_like_wildcards_are_literal(self):
        assert found("5%t") == set()
        assert found("a_c") == set()
        assert found("50 percent") == {self.other}

    def test_nul_characters_are_removed(self):
        assert found("EL\x00NES") == {self.elnes}

    def test_sql_is_just_words(self):
        assert found("'; DROP TABLE publications_publication; --") == set()
        assert found("Theoretical' OR '1'='1") == set()
        assert Publication.objects.count() == 2

    def test_query_syntax_of_the_database_is_just_punctuation(self):
        assert found("elnes:* | !theoretical") == {self.elnes}
        assert found("elnes & (theoretical)") == {self.elnes}


def test_the_indexes_are_in_place_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the search entries are indexed on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            ["publications_searchentry"],
        )
        definitions = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = %s", [search.GIN_INDEX_NAME]
        )
        (old_index,) = cursor.fetchone()
    assert "USING gin (vector)" in definitions[search.ENTRY_INDEX_NAME]
    # Undated papers last, as the lists show them (migration 0014).
    assert "year DESC NULLS LAST, month DESC NULLS LAST" in definitions[search.NEWEST_INDEX_NAME]
    assert old_index == 0  # migration 0004 dropped the publications table's index
