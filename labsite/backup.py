"""Backup and restore: the database and the media files in one archive (README, "Backup").

An archive is a plain tar file:

    database.pgdump     pg_dump's custom format (PostgreSQL), or
    database.sqlite3    a copy made with SQLite's online backup API (SQLite)
    media/…             every file under MEDIA_ROOT
    manifest.json       (last) when, by which code, from which database, its
                        migrations, and the size and sha256 of every other member

The manifest comes last because the members' checksums are computed while they
are written (a media file is read once). `restore` reads the whole archive and
checks every checksum before it touches anything, then loads the database in one
transaction (one psql transaction on PostgreSQL, one backup-API copy on SQLite)
and only then swaps the media folder in: a failure at any step leaves the
database and the media as they were.

An archive restores into a database of the same vendor only: a pg_dump is not a
SQLite file and the reverse, and going through Django's dumpdata would lose what
the dump keeps (the search index's vectors, sequences, the migration table) —
refused with a message rather than half-supported.

The DatabaseCache table is kept empty in the archive (its pages are keyed on the
content version, which the cache tables of two sites do not share); restoring
replaces the content version, so every process drops what it cached before.
"""

import contextlib
import datetime
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "labsite-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
MEDIA_PREFIX = "media/"
# Files in MEDIA_ROOT that do not make it non-empty (the repository's placeholder).
MEDIA_PLACEHOLDERS = {".gitkeep"}
# Staging folders restore makes inside MEDIA_ROOT (same file system: renames are atomic).
STAGING_PREFIX = ".restore-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (no traceback)."""


# --- Small helpers ---------------------------------------------------------------------


