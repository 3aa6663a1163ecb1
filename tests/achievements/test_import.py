"""Presentations and patents from BibTeX: the mapping, all-or-nothing, the admin page."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from achievements import bibtex
from achievements.models import Patent, Presentation
from publications.models import Person
from tests import factories

pytestmark = pytest.mark.django_db

FILE = r"""
@inproceedings{mizoguchi2025elnes,
  author = {Mizoguchi, Teruyasu and Tanaka, Hanako},
  title = {Machine learning of {ELNES}},
  booktitle = {Microscopy \& Microanalysis 2025},
  venue = {Portland, OR, USA},
  date = {2025-07-28},
  type = {Invited talk},
}
@misc{tanaka2024poster,
  author = {田中 花子 and 溝口 照康},
  title = {スペクトルの機械学習},
  howpublished = {ポスター発表},
  organization = {日本顕微鏡学会第80回学術講演会},
  address = {幕張},
  year = {2024}, month = jun, day = {3},
}
@patent{jp2024,
  author = {溝口 照康},
  title = {スペクトル解析装置},
  holder = {東京大学},
  number = {特願2024-012345},
  type = {patentjpreq},
  date = {2024-01-10},
}
@patent{jp2025,
  author = {Mizoguchi, T.},
  title = {Spectrum analyser},
  number = {7123456},
  type = {patentjp},
  date = {2025-02-03},
}
@article{paper2024, author = {Mizoguchi, T.}, title = {A paper}, journal = {J. Test}, year = {2024}}
"""


def test_a_file_gives_presentations_and_patents_and_leaves_papers_alone():
    mizoguchi = factories.person("Mizoguchi", "Teruyasu", lab=True)
    result = bibtex.import_text(FILE)
    assert result.created == 4 and not result.errors
    assert [row.status for row in result.rows] == ["new", "new", "new", "new", "skipped"]
    talk = Presentation.objects.get(citation_key="mizoguchi2025elnes")
    assert (talk.title_en, talk.meeting_en, talk.place_en) == (
        "Machine learning of ELNES", "Microscopy & Microanalysis 2025", "Portland, OR, USA",
    )  # fmt: skip
    assert talk.date == datetime.date(2025, 7, 28) and talk.is_invited
    assert talk.format == Presentation.Format.ORAL
    # The author of the papers is the presenter: the same Person, not a new one.
    assert talk.people()[0].person == mizoguchi
    poster = Presentation.objects.get(citation_key="tanaka2024poster")
    assert poster.format == Presentation.Format.POSTER and not poster.is_invited
    assert (poster.title_ja, poster.meeting_ja, poster.place_ja) == (
        "スペクトルの機械学習", "日本顕微鏡学会第80回学術講演会", "幕張",
    )  # fmt: skip
    assert poster.date == datetime.date(2024, 6, 3)
    filed = Patent.objects.get(citation_key="jp2024")
    assert (filed.status, filed.application_number, filed.filed_on, filed.applicant_ja) == (
        "filed", "特願2024-012345", datetime.date(2024, 1, 10), "東京大学",
    )  # fmt: skip
    granted = Patent.objects.get(citation_key="jp2025")
    assert (granted.status, granted.registration_number, granted.registered_on) == (
        "registered", "7123456", datetime.date(2025, 2, 3),
    )  # fmt: skip
    assert granted.people()[0].person == mizoguchi


def test_the_same_file_again_adds_nothing():
    bibtex.import_text(FILE)
    again = bibtex.import_text(FILE)
    assert again.created == 0
    assert [row.status for row in again.rows][:4] == ["duplicate"] * 4
    assert Presentation.objects.count() == 2 and Patent.objects.count() == 2


def test_one_entry_in_error_and_nothing_is_imported():
    broken = FILE + "@inproceedings{nodate, title = {No day}, type = {poster}, year = {2024}}\n"
    people = Person.objects.count()
    result = bibtex.import_text(broken)
    assert result.created == 0
    assert [row.key for row in result.errors] == ["nodate"]
    assert "日付がありません" in result.errors[0].message
    assert not Presentation.objects.exists() and not Patent.objects.exists()
    assert Person.objects.count() == people


def test_the_admin_page_imports_an_upload_and_refuses_bad_input(editor_client):
    url = reverse("admin:achievements_presentation_import")
    assert editor_client.get(url).status_code == 200
    upload = SimpleUploadedFile("talks.bib", FILE.encode(), "application/x-bibtex")
    response = editor_client.post(url, {"file": upload, "is_published": "on"})
    assert response.status_code == 200
    assert "4" in response.content.decode()
    assert Presentation.objects.count() == 2
    # Bytes that are not text, then nothing at all: a message and a 400, never a 500.
    binary = SimpleUploadedFile("x.bib", b"\x00\x01\x02", "application/octet-stream")
    assert editor_client.post(url, {"file": binary}).status_code == 400
    assert editor_client.post(url, {"text": ""}).status_code == 400


def test_the_import_page_speaks_both_languages(editor_client):
    url = reverse("admin:achievements_presentation_import")
    editor_client.cookies["django_language"] = "ja"
    assert "学会発表と特許を BibTeX から読み込む" in editor_client.get(url).content.decode()
    editor_client.cookies["django_language"] = "en"
    assert "Import presentations and patents" in editor_client.get(url).content.decode()


def test_anonymous_visitors_cannot_import(client):
    url = reverse("admin:achievements_presentation_import")
    response = client.post(url, {"text": FILE})
    assert response.status_code == 302
    assert not Presentation.objects.exists()


def test_the_command_imports_a_file_and_fails_on_errors(tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "talks.bib"
    good.write_text(FILE, encoding="utf-8")
    call_command("import_achievements", str(good), "--unpublished")
    assert Presentation.objects.filter(is_published=False).count() == 2
    bad = tmp_path / "bad.bib"
    bad.write_text("@patent{p1, title = {No date}, type = {patentjp}}", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_achievements", str(bad))
    assert not Patent.objects.filter(citation_key="p1").exists()
