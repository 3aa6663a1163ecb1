"""Search that understands the field (issue 17): the vocabulary, word forms, accents,
relevance ranking, the fallback to papers with some of the words, and highlighting.

Every test runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://… make test):
the two databases must return the same papers in the same order.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from publications import search
from publications.models import Keyword, Publication
from tests import factories

pytestmark = pytest.mark.django_db


def titles(q):
    return [p.title_en for p in Publication.objects.search(q)]


def found(q):
    return set(titles(q))


def page_titles(q, **kwargs):
    results = search.PublicationSearch(Publication.objects.all(), q, **kwargs)
    return [p.title_en for p in results[0:20]]


def term(name_en, name_ja, aliases_en="", aliases_ja="", slug=None):
    return Keyword.objects.create(
        name_en=name_en,
        name_ja=name_ja,
        aliases_en=aliases_en,
        aliases_ja=aliases_ja,
        slug=slug or name_en.lower().replace(" ", "-"),
    )


class TestWordForms:
    def test_plural_and_singular_find_each_other(self):
        factories.paper("Solid-state battery electrolytes")
        factories.paper("Cathodes of lithium batteries")
        both = {"Solid-state battery electrolytes", "Cathodes of lithium batteries"}
        assert found("batteries") == both
        assert found("battery") == both

    def test_irregular_plurals_of_the_field(self):
        factories.paper("ELNES spectrum of MgO")
        factories.paper("Core-loss spectra of oxides")
        factories.paper("Nuclei of precipitates")
        both = {"ELNES spectrum of MgO", "Core-loss spectra of oxides"}
        assert found("spectrum") == both
        assert found("spectra") == both
        assert found("nucleus") == {"Nuclei of precipitates"}

    def test_a_word_start_still_finds_every_word_it_starts(self):
        factories.paper("Spectroscopy of defects")
        factories.paper("Core-loss spectra of oxides")
        assert found("spectr") == {"Spectroscopy of defects", "Core-loss spectra of oxides"}

    def test_each_word_of_a_query_in_any_form(self):
        factories.paper("A neural network potential for silicon")
        factories.paper("Neural computing without networks")  # both words, not together
        factories.paper("Network analysis of grain boundaries")
        assert found("neural networks") == {
            "A neural network potential for silicon",
            "Neural computing without networks",
        }

    def test_inflections(self):
        factories.paper("Calculated phonon dispersion")
        assert found("calculations") == {"Calculated phonon dispersion"}

    def test_accents_fold_both_ways(self):
        factories.paper("Interfaces studied by M. Rühle")
        factories.paper("Lattice constant of 4 Ångström")
        factories.paper("Ruhle and TEM")
        assert found("Ruhle") == {"Interfaces studied by M. Rühle", "Ruhle and TEM"}
        assert found("Rühle") == found("Ruhle")
        assert found("angstrom") == {"Lattice constant of 4 Ångström"}

    def test_ligatures_fold(self):
        factories.paper("First-principles study of \ufb01ne structure")
        assert found("fine") == {"First-principles study of \ufb01ne structure"}

    def test_hyphen_and_space_are_the_same(self):
        factories.paper("First-principles calculation of MgO")
        factories.paper("A first principles study")
        both = {"First-principles calculation of MgO", "A first principles study"}
        assert found("first-principles") == both
        assert found("first principles") == both


class TestVocabulary:
    def test_an_abbreviation_finds_its_expansion_and_back(self):
        term(
            "Electron energy loss spectroscopy",
            "電子エネルギー損失分光",
            aliases_en="EELS\nelectron energy-loss spectroscopy",
        )
        factories.paper("EELS of grain boundaries")
        factories.paper("Interfaces by Electron Energy Loss Spectroscopy")
        factories.paper("Electron diffraction of energy materials")  # the words, not the term
        both = {"EELS of grain boundaries", "Interfaces by Electron Energy Loss Spectroscopy"}
        assert found("EELS") == both
        assert found("electron energy loss spectroscopy") == both
        assert found("電子エネルギー損失分光") == both

    def test_a_japanese_query_finds_english_papers_through_a_term(self):
        term("Interface", "界面", aliases_ja="界面構造")
        factories.paper("Atomic structure of a metal/oxide interface")
        factories.paper("Bulk phonons of MgO")
        factories.paper("粒界と界面の電子状態", title_ja="粒界と界面の電子状態")
        assert found("界面") == {
            "Atomic structure of a metal/oxide interface",
            "粒界と界面の電子状態",
        }

    def test_the_terms_inside_a_japanese_phrase(self):
        term("First-principles calculation", "第一原理計算", aliases_en="ab initio calculation")
        term("Grain boundary", "粒界")
        factories.paper("First-principles calculations of grain boundaries in alumina")
        factories.paper("Ab initio calculation of a twin grain boundary")
        factories.paper("First-principles calculation of surfaces")
        assert found("第一原理計算を用いた粒界") == {
            "First-principles calculations of grain boundaries in alumina",
            "Ab initio calculation of a twin grain boundary",
        }

    def test_the_longest_run_of_words_naming_a_term_wins(self):
        term("Loss", "損失")
        term("Electron energy loss spectroscopy", "電子エネルギー損失分光", aliases_en="EELS")
        factories.paper("EELS of oxides")
        assert found("electron energy loss spectroscopy") == {"EELS of oxides"}

    def test_a_term_in_another_form_is_still_named(self):
        term("Grain boundary", "粒界")
        factories.paper("粒界の構造", title_ja="粒界の構造")
        assert found("grain boundaries") == {"粒界の構造"}

    def test_a_quoted_phrase_is_matched_as_typed(self):
        term("Electron energy loss spectroscopy", "電子エネルギー損失分光", aliases_en="EELS")
        factories.paper("EELS of oxides")
        factories.paper("Electron energy loss spectroscopy of oxides")
        factories.paper("Cathodes of lithium batteries")
        assert found('"electron energy loss spectroscopy"') == {
            "Electron energy loss spectroscopy of oxides"
        }
        assert found('"battery"') == set()

    def test_a_term_finds_its_narrower_terms_but_not_the_other_way(self):
        eels = term("Electron energy loss spectroscopy", "電子エネルギー損失分光", "EELS")
        elnes = term("Energy loss near edge structure", "エネルギー損失吸収端微細構造", "ELNES")
        core = term("Core-loss spectroscopy", "内殻電子励起分光")
        elnes.broader.add(eels)
        eels.broader.add(core)
        factories.paper("ELNES of MgO grain boundaries")
        factories.paper("EELS mapping of dopants")
        factories.paper("Core-loss spectroscopy of oxides")
        assert found("EELS") == {"ELNES of MgO grain boundaries", "EELS mapping of dopants"}
        assert found("内殻電子励起分光") == {
            "ELNES of MgO grain boundaries",
            "EELS mapping of dopants",
            "Core-loss spectroscopy of oxides",
        }
        assert found("ELNES") == {"ELNES of MgO grain boundaries"}

    def test_a_cycle_of_broader_terms_ends(self):
        a = term("Alpha phase", "アルファ相")
        b = term("Beta phase", "ベータ相")
        a.broader.add(b)
        b.broader.add(a)
        factories.paper("Alpha phase growth")
        factories.paper("Beta phase growth")
        assert found("alpha phase") == {"Alpha phase growth", "Beta phase growth"}

    def test_a_latin_term_joined_to_japanese_is_two_terms(self):
        term("Scanning transmission electron microscopy", "走査透過電子顕微鏡法", "STEM")
        factories.paper("STEM of dislocations", abstract_ja="転位を観察した。")
        factories.paper("Scanning transmission electron microscopy of interfaces")
        assert found("STEM観察") == {"STEM of dislocations"}
        assert found("走査透過電子顕微鏡法") == {
            "STEM of dislocations",
            "Scanning transmission electron microscopy of interfaces",
        }

    def test_the_kind_of_paper_is_searchable_in_both_languages(self):
        factories.paper("Core-loss spectroscopy", type=Publication.Type.INVITED_REVIEW)
        factories.paper("Grain boundaries of MgO", type=Publication.Type.THESIS)
        factories.paper("Defects in ZnO")  # a journal article
        assert found("総説") == found("review") == {"Core-loss spectroscopy"}
        assert found("学位論文") == {"Grain boundaries of MgO"}
        assert found("article") == set()

    def test_a_japanese_query_naming_the_start_of_a_term(self):
        term("Core-level spectroscopy", "内殻励起分光", "core-loss spectroscopy")
        term("Electron microscopy", "電子顕微鏡")
        term("Electronic structure", "電子構造")
        term("Electron diffraction", "電子回折")
        term("Electron tomography", "電子線トモグラフィー")
        factories.paper("Core-loss spectroscopy of oxides")
        factories.paper("Electron microscopy of glass")
        factories.paper("Electronic structure of MgO")
        assert found("内殻励起") == {"Core-loss spectroscopy of oxides"}
        assert found("電子顕微") == {"Electron microscopy of glass"}
        # Too short to name a term: matched as typed (no paper says 電子 in Japanese).
        assert found("電子") == set()

    def test_a_keyword_without_papers_still_widens_search(self):
        term("Density functional theory", "密度汎関数理論", aliases_en="DFT")
        factories.paper("DFT study of vacancies")
        assert found("density functional theory") == {"DFT study of vacancies"}

    def test_the_keyword_heading_follows_an_alias(self):
        eels = term("Electron energy loss spectroscopy", "電子エネルギー損失分光", "EELS")
        factories.paper("Tagged paper", keywords=[eels], year=2001)
        factories.paper("EELS in the title", year=2020)
        results = list(Publication.objects.search("eels"))
        assert [p.title_en for p in results] == ["Tagged paper", "EELS in the title"]
        assert [p.keyword_match for p in results] == [True, False]
        assert list(Keyword.objects.matching("EELS")) == [eels]
        assert page_titles("eels") == ["Tagged paper", "EELS in the title"]

    def test_a_term_saved_in_the_admin_is_used_by_the_next_search(
        self, client, local_cache, django_capture_on_commit_callbacks
    ):
        factories.paper("Scanning transmission electron microscopy of dopants")
        assert client.get("/en/publications/", {"q": "STEM"}).context["result_count"] == 0
        admin = User.objects.create_superuser("admin", password="pw")
        client.force_login(admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:publications_keyword_add"),
                {
                    "name_en": "Scanning transmission electron microscopy",
                    "name_ja": "走査透過電子顕微鏡",
                    "aliases_en": "STEM",
                    "aliases_ja": "",
                    "slug": "stem",
                    "links_themes": "on",
                },
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        client.logout()
        response = client.get("/en/publications/", {"q": "STEM"})
        assert response.context["result_count"] == 1


class TestCountingAWidenedSearch:
    """The list counts a term's ways of matching (its spellings, its narrower terms',
    other word forms) part by part on PostgreSQL (search.matching_parts): a paper
    matching several ways is still one result, on both databases."""

    @pytest.fixture
    def eels(self):
        eels = term(
            "Electron energy loss spectroscopy",
            "電子エネルギー損失分光",
            aliases_en="EELS\nelectron energy-loss spectroscopy",
        )
        term(
            "Energy loss near edge structure", "エネルギー損失吸収端微細構造", "ELNES"
        ).broader.add(eels)
        term("Grain boundary", "粒界", aliases_en="GB")
        factories.paper("EELS and ELNES by electron energy loss spectroscopy", year=2001)
        factories.paper("EELS of grain boundaries", year=2002)
        factories.paper("ELNES of a grain boundary", year=2003)
        factories.paper("Electron energy loss spectroscopy of MgO", year=2004)
        factories.paper(
            "粒界の電子エネルギー損失分光", title_ja="粒界の電子エネルギー損失分光", year=2005
        )
        factories.paper("Grain boundary energy", year=2006)  # the words, not the term
        factories.paper("Electron diffraction", year=2007)

    def listed(self, q, cap=None):
        results = search.PublicationSearch(Publication.objects.all(), q, cap=cap)
        pages = search.SearchPaginator(results, 3)
        shown = [p.title_en for n in pages.page_range for p in pages.page(n)]
        return pages, shown

    @pytest.mark.parametrize("q", ["EELS", "EELS grain boundary", "grain boundary ELNES"])
    def test_each_paper_once_however_many_spellings_it_has(self, eels, q):
        pages, shown = self.listed(q)
        assert sorted(shown) == sorted(found(q)) and len(shown) == len(set(shown))
        assert pages.count == len(found(q)) and not pages.count_capped
        assert sum(n for _, n in pages.year_counts()) == pages.count

    def test_the_count_stops_at_the_cap_across_spellings(self, eels):
        # Five papers match EELS, each of the first three through another spelling.
        assert self.listed("EELS", cap=5)[0].count_capped is False
        pages, shown = self.listed("EELS", cap=4)
        assert (pages.count, pages.count_capped, pages.year_counts()) == (4, True, None)
        assert len(shown) == len(set(shown)) == 4

    def test_the_count_is_one_query(self, eels, django_assert_num_queries):
        query = search.SearchQuery.parse("EELS")  # the vocabulary, the words' other forms
        results = search.PublicationSearch(Publication.objects.all(), query)
        # PostgreSQL: the words its prefixes start, then the parts in one statement;
        # SQLite: the term as typed (5 papers would stop at a cap of 4), then all.
        with django_assert_num_queries(2):
            assert results.count() == 5

    def test_some_of_the_words_counts_each_paper_once(self, eels):
        pages, shown = self.listed("EELS zzzqx")
        assert pages.object_list.partial and pages.count == len(shown) == 5
        assert sorted(shown) == sorted(found("EELS"))


class TestRanking:
    def test_a_match_in_the_title_or_a_keyword_above_abstract_or_venue_only(self):
        boundary = term("Grain boundary", "粒界")
        factories.paper("In the abstract", abstract_en="Grain boundary energies", year=2024)
        factories.paper("Only the venue", venue="Grain Boundary Letters", year=2023)
        factories.paper("Grain boundary in the title", year=2001)
        factories.paper("Tagged, older", keywords=[boundary], year=1999)
        order = titles("grain boundary")
        assert order == [
            "Tagged, older",  # tagged with the keyword the query names: its own heading
            "Grain boundary in the title",
            "In the abstract",
            "Only the venue",
        ]
        assert page_titles("grain boundary") == order

    def test_typed_words_above_synonyms_and_other_forms(self):
        term("Electron energy loss spectroscopy", "電子エネルギー損失分光", aliases_en="EELS")
        factories.paper("Electron energy loss spectroscopy of MgO", year=2024)
        factories.paper("EELS of MgO", year=2001)
        factories.paper("Batteries and more", year=2024)
        factories.paper("A battery", year=2001)
        assert titles("eels") == ["EELS of MgO", "Electron energy loss spectroscopy of MgO"]
        assert titles("battery") == ["A battery", "Batteries and more"]

    def test_recency_breaks_ties(self):
        for year in (2003, 2021, 2012):
            factories.paper(f"Defects {year}", year=year)
        assert titles("defects") == ["Defects 2021", "Defects 2012", "Defects 2003"]

    def test_newest_first_on_request(self):
        factories.paper("Defects in the title", year=2001)
        factories.paper("Something else", abstract_en="about defects", year=2020)
        assert page_titles("defects") == ["Defects in the title", "Something else"]
        assert page_titles("defects", order="newest") == ["Something else", "Defects in the title"]


class TestSomeOfTheWords:
    def test_more_of_the_words_first_when_none_has_all(self):
        factories.paper("Grain boundary segregation", year=2001)
        factories.paper("Grain growth", year=2020)
        factories.paper("Unrelated", year=2020)
        results = search.PublicationSearch(Publication.objects.all(), "grain boundary zzzqx")
        assert [p.title_en for p in results[0:20]] == ["Grain boundary segregation", "Grain growth"]
        assert results.count() == 2 and results.missing_all == ["grain", "boundary", "zzzqx"]

    def test_papers_with_all_words_hide_the_others(self):
        factories.paper("Grain boundary segregation")
        factories.paper("Grain growth")
        results = search.PublicationSearch(Publication.objects.all(), "grain boundary")
        assert results.count() == 1 and results.missing_all == []

    @pytest.mark.parametrize(
        "lang, says",
        [
            ("en", "No paper has all of “grain”, “zzzqx”; showing papers with some of them."),
            ("ja", "“grain”, “zzzqx” のすべてを含む論文はありません。一部を含む論文を表示します。"),
        ],
    )
    def test_the_page_says_so_in_both_languages(self, client, lang, says):
        factories.paper("Grain growth")
        html = client.get(f"/{lang}/publications/", {"q": "grain zzzqx"}).content.decode()
        assert says in html
        assert "<mark>Grain</mark> growth" in html


class TestHighlighting:
    def test_matched_words_forms_and_synonyms_are_marked(self):
        term("Electron energy loss spectroscopy", "電子エネルギー損失分光", aliases_en="EELS")
        factories.paper("A battery")  # the forms of a word are those the papers use
        query = search.SearchQuery.parse("electron energy loss spectroscopy batteries")
        assert str(search.highlight("EELS of battery cathodes", query)) == (
            "<mark>EELS</mark> of <mark>battery</mark> cathodes"
        )

    def test_japanese_inside_a_run(self):
        query = search.SearchQuery.parse("欠陥")
        assert str(search.highlight("格子欠陥の計算", query)) == "格子<mark>欠陥</mark>の計算"

    def test_accents_keep_the_text_as_printed(self):
        query = search.SearchQuery.parse("ruhle")
        assert str(search.highlight("M. Rühle & co", query)) == "M. <mark>Rühle</mark> &amp; co"

    def test_hostile_titles_stay_text(self):
        query = search.SearchQuery.parse("script amp")
        marked = str(search.highlight("<script>alert(1)</script> &amp; AMP", query))
        assert "<script>" not in marked
        assert marked == (
            "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; "
            "&amp;<mark>amp</mark>; <mark>AMP</mark>"
        )

    def test_nothing_matched_is_none(self):
        assert search.highlight("Bulk MgO", search.SearchQuery.parse("defect")) is None

    def test_a_snippet_of_the_abstract_around_the_first_match(self):
        abstract = "Lorem ipsum dolor sit amet. " * 20 + "The ELNES of MgO. " + "Tail words. " * 20
        marked = str(search.snippet(abstract, search.SearchQuery.parse("elnes")))
        assert "<mark>ELNES</mark> of MgO" in marked
        assert marked.startswith("… ") and marked.endswith(" …")
        assert len(marked) < 300

    def test_the_list_marks_results_and_keeps_the_shared_fragment_clean(self, client, local_cache):
        paper = factories.paper(
            "<script>x</script> ELNES &amp; more", abstract_en="An ELNES study of oxides."
        )
        html = client.get("/en/publications/", {"q": "elnes"}).content.decode()
        assert "&lt;script&gt;x&lt;/script&gt; <mark>ELNES</mark> &amp;amp; more" in html
        assert "An <mark>ELNES</mark> study of oxides." in html
        assert "<script>x</script>" not in html
        # The same item in a list without a search: no mark from the cached fragment.
        html = client.get("/en/publications/").content.decode()
        assert "&lt;script&gt;x&lt;/script&gt; ELNES &amp;amp; more" in html
        assert "<mark>" not in html
        assert paper.get_absolute_url() in html


def test_the_list_links_to_newest_first_in_both_languages(client):
    factories.paper("Defects in the title", year=2001)
    factories.paper("Something else", abstract_en="about defects", year=2020)
    en = client.get("/en/publications/", {"q": "defects"})
    assert en.context["page_obj"].object_list[0].title_en == "Defects in the title"
    assert "?q=defects&amp;sort=newest" in en.content.decode()
    newest = client.get("/ja/publications/", {"q": "defects", "sort": "newest"})
    assert newest.context["page_obj"].object_list[0].title_en == "Something else"
    assert "新しい順" in newest.content.decode()
