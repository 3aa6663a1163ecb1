"""Large imports (issue 19): a file over LABSITE_IMPORT_INLINE_ENTRIES is read and planned
by the worker while the editor watches its progress, the preview pages through the
stored plan (filtered by what the rows are), the choices made on a page are kept, and
the import then applies as a whole or not at all (docs/limits.md, "Large files")."""

import re

import pytest
from django.urls import reverse

from publications import admin_import
from publications.bibtex import plan
from publications.models import (
    ImportBatch,
    ImportItem,
    ImportRecord,
    ImportRow,
    Publication,
)
from tests.jobs import run_tasks

pytestmark = pytest.mark.django_db


def entries(count, first=0):
    return "".join(
        f"@article{{big{n}, author = {{Bigson{n}, A. and Mizoguchi, T.}},"
        f" title = {{Large paper {n}}}, year = {{2022}}, doi = {{10.4343/big.{n}}}}}\n"
        for n in range(first, first + count)
    )


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


def import_url():
    return reverse("admin:publications_publication_import")


def progress_url(batch):
    return reverse("admin:publications_importbatch_progress", args=[batch.pk])


def preview_url(batch):
    return reverse("admin:publications_importbatch_preview", args=[batch.pk])


def digest(html):
    return re.search(r'name="digest" value="([0-9a-f]+)"', html)[1]


def rows_shown(html):
    return [int(n) for n in re.findall(r'<tr class="import-row-\w+">\s*<td>(\d+)</td>', html)]


