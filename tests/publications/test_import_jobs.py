"""Imports in the background: Confirm queues the import, a worker applies it, the admin
shows its progress (docs/bibtex.md, "Background imports")."""

import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from ruamel.yaml import YAML

from publications import tasks
from publications.bibtex import importer, writing
from publications.models import ImportBatch, Publication
from tests.jobs import confirm, run_tasks

ROOT = Path(__file__).resolve().parent.parent.parent


def entries(count, first=0):
    return "".join(
        f"@article{{job{n}, author = {{Jobson{n}, A. and Mizoguchi, T.}},"
        f" title = {{Queued paper {n}}}, year = {{2021}}, doi = {{10.4242/job.{n}}}}}\n"
        for n in range(first, first + count)
    )


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


def preview_for(client, text):
    response = client.post(reverse("admin:publications_publication_import"), {"text": text})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.get(response.url)  # the preview the editor confirms
    return response.url


def progress_url(batch):
    return reverse("admin:publications_importbatch_progress", args=[batch.pk])


@pytest.mark.django_db
def test_confirm_queues_the_import_and_the_worker_applies_it(editor):
    preview = preview_for(editor, entries(3))
    response = editor.post(preview, {})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == progress_url(batch)
    # The request wrote no paper: it queued one task.
    assert not Publication.objects.filter(doi__startswith="10.4242/").exists()
    assert batch.job == ImportBatch.Job.QUEUED and batch.status == ImportBatch.Status.PENDING
    assert DBTaskResult.objects.ready().count() == 1

    page = editor.get(progress_url(batch))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in html  # updates without JavaScript
    assert '<progress id="import-progress"' in html
    assert "Waiting for the worker" in html
    assert "<script>" not in html  # nothing inline for the CSP to refuse

    [result] = run_tasks()
    assert result.status == "SUCCESSFUL", result.traceback
    assert Publication.objects.filter(doi__startswith="10.4242/").count() == 3
    done = editor.get(progress_url(batch))
    assert done.status_code == 302
    assert done.url == reverse("admin:publications_importbatch_change", args=[batch.pk])
    assert "Imported: 3 new" in editor.get(done.url).content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.job) == (ImportBatch.Status.APPLIED, "")


