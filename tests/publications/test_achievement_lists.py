"""Achievement lists (業績リスト): the admin page, its filters and its downloads, each
checked against output written by hand from the style's rules (docs/achievement-lists.md)."""

import csv
import io
import json
import subprocess

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from publications.bibtex import importer
from publications.models import Authorship, Person, Publication
from tests import factories
from tests.quality import JAVA, VNU_JAR

pytestmark = pytest.mark.django_db

URL = "/admin/publications/publication/achievement-list/"


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


def paper(authors, **fields):
    """A paper whose authors are (name as printed, is a lab member), in order."""
    fields.setdefault("year", 2025)
    publication = Publication.objects.create(**fields)
    for position, (printed, lab) in enumerate(authors, start=1):
        family, _, given = printed.rpartition(" ")[::-1] if " " in printed else (printed, "", "")
        person = Person.objects.filter(family_name_en=family, given_name_en=given).first()
        person = person or factories.person(family_en=family, given_en=given, lab=lab)
        Authorship.objects.create(
            publication=publication, person=person, position=position, as_printed=printed
        )
    return publication


MIZOGUCHI = ("T. Mizoguchi", True)


def download(client, fmt, **params):
    response = client.get(URL, {**params, "download": fmt})
    assert response.status_code == 200, response.content[:500]
    return response


# ---------------------------------------------------------------- the Japanese style

# 溝口's papers of fiscal year 2025 in the lab's content, by the rules of
# docs/achievement-lists.md: authors as printed, at most ten then 「他」; an English
# paper's title in “ ”, its journal plain; volume(issue), pages with an en dash, the
# year in parentheses, "(in press)"; an invited review is [招待]. Newest first (the
# content gives years only: then the one loaded last first).
MIZOGUCHI_FY2025_JA = """\
1. Min-Su Kim, Kyoungjun Lee, Ryo Ishikawa, Kyung Song, Naafis Ahnaf Shahed, Kitae Eom, \
Mark Rzchowski, Evgeny Y Tsymbal, Naoya Shibata, Teruyasu Mizoguchi, 他: “Charge \
Disproportionation at Twisted SrTiO3 Bilayer Interface Driven by Local Atomic Registry”, \
ACS Nano, 19, 39714–39724 (2025).
2. T. Mizoguchi: “Data-Driven ELNES/XANES Analysis: Predicting Spectra, Unveiling \
Structures, and Quantifying Properties”, Microscopy (2025) (in press).［招待］
3. T. Mizoguchi: “A Review of Simulation, Characterization, and Informatics in Inorganic \
Materials”, J. Ceram. Soc. Jpn, 133, 713–734 (2025).［招待］
4. P. Y. Chen, K. Shibata, T. Mizoguchi: “High Precision Machine Learning Force Field \
Development for BaTiO3 Phase Transitions, Amorphous, and Liquid Structures”, APL Machine \
Learning, 3, 036115 (2025).
5. I. Takahara, T. Mizoguchi, B. Liu: “Accelerated inorganic materials design with \
generative AI agents”, Cell Press Phys. Sci., 17, 103019 (2025).
"""


def test_mizoguchis_fiscal_year_2025_in_the_japanese_style_byte_for_byte(editor, lab_content):
    response = download(editor, "txt", fiscal_year=2025, member="teruyasu-mizoguchi", style="ja")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="achievements-ja.txt"' in response["Content-Disposition"]
    assert response.content == MIZOGUCHI_FY2025_JA.encode()


def test_a_japanese_paper_takes_japanese_brackets_punctuation_and_its_flags(editor):
    paper(
        [("溝口 照康", True), ("山田 太郎", False)],
        title_ja="第一原理計算による粒界構造の解析",
        venue="日本金属学会誌",
        volume="88",
        issue="4",
        pages="120-128",
        year=2024,
        peer_reviewed=True,
        invited=False,
        open_access=True,
    )
    paper(
        [("溝口 照康", True)],
        title_ja="材料科学入門",
        venue="東京大学出版会",
        type="book",
        year=2023,
    )
    text = download(editor, "txt", style="ja").content.decode()
    assert text == (
        "1. 溝口 照康，山田 太郎：「第一原理計算による粒界構造の解析」，『日本金属学会誌』，"
        "88(4)，120–128頁（2024）．［査読有］［OA］\n"
        "2. 溝口 照康：『材料科学入門』，東京大学出版会（2023）．\n"
    )


