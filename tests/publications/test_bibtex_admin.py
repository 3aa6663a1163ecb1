"""The admin's BibTeX import as an Editor uses it: upload or paste → preview → confirm → undo."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publications.bibtex.decoding import MAX_BYTES
from publications.models import ImportBatch, Person, Publication
from tests.jobs import confirm, run_tasks

pytestmark = pytest.mark.django_db

ENTRY = """@article{tanaka2024new,
  author = {Quastel, Hanako and Mizoguchi, T.},
  title = {A brand-new paper on {ELNES} of Ti{O$_2$}},
  journal = {J. Test},
  year = {2024},
  doi = {10.1234/new.2024.1},
  keywords = {ELNES},
}
"""
BROKEN = "@article{nokey_year, title = {Bad year here}, year = {someday}}\n"


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


def import_url():
    return reverse("admin:publications_publication_import")


def upload(client, content, name="papers.bib", **extra):
    file = SimpleUploadedFile(name, content, content_type="application/x-bibtex")
    return client.post(import_url(), {"file": file, **extra})


def preview_of(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url


def digest(html):
    return re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)


def test_changelist_links_to_the_import_screen(editor, lab_content):
    html = editor.get(reverse("admin:publications_publication_changelist")).content.decode()
    assert import_url() in html
    assert editor.get(import_url()).status_code == 200


def test_upload_preview_confirm_then_undo(editor, lab_content):
    before = Publication.objects.count()
    preview = preview_of(upload(editor, ENTRY.encode()))
    html = editor.get(preview).content.decode()
    assert "tanaka2024new" in html
    assert "A brand-new paper on ELNES of TiO$_2$" in html
    assert "Hanako Quastel" in html  # a new person, listed in the preview
    assert Publication.objects.count() == before  # nothing written by the preview

    response = confirm(editor, preview, {"digest": digest(html)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:publications_importbatch_change", args=[batch.pk])
    paper = Publication.objects.get(doi="10.1234/new.2024.1")
    assert paper.title_en == "A brand-new paper on ELNES of TiO$_2$"
    assert [a.person.full_name("en") for a in paper.ordered_authorships] == [
        "Hanako Quastel",
        "Teruyasu Mizoguchi",  # "Mizoguchi, T." is the lab's Mizoguchi, not a new person
    ]
    assert "tanaka2024new" in paper.bibtex
    assert batch.status == ImportBatch.Status.APPLIED and batch.created_by.username == "secretary"

    page = editor.get(response.url).content.decode()
    undo = reverse("admin:publications_importbatch_undo", args=[batch.pk])
    assert undo in page
    assert editor.get(undo).status_code == 200
    queued = editor.post(undo)  # the worker undoes it (tests/publications/test_import_jobs.py)
    assert queued.status_code == 302 and queued.url.endswith("/progress/")
    run_tasks()
    assert editor.get(queued.url).status_code == 302
    assert not Publication.objects.filter(doi="10.1234/new.2024.1").exists()
    assert not Person.objects.filter(family_name_en="Quastel").exists()
    assert Publication.objects.count() == before

    again = editor.post(undo)
    assert again.status_code == 409
    assert "already been undone" in again.content.decode()


def test_pasted_text_and_a_second_import_finds_the_duplicate(editor, lab_content):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY}))
    confirm(editor, preview, {"digest": digest(editor.get(preview).content.decode())})
    second = preview_of(editor.post(import_url(), {"text": ENTRY}))
    html = editor.get(second).content.decode()
    paper = Publication.objects.get(doi="10.1234/new.2024.1")
    assert "duplicate" in html and "same DOI" in html
    assert reverse("admin:publications_publication_change", args=[paper.pk]) in html
    assert "Nothing to import" in html


def test_update_row_lists_the_changed_fields(editor, lab_content):
    paper = Publication.objects.exclude(pages="").first()
    entry = (
        f"@article{{x, title = {{{paper.title_en}}}, year = {paper.year},"
        f" note = {{Best poster award 999}}}}\n"
    )
    html = editor.get(preview_of(editor.post(import_url(), {"text": entry}))).content.decode()
    assert "update" in html and "same title and year" in html
    assert "note (English)" in html and "Best poster award 999" in html


def test_errors_need_import_the_rest(editor, lab_content):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY + BROKEN}))
    html = editor.get(preview).content.decode()
    assert "The year “someday” cannot be read" in html and "line 9" not in html
    refused = editor.post(preview, {"digest": digest(html)})
    assert refused.status_code == 400
    assert not Publication.objects.filter(doi="10.1234/new.2024.1").exists()
    done = confirm(editor, preview, {"digest": digest(html), "skip_errors": "1"})
    assert done.status_code == 302
    assert Publication.objects.filter(doi="10.1234/new.2024.1").exists()
    assert ImportBatch.objects.get().error_count == 1


def test_a_preview_gone_stale_is_shown_again(editor, lab_content):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY}))
    html = editor.get(preview).content.decode()
    Publication.objects.create(title_en="Someone else", year=2024, doi="10.1234/new.2024.1")
    back = confirm(editor, preview, {"digest": digest(html)})
    assert back.status_code == 302 and back.url == preview  # the worker wrote nothing
    response = editor.get(preview)
    assert response.status_code == 409
    assert "changed since the preview" in response.content.decode()
    assert "changed since the preview" not in editor.get(preview).content.decode()  # told once
    assert Publication.objects.filter(doi="10.1234/new.2024.1").count() == 1


def test_cancel_writes_nothing(editor, lab_content):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY}))
    assert editor.post(preview, {"cancel": "1"}).status_code == 302
    assert not ImportBatch.objects.exists()
    assert not Publication.objects.filter(doi="10.1234/new.2024.1").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose a .bib file"),  # an empty upload is no file at all to Django
        (b"   \n\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Привет @article{x}".encode("cp1251"), "encoding is not supported"),
        (b"just some text, no entries", "No BibTeX entries were found"),
    ],
)
def test_bad_files_get_a_clear_message(editor, content, message):
    response = upload(editor, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_a_message(editor):
    response = upload(editor, b"%" * (MAX_BYTES + 1))
    assert response.status_code == 413
    assert f"larger than {MAX_BYTES // (1024 * 1024)} MB" in response.content.decode()


def test_paste_and_file_together_are_refused(editor):
    response = upload(editor, ENTRY.encode(), text=ENTRY)
    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_the_import_screen_is_translated(editor):
    response = editor.get(import_url(), HTTP_ACCEPT_LANGUAGE="ja")
    assert "BibTeX の読み込み" in response.content.decode()
    assert (
        "アップロードする .bib ファイル"
        in editor.post(import_url(), {}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    )


def test_visitors_and_staff_without_permission_cannot_import(client):
    assert client.get(import_url()).status_code == 302  # to the login page
    user = User.objects.create_user("guest", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(import_url()).status_code == 403


def test_import_batches_changelist(editor, lab_content):
    preview_of(editor.post(import_url(), {"text": ENTRY}))
    response = editor.get(reverse("admin:publications_importbatch_changelist"))
    assert response.status_code == 200
    assert "Open the preview" in response.content.decode()


def many_entries(count):
    return "".join(
        f"@article{{m{n}, author = {{Auth{n}, A. and Mizoguchi, T.}}, title = {{Paper {n}}},"
        f" year = {{2020}}, keywords = {{ELNES, Topic {n}}}}}\n"
        for n in range(count)
    )


@pytest.mark.parametrize("count", [2, 80])
def test_preview_query_count_does_not_grow(editor, lab_content, django_assert_num_queries, count):
    done = preview_of(editor.post(import_url(), {"text": many_entries(count)}))
    confirm(editor, done, {"digest": digest(editor.get(done).content.decode())})
    again = preview_of(editor.post(import_url(), {"text": many_entries(count)}))  # duplicates
    # 9 for the page of the preview, 1 for the lab's name in the admin header (labsite/admin.py).
    with django_assert_num_queries(10):
        response = editor.get(again)
    assert response.content.decode().count('class="import-row-duplicate"') == count


@pytest.mark.parametrize("count", [1, 25])
def test_import_batches_changelist_query_count(editor, django_assert_num_queries, count):
    for _ in range(count):
        ImportBatch.objects.create(source="admin", filename="x.bib")
    with django_assert_num_queries(11):  # with the lab's name in the header
        response = editor.get(reverse("admin:publications_importbatch_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 40])
def test_import_batch_page_query_count(editor, lab_content, django_assert_num_queries, count):
    done = preview_of(editor.post(import_url(), {"text": many_entries(count)}))
    confirm(editor, done, {"digest": digest(editor.get(done).content.decode())})
    batch = ImportBatch.objects.get()
    ContentType.objects.clear_cache()  # the same start, whichever test ran before
    with django_assert_num_queries(10):  # with the lab's name in the header
        response = editor.get(reverse("admin:publications_importbatch_change", args=[batch.pk]))
    assert response.content.decode().count("/admin/publications/publication/") >= count


REPORT = (
    "@article{rep2, author = {Quill, Bertrand}, title = {Chairman's report},"
    " journal = {Bull. Soc.}, year = {2020}, number = {2}, pages = {33--34}}\n"
)


@pytest.fixture
def stored_report(db):
    person = Person.objects.create(family_name_en="Byron", given_name_en="Ada")
    report = Publication.objects.create(
        title_en="Chairman's report", year=2020, venue="Bull. Soc.", issue="1", pages="1-2"
    )
    report.authorships.create(person=person, position=1)
    return report


def test_a_possible_duplicate_is_shown_side_by_side_with_a_choice(editor, stored_report):
    html = editor.get(preview_of(editor.post(import_url(), {"text": ENTRY + REPORT}))).content
    html = html.decode()
    assert 'class="import-row-possible"' in html
    assert f"Possibly the same paper as #{stored_report.pk}" in html
    compare = html[html.index('class="import-compare"') :]
    compare = compare[: compare.index("</table>")]
    assert "Stored paper" in compare and "This entry" in compare
    assert "Ada Byron" in compare and "Quill, Bertrand" in compare
    assert compare.count("(differs)") == 3  # authors, issue, pages; not the title or venue
    assert '<option value="new" selected>Import as new</option>' in html
    assert f'<option value="update:{stored_report.pk}">Update paper #{stored_report.pk}' in html
    assert 'name="choice-1"' in html  # a new entry can be skipped too


def test_confirm_applies_the_choices_of_each_row(editor, stored_report):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY + REPORT}))
    html = editor.get(preview).content.decode()
    choices = {"choice-1": "skip", "choice-2": f"update:{stored_report.pk}"}
    response = confirm(editor, preview, {"digest": digest(html), **choices})
    assert response.status_code == 302
    assert not Publication.objects.filter(doi="10.1234/new.2024.1").exists()
    stored_report.refresh_from_db()
    assert (stored_report.issue, stored_report.pages) == ("2", "33-34")
    batch = ImportBatch.objects.get()
    assert (batch.created_count, batch.updated_count) == (0, 1)
    assert batch.skipped == [[1, "tanaka2024new", "skipped by choice"]]


def test_an_impossible_choice_is_a_400_and_writes_nothing(editor, stored_report):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY + REPORT}))
    html = editor.get(preview).content.decode()
    # Not a choice at all: refused by the request itself.
    response = editor.post(preview, {"digest": digest(html), "choice-2": "delete everything"})
    assert response.status_code == 400
    assert "“delete everything” is not a choice" in response.content.decode()
    # A choice this row does not offer: refused against the stored preview, and said why.
    response = editor.post(preview, {"digest": digest(html), "choice-2": "update:999999"})
    assert response.status_code == 400
    assert "cannot be “update:999999”" in response.content.decode()
    # Nor queued, nor written.
    assert ImportBatch.objects.get().job == ImportBatch.Job.NONE
    assert Publication.objects.count() == 1
    assert ImportBatch.objects.get().status == ImportBatch.Status.PENDING


def test_a_stale_preview_keeps_the_choices_still_possible(editor, stored_report):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY + REPORT}))
    html = editor.get(preview).content.decode()
    Publication.objects.create(title_en="Someone else", year=2024, doi="10.1234/new.2024.1")
    confirm(editor, preview, {"digest": digest(html), "choice-2": "skip"})
    response = editor.get(preview)
    assert response.status_code == 409
    page = response.content.decode()
    assert '<option value="skip" selected>Skip</option>' in page
    assert Publication.objects.count() == 2
    stored_report.refresh_from_db()
    assert stored_report.issue == "1"


@pytest.mark.parametrize("count", [2, 40])
def test_preview_of_possible_duplicates_query_count_does_not_grow(
    editor, django_assert_num_queries, count
):
    byron = Person.objects.create(family_name_en="Byron", given_name_en="Ada")
    for n in range(count):
        report = Publication.objects.create(title_en=f"Report {n}", year=2020, issue="1")
        report.authorships.create(person=byron, position=1)
    text = "".join(
        f"@article{{r{n}, author = {{Quill, B.}}, title = {{Report {n}}}, year = 2020,"
        f" number = {{2}}}}\n"
        for n in range(count)
    )
    preview = preview_of(editor.post(import_url(), {"text": text}))
    with django_assert_num_queries(10):  # with the lab's name in the header
        response = editor.get(preview)
    html = response.content.decode()
    assert html.count('class="import-row-possible"') == count
    assert html.count('class="import-compare"') == count


def test_undo_page_says_later_edits_are_kept_and_undo_keeps_them(editor, lab_content):
    preview = preview_of(editor.post(import_url(), {"text": ENTRY}))
    confirm(editor, preview, {"digest": digest(editor.get(preview).content.decode())})
    batch = ImportBatch.objects.applied().get()
    paper = Publication.objects.get(doi="10.1234/new.2024.1")
    paper.volume = "9"
    paper.save()
    undo = reverse("admin:publications_importbatch_undo", args=[batch.pk])
    assert "undoing keeps those edits" in editor.get(undo).content.decode()
    assert (
        "取り消してもその編集は残ります"
        in editor.get(undo, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    )
    assert editor.post(undo).url.endswith("/progress/")  # the worker undoes it
    run_tasks()
    page = editor.get(undo.replace("/undo/", "/progress/"), follow=True).content.decode()
    assert "kept, because they were edited after the import" in page
    assert Publication.objects.get(pk=paper.pk).volume == "9"