@pytest.mark.django_db
def test_the_progress_page_shows_how_far_the_worker_is_in_both_languages(editor):
    preview = preview_for(editor, entries(2))
    editor.post(preview, {})
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(
        job=ImportBatch.Job.RUNNING, progress_step="writing", progress_done=1000,
        progress_total=4000,
    )  # fmt: skip
    html = editor.get(progress_url(batch)).content.decode()
    assert 'max="4000" value="1000"' in html and "25 %" in html
    assert "Writing: 1,000 of 4,000 papers" in html
    assert "Stop waiting" not in html  # a running import is not cancelled halfway
    japanese = editor.get(progress_url(batch), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "書き込み中：4,000 件中 1,000 件" in japanese
    assert "このページは 2 秒ごとに自動で更新されます。" in japanese


@pytest.mark.django_db
def test_confirming_twice_queues_one_import(editor):
    preview = preview_for(editor, entries(2))
    editor.post(preview, {})
    again = editor.post(preview, {})
    assert again.status_code == 302 and again.url.endswith("/progress/")
    assert DBTaskResult.objects.count() == 1
    run_tasks()
    assert Publication.objects.filter(doi__startswith="10.4242/").count() == 2


@pytest.mark.django_db
def test_an_import_still_waiting_can_be_called_back(editor):
    preview = preview_for(editor, entries(2))
    editor.post(preview, {})
    batch = ImportBatch.objects.get()
    assert "Stop waiting" in editor.get(progress_url(batch)).content.decode()
    back = editor.post(progress_url(batch), {"cancel": "1"})
    assert back.status_code == 302 and back.url == preview
    [result] = run_tasks()
    assert result.return_value == "not queued"
    assert not Publication.objects.filter(doi__startswith="10.4242/").exists()
    assert editor.get(preview).status_code == 200  # the preview, to confirm again or cancel


@pytest.mark.django_db
def test_an_import_whose_worker_died_can_be_given_up(editor):
    preview = preview_for(editor, entries(2))
    editor.post(preview, {})
    batch = ImportBatch.objects.get()
    running = ImportBatch.objects.filter(pk=batch.pk)
    running.update(job=ImportBatch.Job.RUNNING, progress_at=timezone.now())
    assert "Stop waiting" not in editor.get(progress_url(batch)).content.decode()
    editor.post(progress_url(batch), {"cancel": "1"})
    assert ImportBatch.objects.get().job == ImportBatch.Job.RUNNING  # alive: not stopped
    running.update(progress_at=timezone.now() - timedelta(minutes=11))  # then silent
    html = editor.get(progress_url(batch)).content.decode()
    assert "reported nothing for 10 minutes" in html and "Stop waiting" in html
    back = editor.post(progress_url(batch), {"cancel": "1"})
    assert back.url == preview and editor.get(preview).status_code == 200


@pytest.mark.django_db
def test_a_failing_import_writes_nothing_and_says_so(editor, monkeypatch):
    preview = preview_for(editor, entries(3))

    def crash(*args, **kwargs):  # a fault after the new papers were written
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "_mark_applied", crash)
    back = confirm(editor, preview, {})
    assert back.url == preview
    assert not Publication.objects.filter(doi__startswith="10.4242/").exists()
    assert DBTaskResult.objects.get().status == "FAILED"  # and logged by the worker
    page = editor.get(preview)
    assert page.status_code == 200
    assert "The import failed and wrote nothing" in page.content.decode()
    monkeypatch.undo()
    done = confirm(editor, preview, {})  # confirming again works
    assert done.url == reverse(
        "admin:publications_importbatch_change", args=[ImportBatch.objects.get().pk]
    )
    assert Publication.objects.filter(doi__startswith="10.4242/").count() == 3


@pytest.mark.django_db
def test_the_refusal_is_told_in_the_language_of_the_confirmation(editor):
    preview = preview_for(editor, entries(1))
    Publication.objects.create(title_en="Someone else", year=2021, doi="10.4242/job.0")
    editor.post(preview, {}, HTTP_ACCEPT_LANGUAGE="ja")
    run_tasks()
    page = editor.get(preview, HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 409
    assert "プレビューの後にデータベースが変更されました" in page.content.decode()


@pytest.mark.django_db
def test_undo_runs_in_the_background_too(editor):
    done = confirm(editor, preview_for(editor, entries(3)), {})
    batch = ImportBatch.objects.get()
    undo = reverse("admin:publications_importbatch_undo", args=[batch.pk])
    assert editor.get(done.url).status_code == 200
    queued = editor.post(undo)
    assert queued.status_code == 302 and queued.url == progress_url(batch)
    assert Publication.objects.filter(doi__startswith="10.4242/").count() == 3  # not yet
    assert editor.get(undo).url == progress_url(batch)  # its page is the progress now
    page = editor.get(progress_url(batch), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "取り消しはバックグラウンドで行われます" in page
    [result] = run_tasks()
    assert result.status == "SUCCESSFUL", result.traceback
    assert not Publication.objects.filter(doi__startswith="10.4242/").exists()
    back = editor.get(progress_url(batch))
    assert back.url == reverse("admin:publications_importbatch_change", args=[batch.pk])
    assert "Import undone: 3 papers deleted" in editor.get(back.url).content.decode()
    again = editor.post(undo)
    assert again.status_code == 409 and "already been undone" in again.content.decode()
    assert DBTaskResult.objects.count() == 2  # the import and its undo; nothing queued again


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "status"), [(3, 302), (4, 413)])
def test_a_file_has_at_most_the_entries_of_one_import(editor, settings, count, status):
    settings.LABSITE_IMPORT_MAX_ENTRIES = 3
    text = "@string{j = {J. Test}}\n@comment{not an entry}\n" + entries(count)
    response = editor.post(reverse("admin:publications_publication_import"), {"text": text})
    assert response.status_code == status
    if status == 413:
        assert "The BibTeX has 4 entries; one import takes at most 3." in response.content.decode()
        assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_the_import_form_states_the_limit_in_both_languages(editor):
    url = reverse("admin:publications_publication_import")
    assert "One import takes at most 100,000 entries" in editor.get(url).content.decode()
    japanese = editor.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "1 回に読み込めるのは 100,000 件までです" in japanese


