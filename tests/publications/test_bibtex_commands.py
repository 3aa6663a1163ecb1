"""`import_bibtex` and `export_bibtex` as staff run them from a shell."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from publications.models import ImportBatch, Publication
from tests import factories

pytestmark = pytest.mark.django_db

HARD_CASES = Path(__file__).parent / "data" / "hard_cases.bib"
GOOD = "@article{a, title = {One}, year = {2020}}\n@article{b, title = {Two}, year = {2021}}\n"


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.bib"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_second_import_reports_zero_new(good_file, capsys):
    call_command("import_bibtex", str(good_file))
    first = capsys.readouterr().out
    assert "new       line 1 a: One (2020)" in first
    assert first.strip().endswith(
        "2 new, 0 updated, 0 duplicates, 0 possible duplicates, 0 skipped, 0 errors."
    )
    call_command("import_bibtex", str(good_file))
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("0 new, 0 updated, 2 duplicates, 0 possible duplicates, 0 skipped, 0 errors.")
    )
    assert Publication.objects.count() == 2
    assert ImportBatch.objects.filter(status="applied", source="command").count() == 2


def test_dry_run_writes_nothing(good_file, capsys):
    call_command("import_bibtex", str(good_file), "--dry-run")
    assert "Dry run, nothing written: 2 new" in capsys.readouterr().out
    assert not Publication.objects.exists() and not ImportBatch.objects.exists()


def test_errors_stop_the_import_unless_skipped(capsys):
    with pytest.raises(CommandError, match=r"Nothing imported: 11 new.*4 errors"):
        call_command("import_bibtex", str(HARD_CASES))
    out = capsys.readouterr().out
    assert "error     line 98 badyear: The year “someday” cannot be read" in out
    assert not Publication.objects.exists()
    call_command("import_bibtex", str(HARD_CASES), "--skip-errors")
    assert Publication.objects.count() == 11


def test_keyword_and_unpublished_options(good_file):
    keyword = factories.keyword(slug="imported")
    call_command("import_bibtex", str(good_file), "--keyword", "imported", "--unpublished")
    assert set(Publication.objects.values_list("is_published", flat=True)) == {False}
    assert keyword.publications.count() == 2
    with pytest.raises(CommandError, match="No keyword with the slug"):
        call_command("import_bibtex", str(good_file), "--keyword", "nope")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary"), (b"no entries at all", "No BibTeX")],
)
def test_bad_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "bad.bib"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_bibtex", str(path))


def test_missing_file():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_bibtex", "/nonexistent.bib")


def test_shift_jis_file(tmp_path, capsys):
    path = tmp_path / "sjis.bib"
    path.write_bytes("@article{y, author={山田 太郎}, title={格子欠陥}, year=2021}".encode("cp932"))
    call_command("import_bibtex", str(path))
    assert "encoding Shift_JIS" in capsys.readouterr().out
    assert Publication.objects.get().title_ja == "格子欠陥"


def test_export_formats(tmp_path, capsys):
    factories.paper(title_en="Exported")
    for fmt, start in [("bibtex", "@article{"), ("ris", "TY  - JOUR"), ("csljson", "[")]:
        out = tmp_path / f"out.{fmt}"
        call_command("export_bibtex", "--format", fmt, "--output", str(out))
        assert out.read_text("utf-8").startswith(start)
        assert f"Exported 1 publications as {fmt} to {out}." in capsys.readouterr().out


def test_possible_duplicates_updates_and_choices_from_the_command_line(tmp_path, capsys):
    person = factories.person(family_en="Byron", given_en="Ada")
    report = factories.paper(title_en="Chairman's report", authors=[person], issue="1")
    known = factories.paper(title_en="Known", doi="10.1234/known")
    path = tmp_path / "mixed.bib"
    path.write_text(
        "@article{rep, title={Chairman's report}, year=2020, author={Quill, B.}, number={2}}\n"
        "@article{upd, title={Known}, year=2020, doi={10.1234/known}, volume={4}}\n"
        "@article{new, title={Fresh}, year=2020}\n",
        encoding="utf-8",
    )
    call_command("import_bibtex", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "possible  line 1 rep: Chairman's report (2020) → imported as new" in out
    assert f"like #{report.pk} Chairman's report; differs: issue, authors" in out

    call_command(
        "import_bibtex", str(path), "--possible", "skip", "--no-updates", "--choose", "new=skip"
    )
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("0 new, 0 updated, 0 duplicates, 1 possible duplicates, 3 skipped, 0 errors.")
    )
    known.refresh_from_db()
    assert known.volume == "" and Publication.objects.count() == 2

    call_command("import_bibtex", str(path), "--choose", f"rep=update:{report.pk}")
    report.refresh_from_db()
    known.refresh_from_db()
    assert (report.issue, known.volume) == ("2", "4")
    assert Publication.objects.filter(title_en="Fresh").exists()


def test_an_impossible_choice_is_refused(good_file):
    with pytest.raises(CommandError, match="no entry with the key “zz”"):
        call_command("import_bibtex", str(good_file), "--choose", "zz=skip")
    with pytest.raises(CommandError, match="cannot be “update:1”"):
        call_command("import_bibtex", str(good_file), "--choose", "a=update:1")
    assert not ImportBatch.objects.exists() and not Publication.objects.exists()
