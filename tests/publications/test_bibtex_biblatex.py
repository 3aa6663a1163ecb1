"""What BibTeX and biblatex accept, the import accepts: every entry type, dates, years,
crossref/xdata inheritance; what BibTeX only warns about is a warning, not an error."""

from pathlib import Path

import pytest
from django.utils import timezone, translation

from publications.bibtex import importer, mapping

REAL = Path(__file__).parent / "data" / "real"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here (tests/conftest.py restores Japanese after)."""
    translation.activate("en")


def records(text):
    return importer.records_from_text(text)


def record(text):
    [only] = records(text)
    return only


def one(entry_type="article", title="A title", year="2020", **fields):
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items())
    head = f"  title = {{{title}}},\n" if title is not None else ""
    head += f"  year = {{{year}}},\n" if year is not None else ""
    return record(f"@{entry_type}{{key,\n{head}{body}}}\n")


# --- entry types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_type", "stored"),
    [
        ("article", "article"),
        ("inproceedings", "conference"), ("conference", "conference"),
        ("book", "book"), ("mvbook", "book"), ("collection", "book"),
        ("mvcollection", "book"), ("reference", "book"), ("mvreference", "book"),
        ("proceedings", "book"), ("mvproceedings", "book"),
        ("inbook", "chapter"), ("incollection", "chapter"), ("inreference", "chapter"),
        ("phdthesis", "thesis"), ("mastersthesis", "thesis"), ("thesis", "thesis"),
        ("unpublished", "preprint"),
        ("misc", "other"), ("online", "other"), ("electronic", "other"), ("www", "other"),
        ("report", "other"), ("techreport", "other"), ("manual", "other"), ("booklet", "other"),
        ("patent", "other"), ("software", "other"), ("dataset", "other"), ("standard", "other"),
        ("artwork", "other"), ("audio", "other"), ("image", "other"), ("letter", "other"),
        ("movie", "other"), ("music", "other"), ("performance", "other"), ("video", "other"),
    ],
)  # fmt: skip
def test_every_standard_entry_type_is_imported_without_a_warning(entry_type, stored):
    result = one(entry_type.upper() if entry_type == "book" else entry_type)
    assert result["fields"]["type"] == stored
    assert result["warnings"] == []


@pytest.mark.parametrize(
    ("entry_type", "stored"),
    [
        ("periodical", "book"), ("suppperiodical", "article"), ("review", "article"),
        ("bookinbook", "chapter"), ("suppbook", "chapter"), ("suppcollection", "chapter"),
    ],
)  # fmt: skip
def test_a_type_with_only_a_near_counterpart_is_imported_with_a_note(entry_type, stored):
    result = one(entry_type)
    assert result["fields"]["type"] == stored
    assert result["warnings"] == [f"@{entry_type} has no exact counterpart: stored as “"
                                  f"{mapping.T(stored).label}”."]  # fmt: skip


def test_a_custom_type_is_other_with_a_warning():
    result = one("jurthesis")
    assert result["fields"]["type"] == "other"
    assert "@jurthesis is not a standard entry type" in result["warnings"][0]


def test_an_arxiv_entry_of_type_online_is_a_preprint():
    result = one("online", eprint="2101.00001", eprinttype="arxiv")
    assert (result["fields"]["type"], result["fields"]["arxiv_id"]) == ("preprint", "2101.00001")


def test_set_and_xdata_entries_are_not_papers_but_their_members_are():
    text = (
        "@set{set1, entryset = {a,b}}\n"
        "@xdata{pub, publisher = {Springer}, location = {Berlin}}\n"
        "@article{a, title = {First}, year = 2001, xdata = {pub}}\n"
        "@article{b, title = {Second}, year = 2002}\n"
        "@IEEEtranBSTCTL{IEEEexample:BSTcontrol, CTLuse_article_number = {yes}}\n"
    )
    result = records(text)
    assert [r["key"] for r in result] == ["a", "b"]
    assert result[0]["fields"]["venue"] == "Springer"


# --- titles --------------------------------------------------------------------------


def test_subtitle_and_titleaddon_are_part_of_the_title():
    assert one(title="Defects", subtitle="A primer")["fields"]["title_en"] == "Defects: A primer"
    assert one(title="Why?", subtitle="Because")["fields"]["title_en"] == "Why? Because"
    result = one(title="Defects", subtitle="A primer", titleaddon="With exercises")
    assert result["fields"]["title_en"] == "Defects: A primer. With exercises"
    assert one(title="格子欠陥", subtitle="入門")["fields"]["title_ja"] == "格子欠陥：入門"


def test_an_entry_without_a_title_takes_its_original_title_or_its_volume_with_a_note():
    result = one("book", title=None, origtitle="De architectura")
    assert result["fields"]["title_en"] == "De architectura"
    assert "origtitle" in result["warnings"][0]
    result = one("proceedings", title=None, eventtitle="EMC 2024")
    assert result["fields"]["title_en"] == "EMC 2024"
    assert "error" in one("article", title=None, journal="J. Test")


def test_biblatex_fields_map_to_the_paper():
    result = one(
        journaltitle="Ultramicroscopy", issue="3", pagetotal="12", pubstate="forthcoming",
        addendum="Erratum in vol. 5", note="Invited",
    )  # fmt: skip
    fields = result["fields"]
    assert (fields["venue"], fields["issue"], fields["numpages"]) == ("Ultramicroscopy", "3", 12)
    assert fields["status"] == "in-press"
    assert fields["note_en"] == "Invited. Erratum in vol. 5"
    assert one("inproceedings", eventtitle="EMC 2024")["fields"]["venue"] == "EMC 2024"


def test_a_publication_state_without_a_counterpart_is_a_warning():
    result = one(pubstate="submitted")
    assert result["fields"]["status"] == "published"
    assert "submitted" in result["warnings"][0]


# --- dates and years -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "year", "month", "day"),
    [
        ("2020", 2020, None, None), ("2020-05", 2020, 5, None), ("2020-05-17", 2020, 5, 17),
        ("2020-05-17T10:00:00Z", 2020, 5, 17), ("1983/1984", 1983, None, None),
        ("2001/..", 2001, None, None), ("../2001", 2001, None, None),
        ("1988~", 1988, None, None), ("1988?", 1988, None, None),
        ("2020-21", 2020, None, None),  # EDTF: spring 2020, not a month
        ("2020-05-17/2020-05-20", 2020, 5, 17),
    ],
)  # fmt: skip
def test_biblatex_dates(date, year, month, day):
    fields = one(year=None, date=date)["fields"]
    assert (fields["year"], fields.get("month"), fields.get("day")) == (year, month, day)


@pytest.mark.parametrize(
    ("value", "year", "noted"),
    [
        ("1990", 1990, False), ("1990b", 1990, False), ("1990B", 1990, False),
        ("1983–1984", 1983, True),
        ("1983--1984", 1983, True), ("1983-84", 1983, True), ("1983/84", 1983, True),
        ("昭和58", 1983, True), ("昭58", 1983, True), ("昭和58年", 1983, True),
        ("平成3", 1991, True), ("平成元年", 1989, True), ("令和2", 2020, True),
        ("大正10", 1921, True), ("明治45", 1912, True), ("昭61-4", 1986, True),
        ("S58", 1983, True), ("H3", 1991, True), ("１９９０", 1990, False),
        ("c. 1900", 1900, True), ("[1900]", 1900, True), ("1979, in part 1986", 1979, True),
        ("1600", 1600, False), ("2020-05", 2020, False), ("{\\noopsort{1986b}}1986", 1986, False),
    ],
)  # fmt: skip
def test_years_as_people_write_them(value, year, noted):
    result = one(year=value)
    assert result["fields"]["year"] == year
    assert bool(result["warnings"]) is noted


@pytest.mark.parametrize(
    "value",
    [
        "明治46",  # 明治 ended in its 45th year
        "S65",  # so did 昭和 in its 64th
        "s58",  # initials only in upper case
        "19XX",  # a past year nobody knows
    ],
)
def test_a_year_that_cannot_be_read_is_an_error(value):
    assert "cannot be read" in one(year=value)["error"]


def test_an_unreadable_year_with_a_date_takes_the_date():
    result = one(year="in press", date="2021-03")
    assert (result["fields"]["year"], result["fields"]["month"]) == (2021, 3)


@pytest.mark.parametrize(
    ("year", "pubstate", "status"),
    [
        ("in press", None, "in-press"),
        ("To appear", None, "in-press"),
        ("20xx", None, "published"),
        ("submitted for publication", None, "published"),
        (None, "forthcoming", "in-press"),
        (None, "inpress", "in-press"),
    ],
)
def test_a_paper_not_out_yet_gets_this_year_and_a_warning(year, pubstate, status):
    fields = {"pubstate": pubstate} if pubstate else {}
    result = one(year=year, **fields)
    assert "error" not in result
    assert result["fields"]["year"] == timezone.now().year
    assert result["fields"]["status"] == status
    assert any("Not published yet" in warning for warning in result["warnings"])


def test_years_before_1600_and_unreadable_years_are_errors():
    assert "between 1600 and 2100" in one(year="1599")["error"]
    assert "cannot be read" in one(year="someday")["error"]


@pytest.mark.parametrize("kind", ["article", "manual", "booklet", "misc", "unpublished", "patent"])
def test_an_entry_without_any_date_is_imported_undated_with_a_warning(kind):
    result = one(kind, year=None)
    assert "error" not in result
    assert "year" not in result["fields"]
    assert "No year: listed as undated." in result["warnings"]


def test_an_online_source_without_a_date_takes_the_year_it_was_visited():
    result = one("online", year=None, urldate="2019-04-01", url="https://example.org/")
    assert result["fields"]["year"] == 2019
    assert "urldate" in result["warnings"][0]


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("September/October", 9), ("December 5--9,", 12), ("10 January", 1), ("4月1日", 4),
        ("März", 3), ("Mai", 5), ("Okt.", 10), ("Dezember", 12), ("Juni", 6), ("Sept.", 9),
    ],
)  # fmt: skip
def test_months_in_ranges_dates_and_german(month, number):
    result = one(month=month)
    assert (result["fields"]["month"], result["warnings"]) == (number, [])


def test_an_unknown_month_is_not_a_warning_and_a_season_is():
    assert one(month="????")["warnings"] == []
    assert "Spring" in one(month="Spring")["warnings"][0]


# --- what BibTeX only warns about ----------------------------------------------------


def test_a_field_twice_keeps_the_first_value_with_a_warning():
    result = record("@article{k, title = {First}, year = 2020, title = {Second}, Year = 1999}")
    assert (result["fields"]["title_en"], result["fields"]["year"]) == ("First", 2020)
    assert result["warnings"] == [
        "The field “title” appears twice: the first value is kept.",
        "The field “Year” appears twice: the first value is kept.",
    ]


def test_a_url_field_with_two_urls_stores_the_first_and_warns():
    result = one(url="https://tug.org/a.pdf;\n  https://tug.org/b.html")
    assert result["fields"]["url"] == "https://tug.org/a.pdf;"[:-1]
    assert "2 URLs" in result["warnings"][0]
    assert "https://tug.org/b.html" in result["raw"]  # the source keeps them all


def test_a_url_in_a_url_macro_or_with_escapes_is_stored_as_a_url():
    assert one(url=r"\url{https://example.org/a_b}")["fields"]["url"] == ("https://example.org/a_b")
    assert one(url=r"https://example.org/a\_b")["fields"]["url"] == "https://example.org/a_b"
    assert one("misc", howpublished=r"\url{https://example.org/x}")["fields"]["url"] == (
        "https://example.org/x"
    )


def test_an_invalid_url_doi_or_arxiv_id_is_left_out_with_a_warning():
    result = one(url="file:///home/me/paper.pdf", doi="not-a-doi", arxiv="nonsense")
    assert result["fields"]["title_en"] == "A title"  # the entry is imported
    assert not {"url", "doi", "arxiv_id"} & set(result["fields"])
    assert len(result["warnings"]) == 3


def test_an_over_long_venue_is_shortened_with_a_warning():
    result = one(journal="J" * 400)
    assert len(result["fields"]["venue"]) == 300
    assert "shortened" in result["warnings"][0]


# --- crossref and xdata --------------------------------------------------------------


INHERITANCE = r"""
@mvbook{mv, title = {Collected Works}, author = {Knuth, Donald}, publisher = {AW}, year = 1990}
@book{vol, title = {Volume One}, crossref = {MV}, volume = {1}}
@inbook{chap, title = {Chapter One}, crossref = {vol}, pages = {1--10}}
@proceedings{proc, title = {Proceedings of EMC}, subtitle = {Short papers}, year = 2024,
  publisher = {Springer}, doi = {10.1000/proc}, editor = {Smith, J.}}