def test_more_than_ten_authors_end_with_ta_and_so_does_a_list_the_source_cut(editor):
    eleven = [(f"A. Author{n}", False) for n in range(1, 11)] + [MIZOGUCHI]
    paper(eleven, title_en="Eleven authors", venue="J. Test", volume="1", year=2021)
    paper([MIZOGUCHI], title_en="Cut", venue="J. Test", year=2020, authors_truncated=True)
    lines = download(editor, "txt", style="ja").content.decode().splitlines()
    names = ", ".join(f"A. Author{n}" for n in range(1, 11))
    assert lines == [
        f"1. {names}, 他: “Eleven authors”, J. Test, 1 (2021).",
        "2. T. Mizoguchi, 他: “Cut”, J. Test (2020).",
    ]


def test_lab_members_are_bold_and_underlined_on_the_page(editor, lab_content):
    page = editor.get(URL, {"fiscal_year": 2025, "member": "teruyasu-mizoguchi"})
    html = page.content.decode()
    assert "<strong><u>Teruyasu Mizoguchi</u></strong>" in html
    assert "<strong><u>P. Y. Chen</u></strong>" in html  # a lab member in the content too
    assert "<strong><u>B. Liu</u></strong>" not in html  # not a member
    assert html.count("<li>") >= 5


# ---------------------------------------------------------------- ACS and APA (CSL)


@pytest.fixture
def two_papers():
    paper(
        [("P. Y. Chen", True), ("K. Shibata", True), MIZOGUCHI],
        title_en="High Precision Machine Learning Force Field Development for BaTiO3 Phase"
        " Transitions, Amorphous, and Liquid Structures",
        venue="APL Machine Learning",
        volume="3",
        article_number="036115",
        year=2025,
        month=7,
    )
    paper(
        [MIZOGUCHI],
        title_en="A Review of Simulation, Characterization, and Informatics in Inorganic Materials",
        venue="J. Ceram. Soc. Jpn",
        volume="133",
        issue="10",
        pages="713-734",
        year=2025,
        month=5,
        doi="10.1234/test.2025",
    )


# ACS: Family, G.; … Title. Journal Year, Volume (Issue), pages (an article number in
# their place). DOI as a URL.
ACS = """\
1. Chen, P. Y.; Shibata, K.; Mizoguchi, T. High Precision Machine Learning Force Field \
Development for BaTiO3 Phase Transitions, Amorphous, and Liquid Structures. APL Machine \
Learning 2025, 3, 036115.
2. Mizoguchi, T. A Review of Simulation, Characterization, and Informatics in Inorganic \
Materials. J. Ceram. Soc. Jpn 2025, 133 (10), 713–734. https://doi.org/10.1234/test.2025.
"""
# APA 7: Family, G., … & Family, G. (Year). Title. Journal, Volume(Issue), pages or
# "Article n". https://doi.org/… without a final full stop.
APA = """\
1. Chen, P. Y., Shibata, K., & Mizoguchi, T. (2025). High Precision Machine Learning Force \
Field Development for BaTiO3 Phase Transitions, Amorphous, and Liquid Structures. APL \
Machine Learning, 3, Article 036115.
2. Mizoguchi, T. (2025). A Review of Simulation, Characterization, and Informatics in \
Inorganic Materials. J. Ceram. Soc. Jpn, 133(10), 713–734. https://doi.org/10.1234/test.2025
"""


@pytest.mark.parametrize(("style", "expected"), [("acs", ACS), ("apa", APA)])
def test_english_styles_as_their_rules_write_them(editor, two_papers, style, expected):
    assert download(editor, "txt", style=style).content.decode() == expected


def test_the_csl_styles_keep_italics_bold_and_member_marks_in_html(editor, two_papers):
    acs = editor.get(URL, {"style": "acs"}).content.decode()
    assert "<i>J. Ceram. Soc. Jpn</i> <b>2025</b>, <i>133</i> (10), 713–734." in acs
    assert "<strong><u>Mizoguchi, T.</u></strong>" in acs
    for name in ("Chen, P. Y.", "Shibata, K."):
        assert f"<strong><u>{name}</u></strong><span" in acs
    apa = editor.get(URL, {"style": "apa"}).content.decode()
    assert "<i>J. Ceram. Soc. Jpn</i>, <i>133</i>(10), 713–734." in apa
    assert "&amp; <strong><u>Mizoguchi, T.</u></strong><span" in apa


