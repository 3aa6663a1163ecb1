"""Which paper and which person an entry is; the editor's choices; updates that never downgrade;
re-importing any file adds nothing (issue #18, points 2 and 3)."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from publications import names
from publications.bibtex import importer, plan, undo
from publications.models import ImportBatch, Person, Publication
from tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")


def preview(text, **options):
    return importer.start(text=text, **options)


def run(text, choices=None, skip_errors=False):
    batch, current = preview(text)
    importer.confirm(batch, skip_errors=skip_errors, choices=choices)
    batch.refresh_from_db()
    return batch, current


def entry(key="k", title="A paper", year=2020, kind="article", **fields):
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items())
    return f"@{kind}{{{key},\n  title = {{{title}}},\n  year = {{{year}}},\n{body}}}\n"


def stored_report(author="Ada Byron", **fields):
    """A journal's "Chairman's report" already in the database."""
    family, given = author.split()[-1], " ".join(author.split()[:-1])
    person = factories.person(family_en=family, given_en=given)
    return factories.paper(
        title_en="Chairman's report", year=2020, venue="Bull. Soc.", authors=[person], **fields
    )


# ---------------------------------------------------------------- paper identity


def test_a_recurring_title_by_other_authors_in_another_issue_is_a_possible_duplicate():
    stored = stored_report(volume="12", issue="1", pages="1-2")
    text = entry(
        "r2", title="Chairman's Report", journal="Bull. Soc.", volume="12", number="2",
        pages="33-34", author="Quill, Bertrand",
    )  # fmt: skip
    row = preview(text)[1].rows[0]
    assert row.status == plan.POSSIBLE
    assert [c.pk for c in row.candidates] == [stored.pk]
    assert row.candidates[0].contradictions == ["issue", "pages", "authors"]
    assert row.choice == plan.NEW  # another paper, most likely: imported unless the editor says
    run(text)
    assert Publication.objects.filter(title_en__iexact="Chairman's report").count() == 2


def test_two_recurring_titles_in_one_file_are_both_imported_and_a_reimport_adds_nothing():
    text = entry("r1", title="Chairman's report", author="Byron, Ada", number="1") + entry(
        "r2", title="Chairman's report", author="Quill, Bertrand", number="2"
    )
    _batch, current = run(text)
    assert [row.status for row in current.rows] == [plan.NEW, plan.POSSIBLE]
    assert current.rows[1].candidates[0].number == 1
    assert Publication.objects.count() == 2
    current = run(text)[1]
    assert current.actions == {plan.NEW: 0, plan.UPDATE: 0, plan.SKIP: 2}
    assert Publication.objects.count() == 2


def test_a_conference_abstract_of_a_journal_paper_is_a_possible_duplicate():
    mizoguchi = factories.person(family_en="Mizoguchi", given_en="Teruyasu")
    stored = factories.paper(
        title_en="ELNES of defects", year=2021, authors=[mizoguchi], venue="Phys. Rev. B"
    )
    text = entry(
        "c", kind="inproceedings", title="ELNES of defects", year=2021,
        booktitle="Microscopy Conference", author="Mizoguchi, T.",
    )  # fmt: skip
    row = preview(text)[1].rows[0]
    assert (row.status, row.candidates[0].pk) == (plan.POSSIBLE, stored.pk)
    assert row.candidates[0].contradictions == ["type"]
    assert f"update:{stored.pk}" in row.options


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        # Nothing contradicts: a venue spelled out, missing pages, an initial for the name.
        ({"journal": "Bulletin of the Society", "author": "Byron, A."}, plan.UPDATE),
        ({"author": "A. Byron and C. Babbage", "volume": "12"}, plan.UPDATE),
        ({"author": "Byron, Ada", "pages": "1--9"}, plan.UPDATE),  # the first page agrees
        ({"author": "Byron, Ada", "doi": "10.1234/other"}, plan.UPDATE),  # the paper has no DOI
    ],
)
def test_same_title_and_year_without_contradiction_is_the_same_paper(fields, status):
    stored = stored_report(volume="12", pages="1-2")
    row = preview(entry(title="Chairman's report", **fields))[1].rows[0]
    assert (row.status, row.match_pk, row.match_by) == (status, stored.pk, "title")


def test_different_dois_contradict():
    stored = stored_report(doi="10.1234/a")
    row = preview(entry(title="Chairman's report", author="Byron, Ada", doi="10.1234/b"))[1].rows[0]
    assert row.status == plan.POSSIBLE and row.candidates[0].contradictions == ["doi"]
    assert row.candidates[0].pk == stored.pk


def test_the_doi_decides_whatever_the_title():
    stored = stored_report(doi="10.1234/a")
    row = preview(entry(title="Annual report", author="Quill, B.", doi="10.1234/A"))[1].rows[0]
    assert (row.status, row.match_pk, row.match_by) == (plan.UPDATE, stored.pk, "doi")


