"""The staff's achievement list (業績リスト) offers presentations, awards and patents beside
the papers: one page for a lab's whole yearly list (docs/achievement-lists.md)."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.achievements import factories as made

pytestmark = pytest.mark.django_db

URL = "/admin/publications/publication/achievement-list/"


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


@pytest.fixture
def people():
    mizoguchi = factories.person(
        "Mizoguchi", "Teruyasu", lab=True, family_name_ja="溝口", given_name_ja="照康"
    )
    tanaka = factories.person("Tanaka", "Hanako", lab=True)
    return mizoguchi, tanaka


@pytest.fixture
def talks(people):
    mizoguchi, tanaka = people
    made.presentation(
        [mizoguchi], title_en="Spectra of defects", meeting_en="MRS Fall Meeting",
        place_en="Boston, MA", date=datetime.date(2025, 12, 2),
    )  # fmt: skip
    made.presentation(
        [tanaka], title_en="Grain boundaries", meeting_en="ICEM",
        place_en="Kyoto", date=datetime.date(2026, 4, 10),
    )  # fmt: skip
    made.presentation(
        [mizoguchi], title_en="Hidden talk", meeting_en="Workshop",
        date=datetime.date(2025, 6, 1), is_published=False,
    )  # fmt: skip


def test_presentations_of_a_fiscal_year_and_a_member_in_apa(editor, talks, people):
    mizoguchi, _tanaka = people
    query = {"what": "presentations", "fiscal_year": 2025, "member": mizoguchi.slug}
    page = editor.get(URL, {**query, "style": "apa"}).content.decode()
    assert "Presentations: 1 entry" in page
    assert "Spectra of defects" in page
    assert "Grain boundaries" not in page  # fiscal year 2026
    assert "Hidden talk" not in page
    text = editor.get(URL, {**query, "style": "apa", "download": "txt"})
    assert text.content.decode() == (
        "1. Mizoguchi, T. (2025, December 2). Spectra of defects [Conference presentation]. "
        "MRS Fall Meeting, Boston, MA.\n"
    )
    assert text["Content-Disposition"] == 'attachment; filename="presentations-apa.txt"'
    hidden = editor.get(URL, {**query, "hidden": "1", "style": "acs", "download": "txt"})
    assert hidden.content.decode().splitlines() == [
        "1. Mizoguchi, T. Spectra of Defects. In MRS Fall Meeting, Boston, MA; 2025.",
        "2. Mizoguchi, T. Hidden Talk. In Workshop; 2025.",
    ]


def test_patents_by_year_range_as_excel(editor, people):
    mizoguchi, _tanaka = people
    made.patent([mizoguchi], title_en="Spectrometer", application_number="特願2024-054321",
                filed_on=datetime.date(2024, 6, 1))  # fmt: skip
    made.patent([mizoguchi], title_en="Old detector", filed_on=datetime.date(2019, 6, 1))
    response = editor.get(
        URL, {"what": "patents", "year_from": 2023, "year_to": 2025, "download": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Title of the invention", "Inventors")
    assert [row[0] for row in rows[1:]] == ["Spectrometer"]
    assert rows[1][4] == "特願2024-054321"


def test_awards_in_japanese_on_the_japanese_page(editor_client, people):
    mizoguchi, _tanaka = people
    made.award([mizoguchi], name_ja="日本顕微鏡学会論文賞", awarding_body_ja="日本顕微鏡学会",
               date=datetime.date(2025, 5, 20))  # fmt: skip
    page = editor_client.get(
        URL, {"what": "awards", "style": "ja"}, HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    assert "受賞: 1 件" in page
    assert "「日本顕微鏡学会論文賞」，日本顕微鏡学会，2025年5月20日．" in page


def test_an_unknown_kind_is_said_on_the_page_and_refuses_a_download(editor):
    page = editor.get(URL, {"what": "grants"}).content.decode()
    assert "Select a valid choice. grants is not one of the available choices." in page
    response = editor.get(URL, {"what": "grants", "download": "csv"})
    assert response.status_code == 400
    assert "List: Select a valid choice." in response.content.decode()


@pytest.mark.parametrize("count", [3, 12])
def test_the_page_and_a_download_of_presentations_read_a_constant_number_of_queries(
    editor, django_assert_num_queries, count
):
    people = [factories.person(lab=True), factories.person()]
    for n in range(count):
        made.presentation(people, date=datetime.date(2020 + n % 5, 6, 1))
    editor.get(URL)  # the session and the user, read once
    with django_assert_num_queries(10):  # with the lab's name in the admin header
        editor.get(URL, {"what": "presentations", "style": "apa", "year_from": 2020})
    with django_assert_num_queries(8):
        editor.get(URL, {"what": "presentations", "download": "xlsx", "year_from": 2020})


def test_a_long_list_is_refused_in_the_words_of_what_it_lists(editor_client, people, settings):
    """The refusals named "papers" whatever the list held: an editor downloading the
    year's talks was told there were too many papers."""
    mizoguchi, _tanaka = people
    for day in (1, 2, 3):
        made.presentation([mizoguchi], title_en=f"Talk {day}", date=datetime.date(2025, 6, day))
        made.patent([mizoguchi], title_en=f"Patent {day}", filed_on=datetime.date(2025, 6, day))
    settings.LABSITE_LIST_MAX_STYLED = 2
    en = editor_client.get(
        URL,
        {"what": "presentations", "style": "apa", "download": "docx"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert en.status_code == 400
    assert en.content.decode().startswith(
        "This list has 3 presentations: a list in the APA 7th edition style holds at most 2."
    )
    ja = editor_client.get(
        URL, {"what": "patents", "style": "acs", "download": "txt"}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert ja.content.decode().startswith("この一覧には 3 件の特許があります。")
    settings.LABSITE_EXPORT_MAX_PAPERS = 2
    xlsx = editor_client.get(
        URL, {"what": "presentations", "download": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert xlsx.content.decode().startswith("This list has 3 presentations: a download")