def test_word_document_numbers_the_entries_and_marks_members(editor, two_papers):
    response = download(editor, "docx", style="apa")
    assert 'filename="achievements-apa.docx"' in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    paragraphs = [p for p in document.paragraphs if p.style.name != "Heading 1"]
    assert [p.text for p in paragraphs] == [
        line.replace(". ", ".\t", 1) for line in APA.splitlines()
    ]
    members = [run.text for run in paragraphs[1].runs if run.bold and run.underline]
    assert members == ["Mizoguchi, T."]
    italic = [run.text for run in paragraphs[1].runs if run.italic]
    assert italic == ["J. Ceram. Soc. Jpn", "133"]


# ---------------------------------------------------------------- CSV and Excel

HEADERS = [
    "Title", "Authors", "Lab members", "Journal / venue", "Volume", "Issue", "Pages",
    "Article number", "Year", "Month", "Fiscal year", "Type", "Status", "Peer-reviewed",
    "Invited", "International co-authorship", "Open access", "Language", "DOI", "URL",
]  # fmt: skip


@pytest.fixture
def flagged():
    return paper(
        [MIZOGUCHI, ("B. Liu", False)],
        title_en='=HYPERLINK("http://evil")',
        venue="J. Test",
        volume="2",
        issue="3",
        pages="10-20",
        year=2026,
        month=2,
        peer_reviewed=True,
        invited=False,
        international_coauthorship=True,
        doi="10.1234/flag",
    )


def test_csv_has_a_bom_a_header_and_the_values_with_unknown_flags_empty(editor, flagged):
    response = download(editor, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1] == [
        "'=HYPERLINK(\"http://evil\")", "T. Mizoguchi, B. Liu", "T. Mizoguchi", "J. Test", "2",
        "3", "10–20", "", "2026", "2", "2025", "Journal article", "Published", "yes", "no",
        "yes", "", "English", "10.1234/flag", "https://doi.org/10.1234/flag",
    ]  # fmt: skip


def test_xlsx_reads_back_with_the_same_columns_and_values(editor, flagged):
    response = download(editor, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1] == [
        "=HYPERLINK(\"http://evil\")", "T. Mizoguchi, B. Liu", "T. Mizoguchi", "J. Test", "2",
        "3", "10–20", None, 2026, 2, 2025, "Journal article", "Published", "yes", "no", "yes",
        None, "English", "10.1234/flag", "https://doi.org/10.1234/flag",
    ]  # fmt: skip
    assert sheet["A2"].data_type == "s"  # text, not a formula
    assert sheet.freeze_panes == "A2"


def test_japanese_headers_and_values_in_japanese(editor_client, flagged):
    response = editor_client.get(URL, {"download": "csv"}, HTTP_ACCEPT_LANGUAGE="ja")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["タイトル", "著者", "研究室メンバー"]
    assert rows[0][13:18] == ["査読", "招待", "国際共著", "オープンアクセス", "言語"]
    assert rows[1][13:18] == ["有", "無", "有", "", "英語"]


# ---------------------------------------------------------------- filters


def titles(client, **params):
    rows = csv.reader(io.StringIO(download(client, "csv", **params).content.decode("utf-8-sig")))
    return sorted(row[0] for row in list(rows)[1:])


def test_fiscal_year_runs_from_april_to_march_and_a_bare_year_counts_in_its_own(editor):
    for year, month, title in [
        (2025, 3, "2025-03"),
        (2025, 4, "2025-04"),
        (2025, None, "2025"),
        (2026, 3, "2026-03"),
        (2026, 4, "2026-04"),
        (2024, None, "2024"),
    ]:
        paper([MIZOGUCHI], title_en=title, year=year, month=month)
    assert titles(editor, fiscal_year=2025) == ["2025", "2025-04", "2026-03"]
    assert titles(editor, fiscal_year=2024) == ["2024", "2025-03"]
    assert titles(editor, fiscal_year=2026) == ["2026-04"]