def test_entries_are_counted_as_bibtex_starts_them():
    text = '@String{a = "x"}\n@preamble{"y"}\n@Article (k1, title={t})\n@misc{k2,}\n@comment{z}\n'
    assert importer.count_entries(text) == 2


@pytest.mark.django_db
def test_the_command_refuses_a_file_over_the_limit(settings, tmp_path):
    settings.LABSITE_IMPORT_MAX_ENTRIES = 2
    path = tmp_path / "big.bib"
    path.write_text(entries(3))
    with pytest.raises(Exception, match="one import takes at most 2"):
        call_command("import_bibtex", str(path))
    assert not Publication.objects.filter(doi__startswith="10.4242/").exists()


# --- The real worker command, on committed data (as in production). ---


@pytest.mark.django_db(transaction=True)
def test_db_worker_applies_what_the_admin_queued(editor):
    preview = preview_for(editor, entries(3))
    editor.post(preview, {})
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.APPLIED
    assert Publication.objects.filter(doi__startswith="10.4242/").count() == 3
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="SQLite: one writer, and the import's lock is a write; the page shows no count",
)
@pytest.mark.django_db(transaction=True)
def test_the_progress_of_the_writing_is_seen_while_its_transaction_is_open(monkeypatch):
    """On PostgreSQL others see each chunk's progress at once, not at the commit."""
    batch, _plan = importer.start(text=entries(5))
    ImportBatch.objects.filter(pk=batch.pk).update(job=ImportBatch.Job.RUNNING)
    monkeypatch.setattr(writing, "CHUNK", 2)
    other = connections.create_connection("default")  # another process, as the page is
    seen = []

    class Watched(tasks.BatchProgress):
        MIN_INTERVAL = 0

        def __call__(self, step, done, total):
            super().__call__(step, done, total)
            if step == "writing":
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT progress_done, progress_total FROM publications_importbatch"
                        " WHERE id = %s",
                        [batch.pk],
                    )
                    seen.append(cursor.fetchone())

    progress = Watched(batch.pk)
    try:
        importer.confirm(ImportBatch.objects.get(pk=batch.pk), progress=progress)
    finally:
        progress.close()
        other.close()
    assert Publication.objects.filter(doi__startswith="10.4242/").count() == 5
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5), (5, 5)]


# --- The worker in production: docker compose and the entrypoint. ---


def test_compose_runs_a_worker_with_the_web_service_settings():
    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    assert worker["image"] == web["image"] and worker["build"] == web["build"]
    assert worker["command"] == ["worker"]
    assert worker["environment"] == web["environment"]  # same database, same secrets
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    assert "ports" not in worker
    # A stop lets the running import finish (it is one transaction).
    assert worker["stop_grace_period"] == "2m"


@pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")
def test_the_worker_waits_for_the_migrations_and_then_runs_the_queue(tmp_path):
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "1",
        "DB_WAIT_SECONDS": "2",
        "PYTHON": sys.executable,
    }
    run = ["sh", "deploy/entrypoint.sh", "worker", "--batch", "--no-startup-delay"]
    refused = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "unapplied migrations" in refused.stderr
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True
    )
    assert migrated.returncode == 0, migrated.stderr
    done = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "starting the task worker" in done.stdout
    assert re.search(r"No more tasks to run", done.stdout)