class _HashingReader:
    """A file read through: what tarfile copies into the archive is what gets hashed."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.fileobj.read(size)
        self.sha256.update(data)
        return data


def _copy_hashing(source, target, size):
    """Copy `size` bytes from `source` to `target` (None: only read); their sha256."""
    digest = hashlib.sha256()
    remaining = size
    while remaining:
        data = source.read(min(CHUNK, remaining))
        if not data:
            raise BackupError("the archive is truncated (a member ends early)")
        digest.update(data)
        if target is not None:
            target.write(data)
        remaining -= len(data)
    return digest.hexdigest()


def human_size(size):
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return ""  # not reached


def _labsite_version():
    """(version from pyproject.toml, git commit or None)."""
    import tomllib

    version = None
    with (
        contextlib.suppress(OSError, KeyError, tomllib.TOMLDecodeError),
        open(settings.BASE_DIR / "pyproject.toml", "rb") as fh,
    ):
        version = tomllib.load(fh)["project"]["version"]
    commit = None
    if (settings.BASE_DIR / ".git").exists() and shutil.which("git"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            result = subprocess.run(
                ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            if result.returncode == 0:
                commit = result.stdout.strip()
    return version, commit


def database_label(connection):
    """The database as an operator knows it (never its password)."""
    params = connection.settings_dict
    vendor = VENDOR_NAMES.get(connection.vendor, connection.vendor)
    if connection.vendor == "sqlite":
        return f"{vendor} database {params['NAME']}"
    where = params.get("HOST") or "local socket"
    if params.get("PORT"):
        where += f":{params['PORT']}"
    return f'{vendor} database "{params["NAME"]}" on {where}'


def migration_state(connection):
    """{app label: [applied migration names]} of the database."""
    applied = MigrationRecorder(connection).applied_migrations()
    state = {}
    for app_label, name in sorted(applied):
        state.setdefault(app_label, []).append(name)
    return state


def content_summary(connection):
    """{what: rows} for the main kinds of content, of the tables the database has."""
    from publications.models import Keyword, Person, Publication
    from research.models import ResearchTheme

    tables = set(connection.introspection.table_names())
    kinds = [
        ("publications", Publication),
        ("research themes", ResearchTheme),
        ("keywords", Keyword),
        ("people", Person),
        ("user accounts", get_user_model()),
    ]
    return {
        label: model._base_manager.using(connection.alias).count()
        for label, model in kinds
        if model._meta.db_table in tables
    }


def files_text(count, size):
    """ "3 files (1.2 MB)"."""
    return f"{count:,} file{'' if count == 1 else 's'} ({human_size(size)})"


SINGULAR = {
    "publications": "publication",
    "research themes": "research theme",
    "keywords": "keyword",
    "people": "person",
    "user accounts": "user account",
}


def summary_text(summary):
    """ "32 publications, 1 research theme, …" (of content_summary())."""
    return (
        ", ".join(
            f"{count:,} {SINGULAR.get(label, label) if count == 1 else label}"
            for label, count in summary.items()
        )
        or "no content"
    )


def _cache_tables():
    """Tables of the DatabaseCache backends: kept empty in an archive."""
    return sorted(
        cache["LOCATION"]
        for cache in settings.CACHES.values()
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    )


def _media_files(media_root, skip=()):
    """(relative POSIX path, absolute path) of every regular file under MEDIA_ROOT, sorted.

    Symbolic links and special files are left out (an upload is never one), and so
    are restore's staging folders and the files in `skip`.
    """
    media_root = Path(media_root)
    skip = {Path(p).resolve() for p in skip}
    found = []
    if not media_root.is_dir():
        return found
    for folder, dirs, files in os.walk(media_root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not (Path(folder) == media_root and d.startswith(STAGING_PREFIX))
            and not os.path.islink(os.path.join(folder, d))
        )
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_symlink() or not path.is_file() or path.resolve() in skip:
                continue
            found.append((path.relative_to(media_root).as_posix(), path))
    return found


# --- PostgreSQL client programs ---------------------------------------------------------


def _tool_major(path):
    """The major version of a PostgreSQL client program (`pg_dump --version`), or None."""
    try:
        result = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    return int(match.group(1)) if match else None


def _tool_dirs():
    """Folders that may hold PostgreSQL's client programs, the preferred first.

    PG_BINDIR (settings.LABSITE_PG_BINDIR) when set, and only it; else PATH, then the
    versioned folders of Debian/Ubuntu and of the PGDG RPMs, newest first.
    """
    if settings.LABSITE_PG_BINDIR:
        return [settings.LABSITE_PG_BINDIR]
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]

    def version(path):
        match = re.search(r"(\d+)", path)
        return int(match.group(1)) if match else 0

    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"):
        dirs += sorted(glob.glob(pattern), key=version, reverse=True)
    return dirs


def find_pg_tool(name, at_least, near=None):
    """(path, major version) of a PostgreSQL client program of version `at_least` or newer.

    `near`: a folder to try first (psql next to the pg_restore that wrote its script).
    """
    seen = []
    for folder in ([near] if near else []) + _tool_dirs():
        path = os.path.join(folder, name)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        major = _tool_major(path)
        seen.append(f"{path} ({major or 'unknown version'})")
        if major is not None and major >= at_least:
            return path, major
    found = "; found: " + ", ".join(seen) if seen else "; none was found"
    needed = f"{name} {at_least} or newer" if at_least else name
    package = f"postgresql-client-{at_least}" if at_least else "postgresql-client"
    raise BackupError(
        f"{needed} is needed{found}. Install the PostgreSQL client programs (e.g. apt-get"
        f" install {package}) or set PG_BINDIR to the folder that holds them."
    )


def _pg_command(connection, program, parameters):
    """(argv, environment) to run `program` against the database of `connection`.

    Django's own psql client turns the settings into arguments and PG* environment
    variables; the password travels in PGPASSWORD, never on the command line.
    """
    args, env = connection.client.settings_to_cmd_args_env(connection.settings_dict, parameters)
    return [program, *args[1:]], {**os.environ, **(env or {})}


def _run(argv, env=None, what="the command"):
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        if len(message) > 4000:  # the end says what failed
            message = "…\n" + message[-4000:]
        raise BackupError(f"{what} failed (exit status {result.returncode}):\n{message}")
    return result


# --- Backup -------------------------------------------------------------------------------


def _dump_postgresql(connection, target):
    server_major = connection.pg_version // 10000
    pg_dump, major = find_pg_tool("pg_dump", server_major)
    parameters = ["--format=custom", f"--file={target}", "--no-password"]
    parameters += [f'--exclude-table-data="{table}"' for table in _cache_tables()]
    argv, env = _pg_command(connection, pg_dump, parameters)
    _run(argv, env, what="pg_dump")
    server = connection.pg_version
    return {
        "server_version": f"{server // 10000}.{server % 10000}",
        "dump_tool": f"pg_dump {major}",
        "dump_tool_major": major,
    }


def _dump_sqlite(connection, target):
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # The online backup API: a consistent copy while the site keeps running.
        connection.connection.backup(copy)
        for table in _cache_tables():
            with contextlib.suppress(sqlite3.OperationalError):  # no such table
                copy.execute(f'DELETE FROM "{table}"')
        copy.commit()
        copy.execute("VACUUM")
    finally:
        copy.close()
    return {"sqlite_version": sqlite3.sqlite_version}


def create(output, using="default"):
    """Write the archive to `output` (written beside it, then renamed); its manifest."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    output = Path(output)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if output.resolve().is_relative_to(media_root):
        raise BackupError(
            f"{output} is inside MEDIA_ROOT ({media_root}), which visitors can download:"
            " write backups elsewhere (BACKUP_DIR, --output)."
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{uuid.uuid4().hex[:8]}.partial")
    version, commit = _labsite_version()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "labsite": {"version": version, "commit": commit, "django": django.get_version()},
        "database": {"vendor": vendor, "member": DATABASE_MEMBERS[vendor]},
        "migrations": migration_state(connection),
        "content": content_summary(connection),
        "media": {"files": 0, "bytes": 0},
        "members": {},
    }
    try:
        with tempfile.TemporaryDirectory(prefix="labsite-backup-", dir=output.parent) as work:
            dump = Path(work, DATABASE_MEMBERS[vendor])
            dumper = _dump_postgresql if vendor == "postgresql" else _dump_sqlite
            manifest["database"].update(dumper(connection, dump))
            # The archive holds password hashes and sessions: readable by its owner only.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
                _add(tar, manifest, DATABASE_MEMBERS[vendor], dump)
                for name, path in _media_files(settings.MEDIA_ROOT, skip=[output, partial]):
                    size = _add(tar, manifest, MEDIA_PREFIX + name, path)
                    manifest["media"]["files"] += 1
                    manifest["media"]["bytes"] += size
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = (
                    len(data),
                    int(datetime.datetime.now().timestamp()),
                    0o600,
                )
                tar.addfile(info, _BytesReader(data))
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return manifest