def test_a_year_range_includes_both_ends(editor):
    for year in (2019, 2020, 2021, 2022):
        paper([MIZOGUCHI], title_en=f"Y{year}", year=year)
    assert titles(editor, year_from=2020, year_to=2021) == ["Y2020", "Y2021"]
    assert titles(editor, year_from=2022) == ["Y2022"]
    assert titles(editor, year_to=2019) == ["Y2019"]


def test_member_type_flags_and_language_narrow_the_list(editor):
    other = ("K. Other", True)
    paper([MIZOGUCHI], title_en="Reviewed", peer_reviewed=True, type="review")
    paper([other], title_en="Not reviewed", peer_reviewed=False, invited=True)
    paper([other], title_ja="日本語の論文")
    mizoguchi = Person.objects.get(family_name_en="Mizoguchi")
    assert titles(editor, member=mizoguchi.slug) == ["Reviewed"]
    assert titles(editor, type="review") == ["Reviewed"]
    assert titles(editor, peer_reviewed="yes") == ["Reviewed"]
    assert titles(editor, peer_reviewed="no") == ["Not reviewed"]
    assert titles(editor, peer_reviewed="unknown") == ["日本語の論文"]
    assert titles(editor, invited="yes") == ["Not reviewed"]
    assert titles(editor, language="ja") == ["日本語の論文"]
    assert titles(editor, language="en") == ["Not reviewed", "Reviewed"]


def test_hidden_papers_only_when_asked(editor):
    paper([MIZOGUCHI], title_en="Shown")
    paper([MIZOGUCHI], title_en="Hidden", is_published=False)
    assert titles(editor) == ["Shown"]
    assert titles(editor, hidden="1") == ["Hidden", "Shown"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year_from": "2022", "year_to": "2020"}, "The first year comes after the last."),
        ({"fiscal_year": "abc"}, "Fiscal year: Enter a whole number."),
        ({"member": "nobody"}, "Lab member: Select a valid choice."),
        ({"style": "mla"}, "Citation style: Select a valid choice."),
    ],
)
def test_bad_filters_are_said_on_the_page_and_refuse_a_download(editor, params, message):
    page = editor.get(URL, params)
    assert page.status_code == 200
    assert message.split(": ")[-1] in page.content.decode()
    refused = editor.get(URL, {**params, "download": "csv"})
    assert refused.status_code == 400
    assert message in refused.content.decode()


