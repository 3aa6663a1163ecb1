"""Importing: duplicates in PRODUCT.md's order, people and keywords resolved, atomic, undoable."""

from pathlib import Path

import pytest
from django.db.models import QuerySet
from django.utils import translation

from publications import freshness
from publications.bibtex import importer, plan, undo
from publications.models import (
    Authorship,
    ImportBatch,
    Keyword,
    NameVariant,
    Person,
    Publication,
)
from tests import factories

pytestmark = pytest.mark.django_db

HARD_CASES = Path(__file__).parent / "data" / "hard_cases.bib"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here (tests/conftest.py restores Japanese after)."""
    translation.activate("en")


def preview(text, **options):
    return importer.start(text=text, **options)


def run(text, skip_errors=False, choices=None, **options):
    batch, current = preview(text, **options)
    importer.confirm(batch, skip_errors=skip_errors, choices=choices)
    batch.refresh_from_db()
    return batch, current


def entry(key="k", title="A paper", year=2020, **fields):
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items())
    return f"@article{{{key},\n  title = {{{title}}},\n  year = {{{year}}},\n{body}}}\n"


def statuses(current):
    return [(row.key, row.status, row.match_by) for row in current.rows]


# ---------------------------------------------------------------- duplicates


def test_duplicate_detection_order_doi_arxiv_title_then_key_only_suggests():
    by_doi = factories.paper(title_en="First", doi="10.1234/abc", year=2019)
    by_arxiv = factories.paper(title_en="Second", arxiv_id="2101.00001", year=2019)
    by_title = factories.paper(title_en="Défects: in   ELNES!", year=2018)
    by_key = factories.paper(title_en="Fourth", year=2017, citation_key="kkey")
    text = "".join(
        [
            # The DOI wins over a title that names another paper.
            entry("a", title="Second", year=2019, doi="https://doi.org/10.1234/ABC"),
            entry("b", title="Unrelated", year=2019, eprint="arXiv:2101.00001v3",
                  archiveprefix="arXiv"),
            entry("c", title="ＤÉFECTS in ELNES", year=2018),  # NFKC, case, punctuation
            entry("kkey", title="Different title", year=2001),
            entry("d", title="Défects: in ELNES!", year=2019),  # another year: new
        ]
    )  # fmt: skip
    current = preview(text)[1]
    assert statuses(current) == [
        ("a", plan.UPDATE, "doi"),
        ("b", plan.UPDATE, "arxiv"),
        ("c", plan.DUPLICATE, "title"),
        ("kkey", plan.POSSIBLE, ""),  # the same key, another title: shown, skipped by default
        ("d", plan.NEW, ""),
    ]
    assert [row.match_pk for row in current.rows[:3]] == [by_doi.pk, by_arxiv.pk, by_title.pk]
    assert [c.pk for c in current.rows[3].candidates] == [by_key.pk]
    assert current.rows[3].choice == plan.SKIP


def test_importing_the_same_file_twice_creates_nothing_the_second_time():
    text = HARD_CASES.read_text("utf-8")
    first = run(text, skip_errors=True)[0]
    assert first.created_count == 11
    count = Publication.objects.count()
    people = Person.objects.count()
    _second, current = run(text, skip_errors=True)
    assert current.counts == {"new": 0, "update": 0, "duplicate": 11, "possible": 0, "error": 4}
    assert "0 new" in current.summary()
    assert Publication.objects.count() == count and Person.objects.count() == people


def test_the_same_paper_twice_in_one_file_is_imported_once():
    _batch, current = run(entry("a", doi="10.1234/x") + entry("b", title="Other", doi="10.1234/X"))
    assert [row.status for row in current.rows] == [plan.NEW, plan.DUPLICATE]
    assert "entry 1" in current.rows[1].reason and "DOI" in current.rows[1].reason
    assert Publication.objects.get().title_en == "A paper"


def test_the_same_person_twice_in_one_entry_is_kept_once_with_a_warning(lab_content):
    text = entry(author="T. Mizoguchi and K. Shibata and Mizoguchi, Teruyasu")
    _batch, current = run(text)
    row = current.rows[0]
    assert row.status == plan.NEW
    assert any("same person" in warning for warning in row.warnings)
    paper = Publication.objects.get(title_en="A paper")
    assert [a.as_printed for a in paper.ordered_authorships] == ["T. Mizoguchi", "K. Shibata"]


# ---------------------------------------------------------------- what gets written


def test_imported_papers_are_found_by_search_in_both_scripts():
    run(HARD_CASES.read_text("utf-8"), skip_errors=True)
    assert [p.title for p in Publication.objects.search("Grüneisen")] == [
        "Electron energy-loss spectra of MoS$_2$ – a Grüneisen study of "
        r"$\mathrm{MoS}_2$ at 5% strain"
    ]
    assert Publication.objects.search("欠陥").get().title_ja.startswith("格子欠陥")
    assert Publication.objects.search("Dvořák").count() == 2  # by author name


def test_authors_resolve_to_existing_people_and_kanji_names_stay_whole(lab_content):
    mizoguchi = Person.objects.get(family_name_en="Mizoguchi")
    run(HARD_CASES.read_text("utf-8"), skip_errors=True)
    kanji = Publication.objects.get(citation_key="yamada2021kanji")
    authors = kanji.ordered_authorships
    assert [a.as_printed for a in authors] == ["山田 太郎", "溝口, 照康", "佐藤 花子"]
    assert authors[1].person == mizoguchi
    assert (authors[0].person.family_name_ja, authors[0].person.given_name_ja) == ("山田", "太郎")
    eprint = Publication.objects.get(citation_key="kiyohara2024eprint")
    assert eprint.ordered_authorships[1].person == mizoguchi  # "Mizoguchi, Teruyasu"
    chen = Publication.objects.get(citation_key="chen2023arxiv")
    assert chen.ordered_authorships[0].person.is_lab_member  # "Chen, P. Y." = "PY. Chen"
    consortium = Publication.objects.get(citation_key="mueller2020accents").ordered_authorships[6]
    assert consortium.person.family_name_en == "The ABC Consortium"
    assert consortium.person.given_name_en == ""


def test_a_name_seen_twice_in_one_file_is_one_new_person():
    run(entry("a", author="Quastel, Hanako") + entry("b", title="B", author="H. Quastel"))
    assert Person.objects.filter(family_name_en="Quastel").count() == 1


def test_keywords_match_either_language_case_and_width_insensitively(lab_content):
    defects = Keyword.objects.get(slug="lattice-defects")
    elnes = Keyword.objects.get(slug="elnes")
    run(entry(keywords=f"ＥＬＮＥＳ, {defects.name_ja}, LATTICE DEFECTS, Brand new topic"))
    paper = Publication.objects.get(title_en="A paper")
    assert set(paper.keywords.all()) == {
        elnes,
        defects,
        Keyword.objects.get(name_en="Brand new topic"),
    }


def test_keyword_option_and_unpublished_option(lab_content):
    extra = Keyword.objects.get(slug="elnes")
    run(entry(), keywords=[extra], is_published=False)
    paper = Publication.objects.get(title_en="A paper")
    assert list(paper.keywords.all()) == [extra]
    assert not paper.is_published


def test_raw_bibtex_and_key_are_kept():
    text = entry("raw1", doi="10.1234/raw")
    run(text)
    paper = Publication.objects.get(doi="10.1234/raw")
    assert paper.bibtex == text.strip() and paper.citation_key == "raw1"


def test_an_update_fills_and_corrects_but_never_erases():
    keyword = factories.keyword()
    paper = factories.paper(
        title_en="Known", year=2020, doi="10.1234/known", volume="1", pages="1-2", type="review",
        keywords=[keyword],
    )  # fmt: skip
    current = run(
        entry(title="Known", doi="10.1234/known", volume="2", issue="7", keywords="Newly added")
    )[1]
    row = current.rows[0]
    assert row.status == plan.UPDATE
    assert {name for name, _old, _new in row.changes} == {"volume", "issue", "keywords"}
    paper.refresh_from_db()
    assert (paper.volume, paper.issue, paper.pages) == ("2", "7", "1-2")
    assert paper.type == "review"  # @article fits a review: not changed
    assert {k.name for k in paper.keywords.all()} == {keyword.name, "Newly added"}


# ---------------------------------------------------------------- undo


def test_undo_restores_the_previous_state(lab_content):
    paper = Publication.objects.exclude(volume="").first()
    before = (paper.volume, [a.as_printed for a in paper.ordered_authorships])
    keywords = set(paper.keywords.all())
    text = entry(
        "upd", title=paper.title_en, year=paper.year, volume="999",
        author=" and ".join([*before[1], "Quastel, H."]), keywords="Undo me",
    ) + entry("n", title="New one")  # fmt: skip
    # Another volume: a possible duplicate, which the editor chooses to update.
    batch, current = run(text, choices={1: f"update:{paper.pk}"})
    assert [row.status for row in current.rows] == [plan.POSSIBLE, plan.NEW]
    paper.refresh_from_db()
    assert paper.volume == "999"
    variants = NameVariant.objects.count()

    summary = undo.undo(batch)
    assert (summary.deleted, summary.restored) == (1, 1)
    paper = Publication.objects.with_authors().get(pk=paper.pk)
    assert (paper.volume, [a.as_printed for a in paper.ordered_authorships]) == before
    assert set(paper.keywords.all()) == keywords
    assert not Publication.objects.filter(title_en="New one").exists()
    assert not Person.objects.filter(family_name_en="Quastel").exists()
    assert not Keyword.objects.filter(name_en="Undo me").exists()
    assert NameVariant.objects.count() < variants
    assert not Publication.objects.search("Quastel").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE


def test_undo_twice_is_refused():
    batch = run(entry())[0]
    undo.undo(batch)
    with pytest.raises(plan.PlanError, match="already undone"):
        undo.undo(batch)


def test_undo_keeps_a_new_person_used_since_by_another_paper():
    batch = run(entry(author="Quastel, Hanako"))[0]
    person = Person.objects.get(family_name_en="Quastel")
    other = factories.paper(authors=[person])
    summary = undo.undo(batch)
    assert summary.people_kept == 1
    assert other.authors.get() == person


def test_papers_edited_after_the_import_are_listed_before_undo():
    batch = run(entry(title="Edited later"))[0]
    assert undo.changed_since_import(batch) == []
    paper = Publication.objects.get(title_en="Edited later")
    paper.volume = "5"
    paper.save()
    assert undo.changed_since_import(batch) == ["Edited later (2020)"]


def test_undo_keeps_a_paper_created_by_the_import_and_edited_since_and_says_so():
    batch = run(entry("a", title="Edited later", author="Quastel, H.") + entry("b", title="Gone"))[
        0
    ]
    paper = Publication.objects.get(title_en="Edited later")
    paper.volume = "7"
    paper.save()
    summary = undo.undo(batch)
    assert (summary.deleted, summary.kept) == (1, ["Edited later (2020)"])
    assert "kept, because they were edited after the import: Edited later (2020)" in str(summary)
    with translation.override("ja"):
        assert "読み込みの後に編集されたため残した論文：Edited later (2020)" in str(summary)
    paper.refresh_from_db()
    assert paper.volume == "7"
    assert paper.authors.get().family_name_en == "Quastel"  # its new author stays with it
    assert not Publication.objects.filter(title_en="Gone").exists()


def test_undo_of_an_update_restores_what_the_import_changed_and_keeps_later_edits():
    kept_keyword = Keyword.objects.create(name_en="Stored kw")
    paper = factories.paper(title_en="Stored paper", year=2019, keywords=[kept_keyword])
    batch = run(
        entry("s", title="Stored paper", year=2019, volume="12", pages="1-9", keywords="By import")
    )[0]
    paper.refresh_from_db()
    assert (paper.volume, paper.pages) == ("12", "1-9")
    paper.pages = "1-10"  # an editor corrects the imported pages
    paper.save()
    editors_keyword = Keyword.objects.create(name_en="Editor's kw")
    paper.keywords.add(editors_keyword)

    summary = undo.undo(batch)
    assert summary.merged == ["Stored paper"]
    assert "restored except the edits made after the import: Stored paper" in str(summary)
    paper.refresh_from_db()
    assert paper.volume == ""  # the import's change, untouched since: undone
    assert paper.pages == "1-10"  # the editor's: kept
    assert set(paper.keywords.all()) == {kept_keyword, editors_keyword}
    assert not Keyword.objects.filter(name_en="By import").exists()


# ---------------------------------------------------------------- atomic, signals


def test_a_failure_mid_import_writes_nothing(monkeypatch, lab_content):
    counts = (Publication.objects.count(), Person.objects.count(), Keyword.objects.count())
    batch, _plan = preview(HARD_CASES.read_text("utf-8") + entry("x", keywords="Fresh kw"))

    bulk_create = QuerySet.bulk_create

    def fail_on_authors(queryset, objs, *args, **kwargs):
        if queryset.model is Authorship:  # after the papers and people are inserted
            raise RuntimeError("disk full")
        return bulk_create(queryset, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", fail_on_authors)
    with pytest.raises(RuntimeError):
        importer.confirm(batch, skip_errors=True)
    assert (Publication.objects.count(), Person.objects.count(), Keyword.objects.count()) == counts
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING


def test_errors_block_the_import_unless_the_rest_is_confirmed():
    batch, _plan = preview(entry("ok") + "@article{bad, title={Bad year}, year={someday}}")
    with pytest.raises(plan.PlanError, match="errors"):
        importer.confirm(batch)
    assert not Publication.objects.exists()
    importer.confirm(batch, skip_errors=True)
    assert Publication.objects.get().title_en == "A paper"


def test_import_and_undo_replace_the_content_version(django_capture_on_commit_callbacks):
    versions = [freshness.content_version()]
    with django_capture_on_commit_callbacks(execute=True):
        batch = run(entry())[0]
    versions.append(freshness.content_version())
    with django_capture_on_commit_callbacks(execute=True):
        undo.undo(batch)
    versions.append(freshness.content_version())
    assert len(set(versions)) == 3


def test_preview_costs_a_constant_number_of_queries(django_assert_num_queries, lab_content):
    few = entry("a", author="A. One and B. Two")
    many = "".join(
        entry(f"k{n}", title=f"Paper {n}", author=f"A. Auth{n} and B. Other{n}", keywords="ELNES")
        for n in range(60)
    )
    for text in (few, many):
        records = importer.records_from_text(text)
        with django_assert_num_queries(4):
            plan.build_plan(records)


def test_new_papers_get_their_search_document_as_search_computes_it(lab_content):
    """The import writes search documents itself (saves a second write of every row)."""
    from publications import search

    batch = run(HARD_CASES.read_text("utf-8"), skip_errors=True)[0]
    created = batch.items.filter(kind="publication-created").values_list("object_id", flat=True)
    assert len(created) == 11
    assert search.refresh(list(created)) == 0  # nothing left to correct