def test_a_large_file_is_read_by_the_worker_while_its_progress_shows(editor, settings):
    settings.LABSITE_IMPORT_INLINE_ENTRIES = 3
    response = editor.post(import_url(), {"text": entries(5)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == progress_url(batch)
    assert not ImportRecord.objects.exists()  # the request did not read the entries
    page = editor.get(progress_url(batch)).content.decode()
    assert "Waiting for the worker" in page and "Import BibTeX: reading the file" in page
    assert editor.get(preview_url(batch)).url == progress_url(batch)  # not ready yet

    [result] = run_tasks()
    assert result.status == "SUCCESSFUL", result.traceback
    assert ImportRecord.objects.filter(batch=batch).count() == 5
    assert editor.get(progress_url(batch)).url == preview_url(batch)
    html = editor.get(preview_url(batch)).content.decode()
    assert "5 entries." in html and rows_shown(html) == [1, 2, 3, 4, 5]
    assert not Publication.objects.filter(doi__startswith="10.4343/").exists()


def test_a_large_file_the_worker_refuses_goes_back_to_the_form_with_why(editor, settings):
    settings.LABSITE_IMPORT_INLINE_ENTRIES = 1
    settings.LABSITE_BIBTEX_MAX_EXPANSION_CHARS = 30
    text = '@string{j = "Journal of Long Names"}\n' + "".join(
        f"@article{{m{n}, title = {{T{n}}}, journal = j, year = 2020}}\n" for n in range(3)
    )
    editor.post(import_url(), {"text": text})
    batch = ImportBatch.objects.get()
    run_tasks()
    back = editor.get(editor.get(progress_url(batch)).url)
    assert back.status_code == 302 and back.url == import_url()
    form = editor.get(back.url).content.decode()
    assert "expand to more than 30 characters" in form
    assert not ImportBatch.objects.exists() and not ImportRecord.objects.exists()


@pytest.mark.parametrize(("count", "status"), [(3, 302), (4, 413)])
def test_a_large_file_has_at_most_the_entries_of_one_import(editor, settings, count, status):
    settings.LABSITE_IMPORT_INLINE_ENTRIES = 1
    settings.LABSITE_IMPORT_MAX_ENTRIES = 3
    response = editor.post(import_url(), {"text": entries(count)})
    assert response.status_code == status
    if status == 413:
        assert "The BibTeX has 4 entries; one import takes at most 3." in response.content.decode()
        assert not ImportBatch.objects.exists()
    else:
        assert run_tasks()[0].status == "SUCCESSFUL"
        assert ImportRow.objects.count() == 3


def test_the_preview_pages_through_the_rows_and_keeps_the_choices(editor, monkeypatch):
    monkeypatch.setattr(admin_import, "ROWS_PER_PAGE", 2)
    editor.post(import_url(), {"text": entries(5)})
    batch = ImportBatch.objects.get()
    first = editor.get(preview_url(batch)).content.decode()
    assert rows_shown(first) == [1, 2] and "Entries 1–2 of 5" in first
    assert 'href="?page=2" rel="next"' in first
    assert rows_shown(editor.get(preview_url(batch) + "?page=3").content.decode()) == [5]
    for odd in ("?page=999", "?page=-1", "?page=x" * 50):  # the last or the first page
        assert editor.get(preview_url(batch) + odd).status_code == 200

    second = preview_url(batch) + "?page=2"
    saved = editor.post(second, {"save": "1", "choice-3": "skip", "digest": digest(first)})
    assert saved.status_code == 302 and saved.url == second
    page = editor.get(second).content.decode()
    assert "Your choices are saved." in page
    chosen = re.search(r'<select name="choice-3".*?</select>', page, re.S)[0]
    assert '<option value="skip" selected>' in chosen
    assert "confirming imports 4 new papers, updates 0 and skips 1" in page

    # Confirmed from the first page: the choice made on the second one holds.
    response = editor.post(preview_url(batch), {"digest": digest(first), "choice-1": "new"})
    assert response.url == progress_url(batch)
    run_tasks()
    imported = set(Publication.objects.values_list("doi", flat=True))
    assert imported == {f"10.4343/big.{n}" for n in (0, 1, 3, 4)}
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.created_count == 4
    # What the preview needed is gone; what undo needs is there.
    assert not ImportRecord.objects.exists() and not ImportRow.objects.exists()
    assert ImportItem.objects.filter(kind=ImportItem.Kind.PUBLICATION_CREATED).count() == 4


def test_the_rows_needing_a_decision_are_one_link_away(editor):
    Publication.objects.create(title_en="Large paper 1", year=2022, doi="10.4343/big.1")
    text = entries(4) + "@article{broken, title = {Unclosed\n"
    editor.post(import_url(), {"text": text})
    batch = ImportBatch.objects.get()
    html = editor.get(preview_url(batch)).content.decode()
    assert 'href="?status=update">update</a> (1)' in html  # it adds the authors
    assert 'href="?status=error">error</a> (1)' in html
    assert 'href="?status=duplicate"' not in html  # none: no link
    errors = editor.get(preview_url(batch) + "?status=error").content.decode()
    assert rows_shown(errors) == [5] and "Syntax error" in errors
    assert '<strong aria-current="page">error</strong> (1)' in errors
    # An unknown filter shows every row.
    assert len(rows_shown(editor.get(preview_url(batch) + "?status=<b>").content.decode())) == 5


def test_a_changed_preview_is_not_confirmed_blindly(editor):
    editor.post(import_url(), {"text": entries(2)})
    batch = ImportBatch.objects.get()
    response = editor.post(preview_url(batch), {"digest": "0" * 64})
    assert response.status_code == 409
    assert "The preview has changed since you saw it" in response.content.decode()
    assert ImportBatch.objects.get().job == ImportBatch.Job.NONE


@pytest.mark.parametrize("count", [25, 60])
def test_a_preview_page_costs_the_same_queries_whatever_the_file(
    editor, monkeypatch, django_assert_num_queries, count
):
    monkeypatch.setattr(admin_import, "ROWS_PER_PAGE", 10)
    editor.post(import_url(), {"text": entries(count)})
    url = preview_url(ImportBatch.objects.get()) + "?page=2"
    with django_assert_num_queries(10):  # with the lab's name in the admin header
        html = editor.get(url).content.decode()
    assert rows_shown(html) == list(range(11, 21))


def test_a_repeat_in_a_later_chunk_of_a_large_file_is_still_found(editor, monkeypatch):
    """A large plan is completed a chunk at a time and the earlier chunks are packed
    (plan.PackedRows): an entry repeating one of an earlier chunk is still "the same as
    entry N", and a possible duplicate of one still shows it side by side."""
    monkeypatch.setattr(plan, "LOAD_CHUNK", 2)
    first = (
        "@article{orig, author = {Byron, Ada}, title = {Recurring report},"
        " journal = {J. Test}, year = {2022}, volume = {7}, doi = {10.4343/orig}}\n"
    )
    again = first.replace("{orig,", "{again,")  # the same DOI, entry 4
    other = (  # the same title and year, another volume and author: entry 5
        "@article{other, author = {Quill, Bertrand}, title = {Recurring report},"
        " journal = {J. Test}, year = {2022}, volume = {8}}\n"
    )
    editor.post(import_url(), {"text": first + entries(2) + again + other})
    batch = ImportBatch.objects.get()
    run_tasks()
    duplicates = editor.get(preview_url(batch) + "?status=duplicate").content.decode()
    assert rows_shown(duplicates) == [4]
    assert "The same paper as entry 1 (line 1) of this file, by DOI." in duplicates
    possible = editor.get(preview_url(batch) + "?status=possible").content.decode()
    assert rows_shown(possible) == [5]
    view = ImportRow.objects.get(batch=batch, number=5).view
    [candidate] = view["candidates"]
    assert candidate["number"] == 1 and candidate["title"] == "Recurring report"
    compared = {name: (stored, entry) for name, stored, entry, _differ in candidate["comparison"]}
    assert compared["volume"] == ("7", "8")  # entry 1's volume beside entry 5's
    assert "Byron" in possible and "Quill" in possible

    response = editor.post(preview_url(batch), {"digest": digest(duplicates)})
    assert response.url == progress_url(batch)
    run_tasks()
    batch.refresh_from_db()
    # Entries 1–3 and 5 (a possible duplicate by title: imported as new by default).
    assert batch.created_count == 4 and batch.duplicate_count == 1
    assert Publication.objects.filter(title_en="Recurring report").count() == 2