def test_an_unknown_download_is_a_400_in_the_admins_language(editor_client):
    refused = editor_client.get(URL, {"download": "pdf"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert refused.status_code == 400
    assert "「pdf」" in refused.content.decode()


def test_a_list_past_the_export_limit_is_refused_with_a_message(editor, settings):
    settings.LABSITE_EXPORT_MAX_PAPERS = 1
    paper([MIZOGUCHI], title_en="One")
    paper([MIZOGUCHI], title_en="Two")
    refused = editor.get(URL, {"download": "xlsx"})
    assert refused.status_code == 400
    assert "This list has 2 papers" in refused.content.decode()


# ---------------------------------------------------------------- the page


def test_the_page_in_both_languages_and_reachable_from_the_admin_index(editor_client):
    for language, title, link in [
        ("en", "Achievement list", "Achievement list (業績リスト)"),
        ("ja", "業績リスト", "業績リスト"),
    ]:
        page = editor_client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f"<h1>{title}</h1>" in page
        index = editor_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language)
        assert f'<a href="{URL}">{link}</a>' in index.content.decode()


def test_visitors_and_staff_without_the_permission_cannot_open_it(client):
    from django.contrib.auth.models import User

    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(User.objects.create_user("intern", is_staff=True))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("count", [3, 12])
def test_the_page_and_a_download_read_a_constant_number_of_queries(
    editor, django_assert_num_queries, count
):
    people = [factories.person(lab=True), factories.person()]
    for n in range(count):
        factories.paper(year=2020 + n % 5, authors=people, keywords=[factories.keyword()])
    editor.get(URL)  # the session and the user, read once
    with django_assert_num_queries(11):  # with the lab's name in the admin header
        editor.get(URL, {"style": "apa", "year_from": 2020})
    with django_assert_num_queries(9):
        editor.get(URL, {"download": "xlsx", "year_from": 2020})


# ---------------------------------------------------------------- the fields


def test_language_is_guessed_from_the_titles_unless_an_editor_sets_it():
    assert factories.paper(title_en="English").language == "en"
    japanese = Publication.objects.create(title_ja="日本語", year=2020)
    assert japanese.language == "ja"
    both = Publication.objects.create(title_ja="日本語", title_en="Japanese", year=2020)
    assert both.language == "en"
    both.language = "ja"
    both.save()
    both.refresh_from_db()
    assert both.language == "ja"


def test_an_invited_review_is_invited_unless_an_editor_says_otherwise():
    assert factories.paper(type="invited-review").invited is True
    assert factories.paper(type="invited-review", invited=False).invited is False
    assert factories.paper(type="article").invited is None


def test_bibtex_import_reads_the_language_of_new_papers():
    text = (
        "@article{ja1, title={粒界の計算}, author={溝口, 照康}, journal={J}, year={2024},"
        " langid={english}}\n"
        "@article{ja2, title={Grain boundaries}, author={Mizoguchi, T.}, journal={J},"
        " year={2024}, language={Japanese}}\n"
        "@article{ja3, title={Guessed}, author={Mizoguchi, T.}, journal={J}, year={2024}}\n"
    )
    batch, _current = importer.start(text=text)
    importer.confirm(batch)
    languages = dict(Publication.objects.values_list("citation_key", "language"))
    assert languages == {"ja1": "en", "ja2": "ja", "ja3": "en"}


@pytest.mark.skipif(not (JAVA and VNU_JAR.exists()), reason="Java or vnu.jar missing")
def test_the_page_is_valid_html_in_both_languages(editor_client, lab_content, tmp_path):
    files = []
    for language in ("ja", "en"):
        for query in ({"fiscal_year": 2025, "style": "acs"}, {"fiscal_year": "abc"}):
            response = editor_client.get(URL, query, HTTP_ACCEPT_LANGUAGE=language)
            path = tmp_path / f"{language}-{len(files)}.html"
            path.write_bytes(response.content)
            files.append(str(path))
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [m for m in json.loads(result.stdout)["messages"] if m["type"] == "error"]
    assert not errors, [(m["url"][-9:], m["lastLine"], m["message"]) for m in errors]


def test_every_type_of_paper_formats_in_every_style_even_undated(editor):
    for kind in Publication.Type.values:
        paper(
            [MIZOGUCHI],
            title_en=f"A {kind}",
            venue="Venue",
            type=kind,
            year=None if kind == "other" else 2020,
            arxiv_id="2101.00001" if kind == "preprint" else "",
        )
    for style in ("ja", "acs", "apa"):
        text = download(editor, "txt", style=style).content.decode()
        lines = text.lower().splitlines()
        assert len(lines) == len(Publication.Type.values)
        for kind in Publication.Type.values:
            assert sum(f"a {kind}" in line for line in lines) == 1, (style, kind)


def test_a_label_is_printed_only_with_its_value(editor):
    """ACS labels a chapter's pages ("pp"); a chapter without pages has no stray "p"
    (CSL says a label needs its variable; citeproc-py needs telling)."""
    paper([MIZOGUCHI], title_en="With pages", venue="Book", type="chapter", pages="5-9")
    paper([MIZOGUCHI], title_en="Without pages", venue="Book", type="chapter", year=2019)
    assert download(editor, "txt", style="acs").content.decode() == (
        "1. Mizoguchi, T. With Pages. In Book; 2025; pp 5–9.\n"
        "2. Mizoguchi, T. Without Pages. In Book; 2019.\n"
    )


def test_a_long_list_in_a_csl_style_is_refused_but_not_in_excel_or_japanese(editor, settings):
    settings.LABSITE_LIST_MAX_STYLED = 2
    for n in range(3):
        paper([MIZOGUCHI], title_en=f"Paper {n}")
    refused = editor.get(URL, {"download": "docx", "style": "apa"})
    assert refused.status_code == 400
    assert "This list has 3 papers: a list in the APA 7th edition style holds at most 2." in (
        refused.content.decode()
    )
    assert download(editor, "txt", style="ja").content.count(b"\n") == 3
    assert download(editor, "xlsx").status_code == 200
