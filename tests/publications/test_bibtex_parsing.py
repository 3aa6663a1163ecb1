"""Parsing and mapping: LaTeX becomes Unicode without mangling math, URLs or names."""

from pathlib import Path

import pytest
from django.utils import translation

from publications.bibtex import importer, mapping, parsing
from publications.bibtex import latex as decoder

HARD_CASES = Path(__file__).parent / "data" / "hard_cases.bib"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here (tests/conftest.py restores Japanese after)."""
    translation.activate("en")


@pytest.fixture(scope="module")
def records():
    """The first record of each key (the file repeats one key on purpose)."""
    result = {}
    for record in importer.records_from_text(HARD_CASES.read_text("utf-8")):
        result.setdefault(record["key"], record)
    return result


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"o} \'{e} {\ss} {\aa} {\AA} \v{c} {\'\i}", "ö é ß å Å č í"),
        (r"Dvo\v{r}{\'a}k", "Dvořák"),
        (r"pages 1--8 and a---b", "pages 1–8 and a—b"),
        (r"$\mathrm{MoS}_2$ films", r"$\mathrm{MoS}_2$ films"),
        (r"{\TeX} and \LaTeX", "TeX and LaTeX"),
        (r"5\% and 5% and A \& B and A & B", "5% and 5% and A & B and A & B"),
        ("a~b\n   c", "a b c"),
        (r"\emph{in situ} {ELNES}", "in situ ELNES"),
        ("plain text", "plain text"),
    ],
)
def test_latex_to_unicode(latex, text):
    assert parsing.latex_to_unicode(latex) == text


def test_accents_math_and_en_dash_in_a_title(records):
    fields = records["mueller2020accents"]["fields"]
    assert fields["title_en"] == (
        "Electron energy-loss spectra of MoS$_2$ – a Grüneisen study of "
        r"$\mathrm{MoS}_2$ at 5% strain"
    )


def test_urls_and_dois_are_left_untouched(records):
    fields = records["mueller2020accents"]["fields"]
    assert fields["url"] == "https://example.org/papers/a%20b_c?x=1&y=2#frag"
    assert fields["doi"] == "10.1021/acs.jpclett.0c00001"


def test_names_keep_accents_and_brace_protection(records):
    authors = records["mueller2020accents"]["authors"]
    assert authors == [
        ["Müller, Jörg", "Müller", "Jörg"],
        ["Schön, Ulrike", "Schön", "Ulrike"],
        ["Émile Zíd", "Zíd", "Émile"],
        ["Straße, Hans", "Straße", "Hans"],
        ["Ångström, Anders", "Ångström", "Anders"],
        ["Dvořák, Antonín", "Dvořák", "Antonín"],
        ["The ABC Consortium", "The ABC Consortium", ""],
        ["van der Waals, J. D.", "van der Waals", "J. D."],
    ]


def test_kanji_names_stay_whole_in_both_orders(records):
    record = records["yamada2021kanji"]
    assert record["authors"] == [
        ["山田 太郎", "山田", "太郎"],
        ["溝口, 照康", "溝口", "照康"],
        ["佐藤 花子", "佐藤", "花子"],
    ]
    assert record["fields"]["title_ja"] == "格子欠陥インフォマティクスによる材料設計"
    assert "title_en" not in record["fields"]


def test_string_macros_concatenation_and_months(records):
    fields = records["svensson2019concat"]["fields"]
    assert fields["venue"] == "Proc. Int. Conf. on Microscopy 2019"
    assert fields["month"] == 12
    assert fields["title_en"] == "TeX and ELNES: a first look"
    assert records["mueller2020accents"]["fields"]["venue"] == "J. Phys. Chem. Lett."
    assert records["mueller2020accents"]["fields"]["month"] == 3
    assert records["shibata2022eid"]["fields"]["month"] == 7


def test_types_arxiv_status_and_article_numbers(records):
    assert records["chen2023arxiv"]["fields"]["arxiv_id"] == "2301.01234"
    assert records["chen2023arxiv"]["fields"]["type"] == "preprint"
    eprint = records["kiyohara2024eprint"]["fields"]
    assert (eprint["arxiv_id"], eprint["type"], eprint["status"]) == (
        "2402.05678",
        "preprint",
        "in-press",
    )
    assert (
        eprint["abstract_en"]
        == "We search $10^{6}$ structures; 95% fewer calculations than brute force."
    )
    shibata = records["shibata2022eid"]
    assert (shibata["fields"]["article_number"], shibata["fields"]["numpages"]) == ("123", 12)
    assert shibata["truncated"] is True
    assert records["takahara2025thesis"]["fields"]["type"] == "thesis"
    assert records["miyata2018chapter"]["fields"]["type"] == "chapter"
    assert records["miyata2018chapter"]["fields"]["pages"] == "55-80"


def test_problems_have_line_key_and_reason():
    text = HARD_CASES.read_text("utf-8")
    problems = [r for r in importer.records_from_text(text) if "error" in r]
    lines = text.splitlines()
    found = {(r["key"], r["error"].split(":")[0].split(" (")[0]) for r in problems}
    assert found == {
        (
            "mueller2020accents",
            "The key “mueller2020accents” is used by an earlier entry in this file.",
        ),
        ("badyear", "The year “someday” cannot be read"),
        ("notitle", "The entry has no title."),
        ("broken", "Syntax error"),
    }
    for record in problems:  # the line number points at the entry's "@"
        assert lines[record["line"] - 1].lstrip().startswith("@"), record
        assert record["key"] in lines[record["line"] - 1]


def test_the_entry_after_a_broken_one_is_read(records):
    assert records["afterbroken"]["fields"]["title_en"] == "Read after a broken entry"


def test_undefined_macro_is_kept_and_reported():
    [record] = importer.records_from_text("@article{k, title={T}, journal=jnl, year=2000}")
    assert record["fields"]["venue"] == "jnl"
    assert "jnl" in record["warnings"][0]


@pytest.mark.parametrize(
    ("value", "month"),
    [("3", 3), ("03", 3), ("March", 3), ("mar", 3), ("Mar.", 3), ("13", None), ("spring", None)],
)
def test_months(value, month):
    assert mapping.parse_month(value) == month


def test_explicit_language_fields_win():
    [record] = importer.records_from_text(
        "@article{k, title={Defects}, title_ja={欠陥}, year=2000}"
    )
    assert record["fields"]["title_en"] == "Defects"
    assert record["fields"]["title_ja"] == "欠陥"


@pytest.mark.parametrize(
    "latex",
    [
        r"M{\"u}ller", r"{\'E}mile Z{\'\i}d", r"Stra{\ss}e", r"Stra\ss e", r"{\AA}ngstr{\"o}m",
        r"Dvo\v{r}{\'a}k", r"P{\aa}l", r"\c{c}\H{o}\k{a}\={a}\.{z}\u{g}", "1--8",
        "a---b ``q'' x", "{ELNES} of {MoS}", r"{\o} {\O} {\l} {\ae}", r"\^o \`a \~n",
        r"G{\"u}nther--K{\"o}hler", r"\'{E}cole", "a-{}-b `{}`x'{}'",
        r"of $\mathrm{MoS}_2$", r"in Ti{O$_2$}", r"at 5\% strain", r"of Sr{T}i{O}$_3$",
        r"5% & 6", r"a \& b \_ c \# d \$ e", r"x $a$ -- $ b $ y", r"{$x$}", r"$a \% b$",
        r"$\alpha$--$\beta$", r"a \$ b $c$", r"{\"o}$x$ $\{x\}$", r"$x$\'e",
    ],
)  # fmt: skip
def test_the_fast_path_decodes_as_pylatexenc_does(latex):
    fast = decoder._simple_latex(latex)
    assert fast is not None
    assert decoder.clean_space(fast) == decoder.clean_space(decoder._full_latex(latex))


@pytest.mark.parametrize("latex", ["a$$x$$b", "$a", r"{a $b} c$", r"\emph{x} $y$", "a~$b$"])
def test_the_fast_path_leaves_display_math_stray_dollars_and_macros_to_pylatexenc(latex):
    assert decoder._simple_latex(latex) is None
    assert parsing.latex_to_unicode(latex) == decoder.clean_space(decoder._full_latex(latex))
