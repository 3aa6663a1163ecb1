"""The "0 characters lost" measure (publications/bibtex/fidelity.py)."""

from pathlib import Path

from publications.bibtex import fidelity

DATA = Path(__file__).parent / "data"


def test_the_real_world_shapes_lose_no_character_and_keep_their_raw_entries():
    for name in ("lossless.bib", "hard_cases.bib"):
        text = (DATA / name).read_text("utf-8")
        report = fidelity.measure(text)
        assert report.entries > 0 and report.characters > 0
        assert report.lost == 0, report.losses
        assert report.raw_kept == report.entries


def test_a_long_note_and_long_pages_are_kept_whole():
    note = "abcdefghij " * 40
    text = (
        "@misc{long, title = {T}, year = {2020}, pages = {xiii + 457, with 230 illustrations},"
        " note = {" + note + "}}"
    )
    report = fidelity.measure(text)
    assert report.lost == 0, report.losses


def test_a_title_cut_at_500_characters_is_counted_as_lost():
    text = "@misc{long, title = {" + "abcdefghij " * 50 + "}, year = {2020}}"
    report = fidelity.measure(text)
    assert report.lost > 0
    assert [(loss.key, loss.group) for loss in report.losses] == [("long", "title")]


def test_white_space_and_dash_forms_are_not_losses():
    text = "@article{a, title = {A\n   title}, year = {2020}, pages = {1--8}, journal = {J}}"
    assert fidelity.measure(text).lost == 0