class _BytesReader:
    def __init__(self, data):
        self.data, self.offset = data, 0

    def read(self, size=-1):
        end = len(self.data) if size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return chunk


def _add(tar, manifest, name, path):
    """Add one file to the archive, hashing the bytes as they are written; its size."""
    with open(path, "rb") as fh:
        stat = os.fstat(fh.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
        reader = _HashingReader(fh)
        try:
            tar.addfile(info, reader)
        except OSError as error:  # tarfile: "unexpected end of data"
            raise BackupError(
                f"{path} changed while it was being archived; run the backup again"
            ) from error
    manifest["members"][name] = {"size": stat.st_size, "sha256": reader.sha256.hexdigest()}
    return stat.st_size


# --- Restore ------------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: dict
    replaced: list  # what the restore overwrote (with --force), as sentences
    pending_migrations: list  # migrations of this code the archive's database lacks
    warnings: list  # what went wrong after the restore succeeded


def _safe_member_name(name, database_member):
    if name == database_member:
        return True
    if not name.startswith(MEDIA_PREFIX):
        return False
    parts = PurePosixPath(name[len(MEDIA_PREFIX) :]).parts
    return (
        bool(parts)
        and not name.startswith("/")
        and all(part not in ("", ".", "..") for part in parts)
        and not parts[0].startswith(STAGING_PREFIX)
    )


def verify(path):
    """Read the whole archive and check it against its manifest; the manifest.

    Touches nothing. Raises BackupError, saying what is wrong, for a file that is
    not a labsite archive, a truncated one, or a member whose size or sha256 differs.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    try:
        with open(path, "rb"):
            pass
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error
    found, raw_manifest = {}, None
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.name == MANIFEST and raw_manifest is None and member.isfile():
                    raw_manifest = _copy_to_bytes(tar, member)
                    continue
                if not member.isfile() or member.name in found or member.name == MANIFEST:
                    raise BackupError(f"{path}: unexpected member {member.name!r} in the archive.")
                with tar.extractfile(member) as fh:
                    found[member.name] = (member.size, _copy_hashing(fh, None, member.size))
    except BackupError as error:
        if str(error).startswith(str(path)):
            raise
        raise BackupError(
            f"{path}: {error}; the archive is damaged, nothing was restored."
        ) from error
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(
            f"{path} is not a readable tar archive ({error}): truncated or damaged?"
        ) from error
    if raw_manifest is None:
        raise BackupError(
            f"{path} has no {MANIFEST}: the archive is incomplete (truncated?) or not a labsite"
            " backup."
        )
    try:
        manifest = json.loads(raw_manifest)
        vendor = manifest["database"]["vendor"]
        database_member = manifest["database"]["member"]
        members = manifest["members"]
        if manifest.get("format") != FORMAT or not isinstance(members, dict):
            raise ValueError("not a labsite backup manifest")
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(
            f"{path}: its {MANIFEST} is damaged or not a labsite backup's ({error})."
        ) from error
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"{path} is in backup format {manifest['format_version']}, newer than this code reads"
            f" ({FORMAT_VERSION}): restore it with the labsite version that made it."
        )
    if vendor not in DATABASE_MEMBERS or database_member != DATABASE_MEMBERS[vendor]:
        raise BackupError(f"{path}: its {MANIFEST} names an unknown database ({vendor!r}).")
    problems = []
    for name, expected in sorted(members.items()):
        if not _safe_member_name(name, database_member):
            problems.append(f"{name}: not a name a labsite backup writes")
        elif name not in found:
            problems.append(f"{name}: missing from the archive")
        elif found[name][0] != expected.get("size"):
            problems.append(
                f"{name}: {found[name][0]} bytes, the manifest says {expected.get('size')}"
            )
        elif found[name][1] != expected.get("sha256"):
            problems.append(
                f"{name}: checksum mismatch (sha256 {found[name][1][:12]}…, the manifest says"
                f" {str(expected.get('sha256'))[:12]}…)"
            )
    problems += [f"{name}: not in the manifest" for name in sorted(set(found) - set(members))]
    if database_member not in members:
        problems.append(f"{database_member}: the database is missing")
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BackupError(
            f"{path} does not match its manifest; nothing was restored:\n  {shown}{more}"
        )
    return manifest


def _copy_to_bytes(tar, member, limit=64 * 1024 * 1024):
    if member.size > limit:
        raise BackupError(f"{MANIFEST} is {member.size:,} bytes: not a labsite backup's")
    with tar.extractfile(member) as fh:
        data = fh.read()
    if len(data) != member.size:
        raise BackupError(f"{MANIFEST} is truncated")
    return data


def check_compatible(manifest, connection):
    """Refuse an archive of another vendor, or of newer code; the migrations it lacks."""
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        theirs = VENDOR_NAMES.get(vendor, vendor)
        ours = VENDOR_NAMES.get(connection.vendor, connection.vendor)
        raise BackupError(
            f"The archive holds a {theirs} database and this site's database is {ours}"
            f" ({database_label(connection)}). An archive restores only into the kind of"
            f" database it came from: point DATABASE_URL at an empty {theirs} database."
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    archived = {
        (app, name) for app, names in manifest.get("migrations", {}).items() for name in names
    }
    unknown = sorted(
        f"{app}.{name}" for app, name in archived - known if app in loader.migrated_apps
    )
    if unknown:
        commit = manifest.get("labsite", {}).get("commit") or "unknown"
        raise BackupError(
            "The archive was made by newer code: its database has migrations this code does not"
            f" have ({', '.join(unknown[:5])}{', …' if len(unknown) > 5 else ''}). Restore it"
            f" with the code it was made with (commit {commit}) or newer."
        )
    return sorted(f"{app}.{name}" for app, name in known - archived)


def describe_occupied(connection, media_root):
    """What a restore would overwrite, as sentences; [] when the database and the media
    folder are empty (a database without tables, a media folder without files)."""
    occupied = []
    tables = connection.introspection.table_names()
    if tables:
        occupied.append(
            f"the {database_label(connection)} has {len(tables)} tables"
            f" ({summary_text(content_summary(connection))})"
        )
    files = [
        path
        for name, path in _media_files(media_root)
        if PurePosixPath(name).name not in MEDIA_PLACEHOLDERS
    ]
    if files:
        size = sum(path.stat().st_size for path in files)
        occupied.append(f"the media folder {media_root} holds {files_text(len(files), size)}")
    return occupied


def restore(path, using="default", force=False):
    """Load an archive into the database `using` and MEDIA_ROOT; a Restored.

    Checks everything first (checksums, vendor, migrations, an empty target unless
    `force`); then stages the media files beside MEDIA_ROOT, loads the database in one
    transaction and swaps the media in. Any failure leaves both as they were.
    """
    manifest = verify(path)
    connection = connections[using]
    pending = check_compatible(manifest, connection)
    media_root = Path(settings.MEDIA_ROOT)
    occupied = describe_occupied(connection, media_root)
    if occupied and not force:
        raise BackupError(
            "Not restoring over existing content: "
            + "; ".join(occupied)
            + ". A restore replaces all of it with the archive's content; run it with --force"
            " to do that, or restore into an empty database and media folder."
        )
    media_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}new-", dir=media_root))
    try:
        with tempfile.TemporaryDirectory(prefix="labsite-restore-") as work:
            database_file = _extract(path, manifest, staging, Path(work))
            try:
                if connection.vendor == "postgresql":
                    _restore_postgresql(connection, database_file, manifest)
                else:
                    _restore_sqlite(connection, database_file)
            except BackupError as error:
                raise BackupError(
                    f"{error}\nNothing was restored: the database and the media folder are as"
                    " they were."
                ) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_media(media_root, staging)
    warnings = []
    try:
        _retire_caches()
    except Exception as error:  # the restore itself is done; say what is left to do
        warnings.append(
            f"The cache could not be told that the content changed ({error}): clear it, or"
            " pages from before the restore may be served until they expire."
        )
    return Restored(manifest, occupied, pending, warnings)


def _extract(path, manifest, staging, work):
    """Write the database member to `work`, the media files under `staging`, checking
    each checksum again (the archive could have changed since verify()); the database
    file."""
    database_member = manifest["database"]["member"]
    database_file = work / database_member
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                expected = manifest["members"].get(member.name)
                if expected is None or not member.isfile():
                    raise BackupError(f"{member.name}: not in the manifest")
                if member.name == database_member:
                    target = database_file
                else:
                    target = staging / member.name[len(MEDIA_PREFIX) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(target, "xb") as out:
                    digest = _copy_hashing(source, out, member.size)
                if digest != expected["sha256"]:
                    raise BackupError(f"{member.name}: checksum mismatch")
                os.utime(target, (member.mtime, member.mtime))
    except BackupError as error:
        raise BackupError(
            f"{path} changed while it was being restored ({error}); nothing was restored."
        ) from error
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"Cannot unpack {path} ({error}); nothing was restored.") from error
    return database_file


def _restore_postgresql(connection, dump, manifest):
    """pg_restore turns the dump into SQL; psql runs it in one transaction, after
    dropping the tables the database has (none, unless --force): all or nothing."""
    pg_restore, _ = find_pg_tool("pg_restore", manifest["database"].get("dump_tool_major", 0))
    script = dump.with_suffix(".sql")
    _run(
        [pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        what="pg_restore (reading the archive's dump)",
    )
    # psql from the same installation understands the script's meta-commands (\restrict).
    psql, _ = find_pg_tool("psql", 0, near=os.path.dirname(pg_restore))
    parameters = ["--no-psqlrc", "--quiet", "--no-password", "--single-transaction"]
    parameters += ["--set=ON_ERROR_STOP=1"]
    quote = connection.ops.quote_name
    tables = connection.introspection.get_table_list(connection.cursor())
    views = [quote(t.name) for t in tables if t.type == "v"]
    plain = [quote(t.name) for t in tables if t.type != "v"]
    drop = ""
    if views:
        drop += f"DROP VIEW IF EXISTS {', '.join(views)} CASCADE; "
    if plain:
        drop += f"DROP TABLE IF EXISTS {', '.join(plain)} CASCADE; "
    if drop:
        parameters.append(f"--command={drop}")
    parameters.append(f"--file={script}")
    argv, env = _pg_command(connection, psql, parameters)
    connection.close()  # no session of ours holds a lock on a table being replaced
    _run(argv, env, what="psql (loading the dump)")


def _restore_sqlite(connection, database_file):
    """The archive's database copied over this one by the online backup API: one step."""
    try:
        source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot open the archive's SQLite database: {error}") from error
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The archive's SQLite database is damaged: {check}")
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot restore the archive's SQLite database: {error}") from error
    finally:
        source.close()


def _swap_media(media_root, staging):
    """Move what MEDIA_ROOT holds aside and the staged files in (renames on one file system)."""
    old = media_root / f"{STAGING_PREFIX}old-{uuid.uuid4().hex[:8]}"
    old.mkdir()
    incoming = {entry.name for entry in staging.iterdir()}
    for entry in list(media_root.iterdir()):
        if entry.name.startswith(STAGING_PREFIX):
            continue
        if entry.name in MEDIA_PLACEHOLDERS and entry.name not in incoming:
            continue
        entry.rename(old / entry.name)
    for entry in staging.iterdir():
        entry.rename(media_root / entry.name)
    staging.rmdir()
    shutil.rmtree(old)


def _retire_caches():
    """A new content version: no process serves a page cached before the restore."""
    from publications import freshness

    freshness.bump()
