"""Imports that cannot race (issue 19): one applies at a time, the database guards identity.

Two imports of one file at the same moment store each paper once; the one that comes
second is told the entries are already imported (in both languages), never an
IntegrityError or a 500. The unique constraints on arXiv id and identity key (DOI had
one already) refuse a second copy even from a writer that took no lock.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import translation

from publications.bibtex import importer, locking, plan, writing
from publications.models import ImportBatch, Publication, identity_key
from tests import factories
from tests.jobs import run_tasks

ROOT = Path(__file__).resolve().parents[2]
REPORT = "Chairman's report"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")


def entry(key, title="A paper", year=2020, **fields):
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items())
    return f"@article{{{key},\n  title = {{{title}}},\n  year = {{{year}}},\n{body}}}\n"


def three(doi=False):
    return "".join(
        entry(f"p{n}", f"Paper {n}", author=f"Quastel, H. and Other{n}, A.",
              **({"doi": f"10.1234/race.{n}"} if doi else {}))
        for n in range(3)
    )  # fmt: skip


# ---------------------------------------------------------------- the constraints


@pytest.mark.django_db
def test_a_second_paper_with_one_arxiv_id_is_refused_by_the_database_and_the_form():
    factories.paper(title_en="On arXiv", arxiv_id="arXiv:2101.00001v2")
    copy = Publication(title_en="Another title", year=2021, slug="x", arxiv_id="2101.00001v3")
    with pytest.raises(ValidationError, match="already has this arXiv id"):  # the admin form
        copy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert Publication.objects.filter(arxiv_id="2101.00001").count() == 1


@pytest.mark.django_db
def test_a_stale_plan_applied_past_the_lock_is_refused_by_the_database():
    """Without DOIs only the identity key tells the copies apart: the database refuses them."""
    first, stale = importer.start(text=three())
    second, stale = importer.start(text=three())
    importer.confirm(first)
    assert Publication.objects.count() == 3
    assert [row.status for row in stale.rows] == [plan.NEW] * 3  # planned before the import
    with pytest.raises(IntegrityError), transaction.atomic():
        writing.apply_plan(stale, second)  # what a writer without the lock would do
    assert Publication.objects.count() == 3


@pytest.mark.django_db
def test_papers_sharing_title_and_year_stay_two_papers_and_both_are_guarded():
    """Issue 18's recurring "Chairman's report": other authors, other issues, one year."""
    text = entry("r1", REPORT, 1990, author="Smith, J.", journal="Bull.", volume="3", number="1")
    text += entry("r2", REPORT, 1990, author="Jones, K.", journal="Bull.", volume="3", number="2")
    batch, current = importer.start(text=text)
    assert [row.status for row in current.rows] == [plan.NEW, plan.POSSIBLE]
    importer.confirm(batch)
    keys = list(Publication.objects.filter(title_en=REPORT).values_list("identity_key", flat=True))
    assert len(keys) == 2 and all(keys) and keys[0] != keys[1]
    again, current = importer.start(text=text)
    assert current.actions[plan.NEW] == 0
    importer.confirm(again)
    assert Publication.objects.filter(title_en=REPORT).count() == 2


@pytest.mark.django_db
def test_two_papers_an_editor_keeps_apart_are_both_stored_the_second_unguarded():
    """Two editorials in one issue by different people: one key; the second goes without."""
    text = entry("e1", "Editorial", 2020, author="Smith, J.", journal="Bull.", volume="3")
    text += entry("e2", "Editorial", 2020, author="Jones, K.", journal="Bull.", volume="3")
    importer.confirm(importer.start(text=text)[0])
    assert sorted(bool(p.identity_key) for p in Publication.objects.all()) == [False, True]
    typed = Publication.objects.create(title_en="Editorial", year=2020, venue="Bull.", volume="3")
    assert typed.identity_key == ""  # typed in the admin: saved, not refused


@pytest.mark.django_db
def test_the_key_reads_title_year_kind_and_place_in_the_venue_not_the_spelling():
    base = {"title_en": "DÉFECTS in  ELNES!", "year": 2020, "type": "article", "volume": "3"}
    assert identity_key(base) == identity_key({**base, "title_en": "défects in elnes"})
    assert identity_key(base) == identity_key({**base, "type": "review"})
    for change in ({"year": 2021}, {"issue": "2"}, {"pages": "5-9"}, {"type": "conference"}):
        assert identity_key(base) != identity_key({**base, **change})
    assert identity_key({**base, "doi": "10.1/x"}) == ""  # the DOI's own constraint guards it


@pytest.mark.django_db
def test_the_migration_gives_existing_papers_their_keys(lab_content):
    """The lab's papers; a second paper with one key (an editor kept both) goes without."""
    from importlib import import_module

    migration = import_module("publications.migrations.0016_publication_identity_constraints")
    Publication.objects.update(identity_key="")
    first = Publication.objects.filter(doi="", arxiv_id="").order_by("pk").first()
    twin = Publication.objects.get(pk=first.pk)
    twin.pk, twin.slug = None, "twin"
    twin.save()
    Publication.objects.filter(pk=twin.pk).update(identity_key="")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.fill_identity_keys(apps, editor)
    keyed = Publication.objects.exclude(identity_key="")
    assert keyed.count() == Publication.objects.filter(doi="", arxiv_id="").count() - 1
    assert Publication.objects.get(pk=first.pk).identity_key
    assert Publication.objects.get(pk=twin.pk).identity_key == ""


