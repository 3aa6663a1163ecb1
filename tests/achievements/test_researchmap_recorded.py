"""researchmap's presentations, awards and patents as real researchers' pages give them.

The items are recorded answers of researchmap's public API (provenance in
tests/achievements/data/researchmap/PROVENANCE.md and
tests/publications/data/recorded/researchmap/PROVENANCE.md); only the list envelope
around them is built here. They show what hand-written payloads did not: English titles
in the "ja" field, people in one language only, initials, kanji names without a space,
dates to the month only, a presentation without `presentation_type`, patents with
applicants and a published application (特開) but no registration."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from achievements.models import Award, Patent, Presentation, ResearchmapImport
from publications.sources import researchmap
from tests.achievements import researchmap_payloads as rm

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "researchmap"
# h5's recordings of one researcher's lists (their PROVENANCE.md).
RECORDED = Path(__file__).parents[1] / "publications" / "data" / "recorded" / "researchmap"


def serve(sources, permalink, lists):
    for kind in rm.TYPES:
        sources.expect_request(
            f"/researchmap/{permalink}/{kind}",
            query_string={"limit": str(researchmap.PAGE_SIZE), "start": "1"},
        ).respond_with_json(rm.page(kind, lists.get(kind, [])))


def test_a_real_page_of_presentations_and_an_award(sources, capsys):
    presentations = json.loads((RECORDED / "takamikyo_presentations.json").read_text())
    awards = json.loads((RECORDED / "takamikyo_awards.json").read_text())
    serve(sources, "takamikyo", {"presentations": presentations, "awards": awards})
    call_command("import_researchmap", "takamikyo", "--kind", "presentations", "--kind", "awards")
    out = capsys.readouterr().out
    # Every one of them is imported: none lacks what a presentation needs.
    assert Presentation.objects.count() == len(presentations) == 15
    poster = Presentation.objects.get(citation_key="researchmap-50560960")
    # researchmap's "ja" field holds the English title: it goes to the English column.
    assert poster.title_ja is None and poster.title_en.startswith("Exploring Classroom Climate")
    assert (poster.format, poster.date) == ("poster", datetime.date(2025, 6, 1))
    assert "researchmap gives the month only (2025-06)" in out
    # No presentation_type: an oral presentation; invited as researchmap says.
    untyped = Presentation.objects.get(citation_key="researchmap-44169464")
    assert (untyped.format, untyped.is_invited) == ("oral", True)
    award = Award.objects.get()
    assert award.name_en.startswith("Honorable Mention Poster")
    assert award.awarding_body_en == "SOCIETY for LEARNING ANALYTICS RESEARCH (SOLAR)"
    assert award.subject_en.startswith("Toward Trustworthy Explainable Recommendation")
    assert award.date == datetime.date(2023, 3, 1)
    assert [c.as_printed for c in award.people()] == [
        "Kyosuke Takami",
        "Brendan Flanagan",
        "Yiling Dai",
        "Hiroaki Ogata",
    ]
    assert ResearchmapImport.objects.get().created_count == 16


def test_real_patents_and_presentations_with_kanji_names_and_initials(sources):
    sections = json.loads((DATA / "takuya_kawasaki_sections.json").read_text())
    serve(sources, "takuya_kawasaki", sections)
    call_command(
        "import_researchmap",
        "takuya_kawasaki",
        "--kind",
        "presentations",
        "--kind",
        "industrial_property_rights",
    )
    gyroscope = Patent.objects.get(application_number="特願2024-010746")
    assert gyroscope.title_ja.startswith("位相差測定方法")
    assert gyroscope.title_en.startswith("Phase difference measuring method")
    # Published (特開) but not registered; both applicants, in both languages.
    assert (gyroscope.status, gyroscope.filed_on, gyroscope.registered_on) == (
        "published",
        datetime.date(2024, 1, 29),
        None,
    )
    assert gyroscope.applicant_ja == "国立大学法人東京科学大学、日本航空電子工業株式会社"
    assert gyroscope.applicant_en == (
        "Institute of Science Tokyo; Japan Aviation Electronics Industry Ltd."
    )
    assert [c.as_printed for c in gyroscope.people()][:2] == ["川﨑拓也", "小田部荘達"]
    assert gyroscope.url == "https://patents.google.com/patent/US20250244128A1/en"
    assert Patent.objects.count() == 2
    # 川﨑拓也 is one person on both patents and the Japanese talk.
    sensor = Patent.objects.get(application_number="特願2023-126387")
    talk = Presentation.objects.get(citation_key="researchmap-54995049")
    assert sensor.people()[1].person == gyroscope.people()[0].person == talk.people()[0].person
    assert talk.date == datetime.date(2021, 9, 1)  # "2021-09"
    poster = Presentation.objects.get(citation_key="researchmap-54995041")
    assert (poster.format, poster.is_international, poster.date) == (
        "poster",
        True,
        datetime.date(2024, 7, 14),
    )
    assert poster.place_en == "Imperial College London, London, United Kingdom"
    assert poster.place_ja == "インペリアル・カレッジ・ロンドン（イギリス）"
    # "T. Kawasaki" on both English-only lists is one person too.
    workshop = Presentation.objects.get(citation_key="researchmap-54995038")
    assert workshop.people()[0].person == poster.people()[0].person
