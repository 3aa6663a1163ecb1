"""`manage.py backup` and `restore`: a round trip identical in content, and bad archives
refused before anything is touched (labsite/backup.py, README "Backup").

Everything runs on the suite's own database (SQLite or PostgreSQL, with the real
pg_dump, pg_restore and psql) and restores into a second, empty database of the
same kind. The tests commit (transaction=True): pg_dump reads committed rows only.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import load_backend
from PIL import Image

from labsite import backup
from publications.models import Publication
from research.models import ResearchTheme
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "restored"


def png_bytes(size=(40, 30), colour="teal"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def pg_tools():
    """Skip (saying why) where the PostgreSQL client programs are missing."""
    connection = connections["default"]
    if connection.vendor == "postgresql":
        major = connection.pg_version // 10000
        for tool in ("pg_dump", "pg_restore", "psql"):
            try:
                backup.find_pg_tool(tool, major if tool == "pg_dump" else 0)
            except backup.BackupError as error:
                pytest.skip(str(error))


@pytest.fixture
def media(settings, tmp_path, pg_tools):
    """MEDIA_ROOT of the site being backed up: a folder of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    Path(settings.MEDIA_ROOT).mkdir()
    return Path(settings.MEDIA_ROOT)


def attach(alias, params):
    """A connection to another database, `connections[alias]` for this test only.

    Not in settings.DATABASES: Django's test case lets a test use such a database,
    where it refuses a configured one that the test did not declare (and pytest-django
    would create a test database for a declared one).
    """
    wrapper = load_backend(params["ENGINE"]).DatabaseWrapper(params, alias)
    setattr(connections._connections, alias, wrapper)
    return wrapper


def detach(alias):
    connections[alias].close()
    delattr(connections._connections, alias)


