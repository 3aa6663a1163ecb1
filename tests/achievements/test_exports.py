"""Downloads of presentations, awards and patents: CSV, Excel and the Japanese style.

The expected lists are written by hand from the style's rules (docs/achievements.md).
"""

import datetime
import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.achievements import factories as made

pytestmark = pytest.mark.django_db

URL = "/ja/achievements/"


@pytest.fixture
def people():
    mizoguchi = factories.person(
        "Mizoguchi", "Teruyasu", lab=True, family_name_ja="溝口", given_name_ja="照康"
    )
    tanaka = factories.person("Tanaka", "Hanako", family_name_ja="田中", given_name_ja="花子")
    return mizoguchi, tanaka


def test_presentations_in_the_japanese_style(client, people):
    mizoguchi, tanaka = people
    made.presentation(
        [tanaka, mizoguchi], presenter=0, title_ja="スペクトルの機械学習",
        meeting_ja="日本顕微鏡学会第80回学術講演会", place_ja="幕張",
        date=datetime.date(2024, 6, 3), format="poster",
    )  # fmt: skip
    made.presentation(
        [mizoguchi], title_en="Machine learning of ELNES", meeting_en="M&M 2025",
        place_en="Portland", date=datetime.date(2025, 7, 28), is_invited=True,
    )  # fmt: skip
    response = client.get(URL + "?type=presentation&format=txt")
    assert response.status_code == 200
    assert response.content.decode() == (
        "1. Teruyasu Mizoguchi: “Machine learning of ELNES”, M&M 2025, Portland, "
        "Jul. 28, 2025.［招待］\n"
        "2. ○田中 花子，溝口 照康：「スペクトルの機械学習」，日本顕微鏡学会第80回学術講演会，"
        "幕張，2024年6月3日．［ポスター］\n"
    )


def test_awards_and_patents_in_the_japanese_style(client, people):
    mizoguchi, tanaka = people
    made.award(
        [mizoguchi], name_ja="日本顕微鏡学会賞", awarding_body_ja="日本顕微鏡学会",
        subject_ja="機械学習によるスペクトル解析", date=datetime.date(2025, 5, 20),
    )  # fmt: skip
    made.patent(
        [mizoguchi, tanaka], title_ja="スペクトル解析装置", applicant_ja="東京大学",
        application_number="特願2024-012345", filed_on=datetime.date(2024, 1, 10),
        registration_number="特許第7123456号", registered_on=datetime.date(2025, 2, 3),
    )  # fmt: skip
    awards = client.get(URL + "?type=award&format=txt").content.decode()
    assert awards == (
        "1. 溝口 照康：「日本顕微鏡学会賞」，日本顕微鏡学会，2025年5月20日．"
        "（対象：機械学習によるスペクトル解析）\n"
    )
    patents = client.get(URL + "?type=patent&format=txt").content.decode()
    assert patents == (
        "1. 溝口 照康，田中 花子：「スペクトル解析装置」，東京大学，"
        "特願2024-012345（2024年1月10日出願），特許第7123456号（2025年2月3日登録）．\n"
    )


def test_csv_and_excel_of_a_fiscal_year(client, people):
    mizoguchi, tanaka = people
    made.presentation(
        [mizoguchi, tanaka], title_ja="三月の発表", meeting_ja="春の学会",
        date=datetime.date(2025, 3, 18), is_invited=True,
    )  # fmt: skip
    made.presentation([tanaka], title_ja="四月の発表", date=datetime.date(2025, 4, 18))
    response = client.get(URL + "?type=presentation&fiscal_year=2024&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("題目,著者,発表者,研究室メンバー,学会名,場所,年月日,年度")
    # Only March 2025 is in fiscal year 2024 (April 2024 to March 2025).
    assert len(lines) == 2
    assert lines[1].startswith(
        '三月の発表,"溝口 照康, 田中 花子",溝口 照康,溝口 照康,春の学会,,2025-03-18,2024,口頭,'
    )
    book = load_workbook(io.BytesIO(client.get(URL + "?type=presentation&format=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "題目" and {row[0] for row in rows[1:]} == {"三月の発表", "四月の発表"}


def test_a_download_needs_one_type_and_a_known_format(client):
    assert client.get(URL + "?format=csv").status_code == 400
    assert client.get(URL + "?type=award&format=pdf").status_code == 400


def test_a_long_list_of_awards_is_refused_as_awards_not_papers(client, people, settings):
    settings.LABSITE_EXPORT_MAX_PAPERS = 1
    mizoguchi, _tanaka = people
    for day in (1, 2):
        made.award([mizoguchi], name_ja=f"賞{day}", date=datetime.date(2025, 5, day))
    refused = client.get(URL + "?type=award&format=csv")
    assert refused.status_code == 400
    assert "このリストには 2 件の受賞があります。" in refused.content.decode()
    english = client.get("/en/achievements/?type=award&format=csv").content.decode()
    assert english.startswith("This list has 2 awards: a download holds at most 1.")