@inproceedings{talk, title = {Our talk}, author = {Mizoguchi, T.}, crossref = {proc},
  pages = {5--6}}
@periodical{jsah, title = {Journal of the SAH}, volume = {67}, year = 2008}
@article{art, title = {An article}, crossref = {jsah}, number = 2}
@xdata{springer, publisher = {Springer}, location = {Berlin}}
@xdata{series, xdata = {springer}, series = {LNCS}}
@book{xbook, title = {With xdata}, year = 2010, xdata = {series}}
@article{lost, title = {Orphan}, year = 2000, crossref = {nowhere}}
"""


@pytest.fixture(scope="module")
def inherited():
    translation.activate("en")
    return {r["key"]: r for r in records(INHERITANCE)}


def test_crossref_gives_booktitle_year_and_publisher_but_not_the_parents_doi(inherited):
    talk = inherited["talk"]["fields"]
    assert (talk["venue"], talk["year"], talk["title_en"]) == (
        "Proceedings of EMC",
        2024,
        "Our talk",
    )
    assert "doi" not in talk  # the proceedings' DOI is not the talk's
    assert inherited["proc"]["fields"]["doi"] == "10.1000/proc"  # the parent is imported too


def test_crossref_chains_follow_biblatex_title_rules(inherited):
    assert inherited["vol"]["fields"]["year"] == 1990  # via mvbook, keys case-insensitive
    assert inherited["vol"]["fields"]["venue"] == "Collected Works"  # maintitle
    chap = inherited["chap"]
    assert (chap["fields"]["venue"], chap["fields"]["year"]) == ("Volume One", 1990)
    assert chap["authors"] == [["Knuth, Donald", "Knuth", "Donald"]]
    art = inherited["art"]["fields"]
    assert (art["venue"], art["volume"], art["year"]) == ("Journal of the SAH", "67", 2008)


def test_xdata_is_inherited_even_through_other_xdata(inherited):
    assert inherited["xbook"]["fields"]["venue"] == "Springer"
    assert "springer" not in inherited and "series" not in inherited


def test_a_missing_crossref_is_a_warning(inherited):
    assert "“nowhere” (crossref) is not in this file" in inherited["lost"]["warnings"][0]


def test_a_crossref_cycle_is_a_warning_not_a_hang():
    result = records(
        "@book{a, title = {A}, crossref = {b}}\n@book{b, title = {B}, crossref = {a}, year = 2000}"
    )
    assert any("cycle" in w for r in result for w in r.get("warnings", []))


# --- real files ----------------------------------------------------------------------


def test_every_entry_of_biblatexs_own_examples_is_read():
    """biblatex-examples.bib (TeX Live): every type, crossref, xdata, @set, dates."""
    result = records((REAL / "biblatex-examples.bib").read_text("utf-8"))
    assert len(result) == 90  # 92 entries less a @set and an @xdata
    assert [r for r in result if "error" in r] == []


# --- the preview ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_shows_the_notes_and_imports_the_rows(editor_client):
    from django.urls import reverse

    from publications.models import ImportBatch, Publication

    client = editor_client
    text = (
        "@periodical{issue, title = {Special issue on ELNES}, year = {昭和58}}\n"
        "@article{twice, title = {First}, title = {Second}, date = {2020-05-17},"
        " url = {https://a.org/x https://b.org/y}, doi = {https://doi.org/10.1234/ABC}}\n"
    )
    response = client.post(
        reverse("admin:publications_publication_import"), {"text": text},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    preview = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for note in [
        "@periodical has no exact counterpart",
        "(昭和) is stored as 1983",
        "The field “title” appears twice",
        "The url field holds 2 URLs",
    ]:
        assert note in preview
    importer.confirm(ImportBatch.objects.get())
    issue, twice = Publication.objects.order_by("year")
    assert (issue.type, issue.year) == ("book", 1983)
    assert (twice.title_en, twice.year, twice.month, twice.day) == ("First", 2020, 5, 17)
    assert (twice.url, twice.doi) == ("https://a.org/x", "10.1234/ABC")


def test_a_title_less_review_is_named_after_the_works_it_reviews():
    text = (
        "@book{sear, author = {Sear, Frank}, title = {Roman Theatres}, year = {2006}}\n"
        "@review{taylor, author = {Taylor, Rabun}, journaltitle = {JSAH}, year = {2008},"
        " related = {Sear}, relatedtype = {reviewof}}\n"
    )
    review = records(text)[1]
    assert review["fields"]["title_en"] == "Review of Roman Theatres"
    assert any("reviews" in warning for warning in review["warnings"])


def test_a_misc_with_only_a_note_is_named_by_its_note():
    result = one("misc", title=None, note="Volume 2 is listed under Knuth")
    assert result["fields"]["title_en"] == "Volume 2 is listed under Knuth"
    assert any("note" in warning for warning in result["warnings"])