@pytest.fixture
def empty_target(tmp_path):
    """A second database of the suite's kind, empty (no tables), as the alias TARGET."""
    default = connections["default"]
    params = {**default.settings_dict}
    if default.vendor == "postgresql":
        params["NAME"] = f"{default.settings_dict['NAME']}_restored"
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{params["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{params["NAME"]}"')
    else:
        params["NAME"] = str(tmp_path / "restored.sqlite3")
    yield attach(TARGET, params)
    detach(TARGET)
    if default.vendor == "postgresql":
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{params["NAME"]}" WITH (FORCE)')


@pytest.fixture
def site_content(lab_content, media):
    """The lab's content, an account, and theme images (one under a Japanese name)."""
    User.objects.create_user("editor", password="pw", is_staff=True)
    themes = list(ResearchTheme.objects.order_by("pk")[:2])
    themes[0].image.save("lattice.png", ContentFile(png_bytes()), save=False)
    themes[0].image_alt_en = "A lattice"
    themes[0].save()
    themes[1].image.save("格子欠陥.png", ContentFile(png_bytes((64, 48), "navy")), save=False)
    themes[1].image_alt_ja = "格子欠陥"
    themes[1].save()
    (media / "renditions").mkdir()
    (media / "renditions" / "made-on-first-view.webp").write_bytes(os.urandom(5000))
    return lab_content


def every_row(connection):
    """{table: sorted rows} of every table but the cache's (an archive keeps it empty)."""
    skip = set(backup._cache_tables())
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in skip:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(
                (
                    tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                    for row in cursor.fetchall()
                ),
                key=repr,
            )
    return rows


def every_file(folder):
    """{relative path: bytes} of every file under `folder`."""
    folder = Path(folder)
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def rewrite(source, target, members=None, manifest=None, rehash=True):
    """A copy of an archive with its members and/or manifest changed by the callables."""
    with tarfile.open(source) as tar:
        data = {member.name: tar.extractfile(member).read() for member in tar}
    contents = json.loads(data.pop(backup.MANIFEST))
    if members:
        members(data)
    if rehash:
        contents["members"] = {
            name: {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            for name, body in data.items()
        }
    if manifest:
        manifest(contents)
    data[backup.MANIFEST] = json.dumps(contents).encode()
    with tarfile.open(target, "w") as tar:
        for name, body in data.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return target


def target_is_untouched(target, media_root):
    assert target.introspection.table_names() == []
    assert every_file(media_root) == {}


class TestRoundTrip:
    def test_a_restore_into_an_empty_database_is_identical_in_content(
        self, site_content, media, empty_target, tmp_path, settings
    ):
        archive = tmp_path / "site.tar"
        call_command("backup", output=str(archive), stdout=io.StringIO())
        before_rows, before_files = every_row(connections["default"]), every_file(media)

        settings.MEDIA_ROOT = str(tmp_path / "restored-media")
        out = io.StringIO()
        call_command("restore", str(archive), database=TARGET, stdout=out)

        assert "Restored" in out.getvalue()
        after_rows = every_row(empty_target)
        assert set(after_rows) == set(before_rows)
        for table, rows in before_rows.items():
            assert after_rows[table] == rows, table
        # Not vacuous: the lab's content, the account, the search index came along.
        assert len(after_rows["publications_publication"]) == 32
        assert len(after_rows["research_researchtheme"]) == 6
        assert len(after_rows["auth_user"]) == 1
        assert len(after_rows["publications_searchentry"]) == 32
        after_files = every_file(settings.MEDIA_ROOT)
        assert after_files == before_files
        assert {"themes/lattice.png", "themes/格子欠陥.png"} <= set(after_files)

    def test_after_a_restore_new_rows_get_new_ids(self, media, empty_target, tmp_path):
        """The counters behind the ids (PostgreSQL's sequences) come back too."""
        Group.objects.bulk_create(Group(name=f"g{i}") for i in range(5))
        highest = Group.objects.order_by("-pk").first().pk
        archive = tmp_path / "site.tar"
        backup.create(archive)

        backup.restore(archive, using=TARGET)

        new = Group.objects.using(TARGET).create(name="made after the restore")
        assert new.pk > highest

    def test_the_archive_holds_a_manifest_with_what_a_restore_needs(self, media, tmp_path):
        factories.paper()
        (media / "a.txt").write_bytes(b"hello")
        archive = tmp_path / "site.tar"
        backup.create(archive)

        with tarfile.open(archive) as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile(backup.MANIFEST))
        vendor = connections["default"].vendor
        assert names == [backup.DATABASE_MEMBERS[vendor], "media/a.txt", "manifest.json"]
        assert manifest["database"]["vendor"] == vendor
        assert manifest["created"]
        assert "0001_initial" in manifest["migrations"]["publications"]
        assert manifest["members"]["media/a.txt"] == {
            "size": 5,
            "sha256": hashlib.sha256(b"hello").hexdigest(),
        }
        assert manifest["content"]["publications"] == 1
        # Password hashes and sessions inside: the archive is its owner's alone.
        assert archive.stat().st_mode & 0o077 == 0

    def test_check_reads_an_archive_without_restoring_it(self, media, tmp_path):
        factories.paper()
        archive = tmp_path / "site.tar"
        backup.create(archive)
        out = io.StringIO()
        call_command("restore", str(archive), check=True, stdout=out)
        assert "is intact" in out.getvalue()
        assert "1 publication," in out.getvalue()

    def test_backups_are_never_written_where_visitors_download_media(self, media):
        with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
            call_command("backup", output=str(media / "site.tar"))
        assert every_file(media) == {}

    def test_an_archive_of_older_code_restores_and_asks_for_migrate(
        self, media, empty_target, tmp_path
    ):
        factories.paper()
        archive = tmp_path / "site.tar"
        backup.create(archive)

        def older(manifest):
            manifest["migrations"]["publications"].pop()

        old = rewrite(archive, tmp_path / "old.tar", manifest=older)
        out = io.StringIO()
        call_command("restore", str(old), database=TARGET, stdout=out)
        assert "lacks 1 migration(s) of this code: run `manage.py migrate`" in out.getvalue()
        assert Publication.objects.using(TARGET).count() == 1


class TestOverwriting:
    def test_a_database_with_content_is_refused_with_what_it_holds(
        self, media, empty_target, tmp_path, settings
    ):
        factories.paper()
        archive = tmp_path / "site.tar"
        backup.create(archive)
        backup.restore(archive, using=TARGET)
        Publication.objects.using(TARGET).update(title_en="Edited after the restore")

        with pytest.raises(CommandError) as refused:
            call_command("restore", str(archive), database=TARGET)

        message = str(refused.value)
        assert "Not restoring over existing content" in message
        assert "1 publication," in message
        assert "--force" in message
        assert Publication.objects.using(TARGET).get().title_en == "Edited after the restore"

    def test_media_files_alone_are_refused_too(self, media, empty_target, tmp_path, settings):
        archive = tmp_path / "site.tar"
        backup.create(archive)
        settings.MEDIA_ROOT = str(tmp_path / "other-media")
        Path(settings.MEDIA_ROOT).mkdir()
        Path(settings.MEDIA_ROOT, "kept.png").write_bytes(b"x")

        with pytest.raises(backup.BackupError, match=r"holds 1 file \(1 bytes\)"):
            backup.restore(archive, using=TARGET)
        assert empty_target.introspection.table_names() == []

    def test_force_replaces_everything_with_the_archive(
        self, media, empty_target, tmp_path, settings
    ):
        factories.paper(title_en="In the archive")
        (media / "themes").mkdir()
        (media / "themes" / "kept.png").write_bytes(png_bytes())
        archive = tmp_path / "site.tar"
        backup.create(archive)
        settings.MEDIA_ROOT = restored_media = tmp_path / "restored-media"
        backup.restore(archive, using=TARGET)
        # Then the target changes: a paper and a media file the archive does not have.
        Publication.objects.using(TARGET).create(title_en="Added later", year=2024)
        Path(restored_media, "themes", "added-later.png").write_bytes(b"later")

        out = io.StringIO()
        call_command("restore", str(archive), database=TARGET, force=True, stdout=out)

        assert "Replaced what was there" in out.getvalue()
        titles = list(Publication.objects.using(TARGET).values_list("title_en", flat=True))
        assert titles == ["In the archive"]
        assert every_file(restored_media) == every_file(media)


class TestBadArchives:
    """A clear message, and neither the database nor the media folder touched."""

    @pytest.fixture
    def archive(self, media, tmp_path):
        factories.paper()
        (media / "themes").mkdir()
        (media / "themes" / "a.png").write_bytes(png_bytes())
        path = tmp_path / "site.tar"
        backup.create(path)
        return path

    @pytest.fixture
    def target_media(self, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path / "restored-media")
        return Path(settings.MEDIA_ROOT)

    @pytest.mark.parametrize("cut_in", ["database", "media/themes/a.png", "manifest.json"])
    def test_a_truncated_archive(self, archive, empty_target, target_media, tmp_path, cut_in):
        with tarfile.open(archive) as tar:
            member = next(m for m in tar if m.name.startswith(cut_in))
        truncated = tmp_path / "truncated.tar"
        truncated.write_bytes(archive.read_bytes()[: member.offset_data + member.size // 2])

        with pytest.raises(CommandError, match="truncated"):
            call_command("restore", str(truncated), database=TARGET)
        target_is_untouched(empty_target, target_media)

    def test_a_changed_byte(self, archive, empty_target, target_media, tmp_path):
        def flip(members):
            body = bytearray(members["media/themes/a.png"])
            body[-20] ^= 0xFF
            members["media/themes/a.png"] = bytes(body)

        damaged = rewrite(archive, tmp_path / "damaged.tar", members=flip, rehash=False)

        with pytest.raises(CommandError, match=r"media/themes/a.png: checksum mismatch"):
            call_command("restore", str(damaged), database=TARGET)
        target_is_untouched(empty_target, target_media)

    def test_an_archive_of_the_other_kind_of_database(
        self, archive, empty_target, target_media, tmp_path
    ):
        ours = connections["default"].vendor
        other = "sqlite" if ours == "postgresql" else "postgresql"

        def rename(members):
            members[backup.DATABASE_MEMBERS[other]] = members.pop(backup.DATABASE_MEMBERS[ours])

        def relabel(manifest):
            manifest["database"].update(vendor=other, member=backup.DATABASE_MEMBERS[other])

        foreign = rewrite(archive, tmp_path / "foreign.tar", members=rename, manifest=relabel)

        with pytest.raises(CommandError) as refused:
            call_command("restore", str(foreign), database=TARGET)
        theirs, mine = backup.VENDOR_NAMES[other], backup.VENDOR_NAMES[ours]
        assert f"holds a {theirs} database and this site's database is {mine}" in str(refused.value)
        target_is_untouched(empty_target, target_media)

    def test_an_archive_of_newer_code(self, archive, empty_target, target_media, tmp_path):
        def newer(manifest):
            manifest["migrations"]["publications"].append("9999_from_the_future")

        future = rewrite(archive, tmp_path / "future.tar", manifest=newer)

        with pytest.raises(CommandError, match=r"publications\.9999_from_the_future"):
            call_command("restore", str(future), database=TARGET)
        target_is_untouched(empty_target, target_media)

    def test_not_an_archive(self, empty_target, target_media, tmp_path):
        junk = tmp_path / "notes.tar"
        junk.write_text("not a tar file")
        with pytest.raises(CommandError, match="not a readable tar archive"):
            call_command("restore", str(junk), database=TARGET)
        target_is_untouched(empty_target, target_media)

    def test_a_database_that_fails_to_load_leaves_the_old_content(
        self, archive, empty_target, target_media, tmp_path, settings
    ):
        """A dump whose checksums match but which cannot be loaded: with --force over
        existing content, the old rows and files stay, and no new file appears."""
        backup.restore(archive, using=TARGET)
        rows, files = every_row(empty_target), every_file(target_media)

        def garbage(members):
            name = backup.DATABASE_MEMBERS[connections["default"].vendor]
            members[name] = b"PGDMP but not really" + os.urandom(4000)
            members["media/themes/new.png"] = b"new"

        broken = rewrite(archive, tmp_path / "broken.tar", members=garbage)

        with pytest.raises(
            CommandError, match="Nothing was restored: the database and the media folder are as"
        ):
            call_command("restore", str(broken), database=TARGET, force=True)
        assert every_row(empty_target) == rows
        assert every_file(target_media) == files


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL only: psql failing halfway through the dump",
)
def test_a_dump_failing_halfway_on_postgresql_rolls_everything_back(
    media, empty_target, tmp_path, settings
):
    """The dump creates tables and loads rows, then an index fails to build: the whole
    load is one transaction, so the target keeps its old tables and rows."""
    factories.paper(title_en="Old content")
    archive = tmp_path / "site.tar"
    backup.create(archive)
    backup.restore(archive, using=TARGET)
    with connections["default"].cursor() as cursor:
        # An index whose function later divides by zero on the row it already holds.
        cursor.execute("CREATE TABLE zz_fails (x integer)")
        cursor.execute("INSERT INTO zz_fails VALUES (1)")
        cursor.execute(
            "CREATE FUNCTION zz_f(integer) RETURNS integer IMMUTABLE LANGUAGE sql AS 'SELECT 1'"
        )
        cursor.execute("CREATE INDEX zz_index ON zz_fails (zz_f(x))")
        cursor.execute(
            "CREATE OR REPLACE FUNCTION zz_f(integer) RETURNS integer IMMUTABLE LANGUAGE sql"
            " AS 'SELECT 1 / ($1 - 1)'"
        )
    failing = tmp_path / "failing.tar"
    try:
        backup.create(failing)
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute("DROP TABLE zz_fails; DROP FUNCTION zz_f(integer)")

    with pytest.raises(backup.BackupError, match="division by zero"):
        backup.restore(failing, using=TARGET, force=True)

    tables = empty_target.introspection.table_names()
    assert "zz_fails" not in tables
    assert "publications_publication" in tables
    assert list(Publication.objects.using(TARGET).values_list("title_en", flat=True)) == [
        "Old content"
    ]


class TestClientPrograms:
    def test_a_missing_pg_dump_is_named_with_where_to_get_it(self, settings, tmp_path):
        settings.LABSITE_PG_BINDIR = str(tmp_path)
        with pytest.raises(backup.BackupError) as missing:
            backup.find_pg_tool("pg_dump", 15)
        assert "pg_dump 15 or newer is needed; none was found" in str(missing.value)
        assert "PG_BINDIR" in str(missing.value)

    def test_a_pg_dump_older_than_the_server_is_not_used(self, settings, tmp_path):
        old = tmp_path / "pg_dump"
        old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
        old.chmod(0o755)
        settings.LABSITE_PG_BINDIR = str(tmp_path)
        with pytest.raises(backup.BackupError, match=r"found: .*pg_dump \(13\)"):
            backup.find_pg_tool("pg_dump", 15)
        assert backup.find_pg_tool("pg_dump", 13) == (str(old), 13)

    @pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PostgreSQL only: pg_dump's own error",
    )
    def test_the_password_is_never_on_the_command_line_nor_in_a_message(self, pg_tools, tmp_path):
        params = {
            **connections["default"].settings_dict,
            "NAME": "labsite_no_such_database",
            "PASSWORD": "s3cret-passphrase",
        }
        attach("wrong", params)
        try:
            pg_dump, _ = backup.find_pg_tool("pg_dump", 0)
            argv, env = backup._pg_command(connections["wrong"], pg_dump, ["--file=x.pgdump"])
            with pytest.raises(backup.BackupError) as failed:
                backup._run(argv, env, what="pg_dump")
        finally:
            detach("wrong")
        assert "s3cret-passphrase" not in " ".join(argv)  # `ps` shows the command line
        assert env["PGPASSWORD"] == "s3cret-passphrase"
        assert "labsite_no_such_database" in str(failed.value)
        assert "s3cret-passphrase" not in str(failed.value)


def test_a_bad_archive_exits_non_zero_with_the_message_and_no_traceback(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"\0" * 100)
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(junk)],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "junk.tar" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "media").exists()