# ---------------------------------------------------------------- person identity


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("C. V.", "Chakravarthi V.", True),
        ("C. V.", "Chakravarthi", True),
        ("CV", "C. V.", True),
        ("PY.", "Pei-Yu", True),
        ("T.", "Teruyasu", True),
        ("Teruyasu", "Takashi", False),
        ("C. V.", "C. W.", False),
        ("John R.", "John Ronald Reuel", False),
        ("José", "Jose", True),
        ("", "T.", False),
    ],
)
def test_given_names_compatible(a, b, same):
    assert names.given_compatible(a, b) is same


def test_same_initials_with_other_family_names_are_two_people():
    text = entry(author="C. V. Rajagopal and C. V. Radhakrishnan")
    _batch, current = run(text)
    assert current.rows[0].status == plan.NEW
    assert {p.family_name_en for p in Person.objects.all()} == {"Rajagopal", "Radhakrishnan"}


def test_a_full_name_resolves_to_a_compatible_person_only(lab_content):
    teruyasu = Person.objects.get(family_name_en="Mizoguchi", given_name_en="Teruyasu")
    current = run(
        entry("a", author="T. Mizoguchi and Takashi Mizoguchi")
        + entry("b", title="Other", author="Chakravarthi V. Radhakrishnan")
        + entry("c", title="Third", author="C. V. Radhakrishnan and Mizoguchi, Teruyasu")
    )[1]
    first, _second, third = current.rows
    assert first.authors[0][1] == teruyasu.pk
    assert first.authors[1][1] != teruyasu.pk  # Takashi is not Teruyasu
    assert Person.objects.filter(family_name_en="Radhakrishnan").count() == 1
    assert third.authors[1][1] == teruyasu.pk


def test_family_names_match_without_accents():
    muller = factories.person(family_en="Müller", given_en="Jürgen")
    row = preview(entry(author="Muller, J."))[1].rows[0]
    assert row.authors[0][1] == muller.pk


def test_an_ambiguous_author_becomes_a_new_person_with_a_warning():
    factories.person(family_en="Yamamoto", given_en="Takafumi")
    factories.person(family_en="Yamamoto", given_en="Tomoyuki")
    row = preview(entry(author="T. Yamamoto"))[1].rows[0]
    assert row.authors[0][1] < 0  # a new person
    assert row.warnings == [
        "“T. Yamamoto” could be Takafumi Yamamoto or Tomoyuki Yamamoto: imported as a new person."
    ]


# ---------------------------------------------------------------- the editor's choices


def test_confirm_applies_exactly_the_choices_and_undo_restores_exactly():
    updated = factories.paper(title_en="To update", year=2020, doi="10.1234/u")
    kept = factories.paper(title_en="Left alone", year=2020, doi="10.1234/k", volume="1")
    report = stored_report(issue="1")
    text = (
        entry("u", title="To update", doi="10.1234/u", volume="5")
        + entry("k", title="Left alone", doi="10.1234/k", volume="7")
        + entry("n", title="Not wanted")
        + entry("p", title="Chairman's report", author="Quill, B.", issue="2", note="Merged")
        + entry("w", title="Wanted")
    )
    batch, current = preview(text)
    assert [row.choice for row in current.rows] == [
        f"update:{updated.pk}", f"update:{kept.pk}", plan.NEW, plan.NEW, plan.NEW,
    ]  # fmt: skip
    choices = {2: plan.SKIP, 3: plan.SKIP, 4: f"update:{report.pk}"}
    importer.confirm(batch, choices=choices)
    batch.refresh_from_db()
    assert (batch.created_count, batch.updated_count, batch.duplicate_count) == (1, 2, 2)
    assert [line_key[1] for line_key in batch.skipped] == ["k", "n"]
    assert set(Publication.objects.values_list("title_en", flat=True)) == {
        "To update", "Left alone", "Chairman's report", "Wanted",
    }  # fmt: skip
    kept.refresh_from_db()
    updated.refresh_from_db()
    report.refresh_from_db()
    assert (updated.volume, kept.volume, report.note_en) == ("5", "1", "Merged")
    assert report.issue == "2"  # the editor said it is this paper: the entry corrects it

    undo.undo(batch)
    updated.refresh_from_db()
    report.refresh_from_db()
    assert (updated.volume, report.note_en or "", report.issue) == ("", "", "1")
    assert Publication.objects.count() == 3


def test_a_choice_outside_the_rows_options_is_refused_and_writes_nothing():
    stored = factories.paper(title_en="By DOI", doi="10.1234/d")
    batch, _current = preview(entry("d", title="By DOI", doi="10.1234/d", volume="2"))
    with pytest.raises(plan.PlanError, match="cannot be"):
        importer.confirm(batch, choices={1: plan.NEW})  # the same DOI cannot be a new paper
    with pytest.raises(plan.PlanError, match="no entry 9"):
        importer.confirm(batch, choices={9: plan.SKIP})
    stored.refresh_from_db()
    assert stored.volume == "" and Publication.objects.count() == 1
    assert ImportBatch.objects.get().status == ImportBatch.Status.PENDING