# ---------------------------------------------------------------- the loser is told


@pytest.mark.django_db
def test_confirming_after_another_import_stored_the_entries_says_already_imported():
    first, _plan = importer.start(text=three())
    second, shown = importer.start(text=three())
    importer.confirm(first)
    with pytest.raises(importer.PlanChanged) as refused:
        importer.confirm(second, expected_digest=shown.digest())
    assert str(refused.value) == (
        f"Already imported: 3 of these entries were imported meanwhile by another import "
        f"(#{first.pk}). Nothing was written; check the new preview."
    )
    assert [row.status for row in refused.value.plan.rows] == [plan.DUPLICATE] * 3
    assert Publication.objects.count() == 3
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.PENDING


@pytest.mark.django_db
def test_a_paper_saved_without_the_lock_between_plan_and_write_is_refused_not_a_500(
    monkeypatch,
):
    """An editor saves the same DOI in the admin while the import writes: rolled back, told."""
    batch, _shown = importer.start(text=three(doi=True))
    build = importer.build

    def build_then_someone_saves(batch, using="default", **kwargs):
        current = build(batch, using, **kwargs)
        Publication.objects.create(title_en="Typed in", year=2020, doi="10.1234/RACE.1")
        return current

    monkeypatch.setattr(importer, "build", build_then_someone_saves)
    with pytest.raises(importer.PlanChanged, match="changed since the preview"):
        importer.confirm(batch)
    monkeypatch.undo()
    assert not Publication.objects.filter(title_en__startswith="Paper").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING


@pytest.mark.django_db
def test_the_admin_tells_the_second_editor_already_imported_in_both_languages(editor_client):
    """Three editors preview one file; the first confirms; the other two are told, en and ja."""
    url = reverse("admin:publications_publication_import")
    previews = [editor_client.post(url, {"text": three()}).url for _ in range(3)]
    pages = [editor_client.get(p, HTTP_ACCEPT_LANGUAGE="en").content.decode() for p in previews]
    digests = [page.split('name="digest" value="')[1].split('"')[0] for page in pages]
    # Confirm queues each import (publications/tasks.py); the worker runs them in turn.
    for preview, digest, language in zip(previews, digests, ("en", "en", "ja"), strict=True):
        response = editor_client.post(preview, {"digest": digest}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302
    run_tasks()
    told = (("en", "Already imported: 3 of these entries"), ("ja", "読み込み済みです"))
    for (language, text), preview in zip(told, previews[1:], strict=True):
        response = editor_client.get(preview, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 409
        assert text in response.content.decode()
    assert Publication.objects.count() == 3


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's busy timeout; PostgreSQL waits for the advisory lock",
)
@pytest.mark.django_db
def test_an_import_that_waited_too_long_for_sqlite_is_told_to_try_again(editor_client, monkeypatch):
    """SQLite gives up after its busy timeout while another import writes: a 409, not a 500."""
    url = reverse("admin:publications_publication_import")
    preview = editor_client.post(url, {"text": three()}).url
    page = editor_client.get(preview, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]

    def busy(batch, using="default"):
        raise OperationalError("database is locked")

    monkeypatch.setattr(locking, "lock_imports", busy)
    told = (("en", "Another import is being written"), ("ja", "別の読み込みを書き込み中"))
    for language, text in told:
        editor_client.post(preview, {"digest": digest}, HTTP_ACCEPT_LANGUAGE=language)
        run_tasks()  # the worker is told so, and gives the preview back with why
        response = editor_client.get(preview, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 409
        assert text in response.content.decode()
    assert not Publication.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.PENDING


# ---------------------------------------------------------------- two processes at once


def _database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _waiting_for_the_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two processes writing at once need PostgreSQL (SQLite: one writer, see locking.py)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("doi", [False, True], ids=["no DOIs", "DOIs"])
def test_two_import_commands_at_once_store_each_paper_once(tmp_path, doi):
    """Issue 19's probe: the same 300 entries imported by two processes at the same moment.

    The test holds the import lock until both processes have planned (each then waits
    for the lock in confirm), so both plans say "300 new" before either writes.
    """
    path = tmp_path / "race.bib"
    path.write_text(
        "".join(
            entry(f"r{n}", f"Race paper {n}", 2000 + n % 20, author=f"Racer{n % 50}, A. B.",
                  **({"doi": f"10.1234/race.{n}"} if doi else {}))
            for n in range(300)
        ),
        encoding="utf-8",
    )  # fmt: skip
    env = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "1"}
    command = [sys.executable, str(ROOT / "manage.py"), "import_bibtex", str(path)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [locking.IMPORT_LOCK_KEY])
        runs = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        deadline = time.monotonic() + 120
        while _waiting_for_the_lock() < 2 and time.monotonic() < deadline:
            assert all(run.poll() is None for run in runs), [r.communicate() for r in runs]
            time.sleep(0.2)
        assert _waiting_for_the_lock() == 2
    outputs = [(run.wait(120), *(out.decode() for out in run.communicate())) for run in runs]
    assert Publication.objects.count() == 300
    assert sorted(code for code, _out, _err in outputs) == [0, 1]
    (_c, won, _e), (_c2, _o, lost) = sorted(outputs, key=lambda output: output[0])
    assert "300 new, 0 updated" in won
    assert "Already imported: 300 of these entries were imported meanwhile" in lost
    assert "IntegrityError" not in lost and "Traceback" not in lost
