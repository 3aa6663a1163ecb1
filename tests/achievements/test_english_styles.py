"""Presentations, awards and patents in the English styles (ACS, APA 7).

The expected entries are written by hand from each style's rules: APA 7 for a
conference presentation ("Author, A. (Year, Month Day). Title [Poster presentation].
Meeting, Place.") and a patent ("Inventor, A. (Year). Title (U.S. Patent No. 1,234,567).
Office."); the ACS Guide for a presentation ("Author. Title. In Meeting, Place, Year.")
and a patent ("Inventor. Title. Country Patent Number, Date."). An award has no CSL type:
both English styles give the English form of docs/achievements.md.
"""

import datetime

import pytest

from achievements.lists import AWARDS, PATENTS, PRESENTATIONS
from tests import factories
from tests.achievements import factories as made

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    mizoguchi = factories.person(
        "Mizoguchi", "Teruyasu", lab=True, family_name_ja="溝口", given_name_ja="照康"
    )
    tanaka = factories.person("Tanaka", "Hanako", family_name_ja="田中", given_name_ja="花子")
    return mizoguchi, tanaka


def texts(kind, style, items):
    return [entry.text for entry in kind.format(items, style)]


def members(kind, style, items):
    return [run.text for entry in kind.format(items, style) for run in entry.runs if run.member]


@pytest.fixture
def presentations(people):
    mizoguchi, tanaka = people
    poster = made.presentation(
        [tanaka, mizoguchi], title_en="Machine learning of core loss spectra",
        meeting_en="Microscopy & Microanalysis 2025", place_en="Portland, OR",
        date=datetime.date(2025, 7, 28), format="poster",
    )  # fmt: skip
    talk = made.presentation(
        [mizoguchi], title_en="Spectra of defects", meeting_en="MRS Fall Meeting",
        place_en="Boston, MA", date=datetime.date(2024, 12, 2), format="oral",
    )  # fmt: skip
    return [poster, talk]


def test_presentations_in_apa(presentations):
    assert texts(PRESENTATIONS, "apa", presentations) == [
        "Tanaka, H., & Mizoguchi, T. (2025, July 28). Machine learning of core loss spectra "
        "[Poster presentation]. Microscopy & Microanalysis 2025, Portland, OR.",
        "Mizoguchi, T. (2024, December 2). Spectra of defects [Conference presentation]. "
        "MRS Fall Meeting, Boston, MA.",
    ]
    assert members(PRESENTATIONS, "apa", presentations) == ["Mizoguchi, T.", "Mizoguchi, T."]


def test_presentations_in_acs(presentations):
    assert texts(PRESENTATIONS, "acs", presentations) == [
        "Tanaka, H.; Mizoguchi, T. Machine Learning of Core Loss Spectra. In "
        "Microscopy & Microanalysis 2025, Portland, OR; 2025.",
        "Mizoguchi, T. Spectra of Defects. In MRS Fall Meeting, Boston, MA; 2024.",
    ]


@pytest.fixture
def patents(people):
    mizoguchi, tanaka = people
    granted = made.patent(
        [mizoguchi, tanaka], title_en="Method of analysing spectra",
        applicant_en="The University of Tokyo", application_number="特願2022-012345",
        registration_number="特許第7123456号", filed_on=datetime.date(2022, 1, 10),
        registered_on=datetime.date(2025, 2, 3), status="registered",
    )  # fmt: skip
    filed = made.patent(
        [mizoguchi], title_en="Spectrometer", application_number="特願2024-054321",
        filed_on=datetime.date(2024, 6, 1),
    )  # fmt: skip
    return [granted, filed]


def test_patents_in_apa(patents):
    assert texts(PATENTS, "apa", patents) == [
        "Mizoguchi, T., & Tanaka, H. (2025). Method of analysing spectra (JP Patent No. "
        "7123456). Japan Patent Office.",
        "Mizoguchi, T. (2024). Spectrometer (JP Patent application No. 2024-054321). "
        "Japan Patent Office.",
    ]
    assert members(PATENTS, "apa", patents) == ["Mizoguchi, T.", "Mizoguchi, T."]


def test_patents_in_acs(patents):
    assert texts(PATENTS, "acs", patents) == [
        "Mizoguchi, T.; Tanaka, H. Method of Analysing Spectra. JP 7123456, February 3, 2025.",
        "Mizoguchi, T. Spectrometer. JP 2024-054321, June 1, 2024.",
    ]


def test_awards_take_the_english_form_in_both_styles(people):
    mizoguchi, _tanaka = people
    award = made.award(
        [mizoguchi], name_ja="日本顕微鏡学会論文賞", name_en="JSM Paper Award",
        awarding_body_en="The Japanese Society of Microscopy", subject_en="ELNES of defects",
        date=datetime.date(2025, 5, 20),
    )  # fmt: skip
    expected = [
        "Teruyasu Mizoguchi: “JSM Paper Award”, The Japanese Society of Microscopy, "
        "May 20, 2025. (for: ELNES of defects)"
    ]
    assert texts(AWARDS, "acs", [award]) == expected
    assert texts(AWARDS, "apa", [award]) == expected
    assert members(AWARDS, "apa", [award]) == ["Teruyasu Mizoguchi"]