# ---------------------------------------------------------------- updates never downgrade


def test_a_file_without_pubstate_leaves_in_press_alone():
    paper = factories.paper(title_en="Soon", doi="10.1234/s", status="in-press")
    row = preview(entry(title="Soon", doi="10.1234/s", journal="J. Test"))[1].rows[0]
    assert row.status == plan.DUPLICATE
    run(entry(title="Soon", doi="10.1234/s", journal="J. Test", pages="3-9"))
    paper.refresh_from_db()
    assert (paper.status, paper.pages) == ("in-press", "3-9")


def test_volume_and_pages_say_published():
    paper = factories.paper(title_en="Out now", doi="10.1234/o", status="accepted")
    row = run(entry(title="Out now", doi="10.1234/o", volume="3", pages="1-9"))[1].rows[0]
    assert ("status", "accepted", "published") in row.changes
    paper.refresh_from_db()
    assert paper.status == "published"


def test_an_earlier_stage_only_fills_gaps():
    paper = factories.paper(
        title_en="Final", doi="10.1234/f", arxiv_id="2101.00001", venue="Phys. Rev. B", volume="9"
    )
    preprint = entry(
        "pre", kind="misc", title="Final", eprint="2101.00001", archiveprefix="arXiv",
        doi="10.48550/arXiv.2101.00001", howpublished="arXiv", pages="1-20", pubstate="inpress",
    )  # fmt: skip
    row = run(preprint)[1].rows[0]
    assert row.match_by == "arxiv"
    assert {name for name, _old, _new in row.changes} == {"pages"}
    paper.refresh_from_db()
    assert (paper.doi, paper.venue, paper.type, paper.status) == (
        "10.1234/f", "Phys. Rev. B", "article", "published",
    )  # fmt: skip


def test_author_lists_grow_but_never_shrink_or_lose_spelling(lab_content):
    a, b = factories.person(family_en="Ames"), factories.person(family_en="Bell")
    paper = factories.paper(title_en="Authors", doi="10.1234/a", authors=[a, b])
    for shorter in ("Ames, A.", "Ames, A. and others"):
        assert (
            preview(entry(title="Authors", doi="10.1234/a", author=shorter))[1].rows[0].changes
            == []
        )
    spelled = entry(title="Authors", doi="10.1234/a", author="Ames, Alice and Bell, A.")
    assert preview(spelled)[1].rows[0].changes == []
    longer = entry(title="Authors", doi="10.1234/a", author="Ames, A. and Bell, A. and Cole, C.")
    run(longer)
    assert [p.family_name_en for p in paper.authors.order_by("authorships__position")] == [
        "Ames", "Bell", "Cole",
    ]  # fmt: skip


def test_misc_never_replaces_a_specific_type():
    paper = factories.paper(title_en="Typed", doi="10.1234/t", type="conference")
    assert preview(entry(kind="misc", title="Typed", doi="10.1234/t"))[1].rows[0].changes == []
    run(entry(title="Typed", doi="10.1234/t"))  # @article: a journal paper now
    paper.refresh_from_db()
    assert paper.type == "article"


# ---------------------------------------------------------------- re-importing adds nothing


@pytest.mark.parametrize(
    "path", sorted(DATA.glob("**/*.bib")), ids=lambda path: str(path.relative_to(DATA))
)
def test_reimporting_a_file_adds_nothing(path, lab_content):
    text = path.read_bytes()
    first_batch, _first = importer.start(data=text, filename=path.name)
    importer.confirm(first_batch, skip_errors=True)
    count = Publication.objects.count()
    batch, current = importer.start(data=text, filename=path.name)
    assert current.actions[plan.NEW] == 0 and current.actions[plan.UPDATE] == 0, [
        (row.key, row.status, row.changes) for row in current.rows if row.action != plan.SKIP
    ]
    importer.confirm(batch, skip_errors=True)
    assert Publication.objects.count() == count


def test_reimporting_the_labs_own_export_adds_nothing(lab_content, tmp_path):
    out = tmp_path / "lab.bib"
    call_command("export_bibtex", "--output", str(out))
    count = Publication.objects.count()
    _batch, current = importer.start(data=out.read_bytes(), filename="lab.bib")
    assert current.counts[plan.ERROR] == 0
    assert current.actions == {plan.NEW: 0, plan.UPDATE: 0, plan.SKIP: count}, [
        (row.key, row.status, row.changes, row.candidates)
        for row in current.rows
        if row.action != plan.SKIP
    ]
