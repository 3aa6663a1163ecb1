"""Another commit's code beside the working tree's, for `--compare REV` (load.py, search.py).

A refactoring moves and deletes the modules that the benchmarks' own preparation
imports, so the script after it cannot prepare or serve the code before it. REV's
code therefore runs from a temporary `git worktree` of REV, with its own bench
scripts (`bench/load.py _prepare` and `_queries`, `bench/search.py --worker`),
its own gunicorn config and bench settings, from its own folder (cwd and
PYTHONPATH). The driver speaks to that tree only through those scripts' command
lines and JSON output, and over HTTP.

The two codes never share a database: REV's is the other's name plus `_<rev>`.
Seeding 100,000 papers takes minutes, so a missing database is copied from the
other code's (`createdb -T`, or a file copy for SQLite) when that one is seeded
and every project migration applied to it is one the copying code has; the
copying code's own `migrate` then brings the copy forward. A database that newer
code has migrated forward is never handed to older code: the newer migrations
may drop tables the older code reads, and the older code cannot undo migrations
it does not know. It is seeded from scratch instead.
"""

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def git(*args):
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


@dataclass(frozen=True)
class Tree:
    """A tree of the project's code, as the table's heading names it."""

    root: Path
    commit: str
    name: str

    @property
    def short(self):
        """Seven hex digits: stable names for REV's databases whatever `git --short` says."""
        return self.commit[:7]

    @property
    def migrations(self):
        """{(app label, migration name)} in this tree (an app's label is its folder's name)."""
        return frozenset(
            (p.parent.parent.name, p.stem) for p in self.root.glob("*/migrations/[0-9]*.py")
        )


def describe(commit):
    return git("log", "-1", "--format=%h (%s)", commit)


def working_tree():
    """This tree, uncommitted changes included: the code after."""
    dirty = " + uncommitted changes" if git("status", "--porcelain") else ""
    return Tree(ROOT, git("rev-parse", "HEAD"), f"the working tree at {describe('HEAD')}{dirty}")


def _exit_on_signal(signum, frame):
    sys.exit(f"stopped by signal {signum}")


@contextlib.contextmanager
def checkout(rev):
    """REV's tree in a temporary `git worktree`, removed afterwards, after a failure too.

    SIGTERM becomes SystemExit while it exists, so that the removal runs then as well.
    """
    try:
        commit = git("rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}")
    except subprocess.CalledProcessError:
        sys.exit(f"--compare {rev}: not a commit")
    folder = Path(tempfile.mkdtemp(prefix=f"labsite-{commit[:7]}-"))
    root = folder / "tree"
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        git("worktree", "add", "--detach", str(root), commit)
        yield Tree(root, commit, describe(commit))
    finally:
        removed = subprocess.run(
            ["git", "worktree", "remove", "--force", str(root)], cwd=ROOT, capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
        if removed.returncode:  # its folder is gone now: forget it
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)
        signal.signal(signal.SIGTERM, previous)


def check_imports(root):
    """Exit unless Python, with PYTHONPATH=`root` as the driver runs a tree's code, imports
    the project from `root`.

    Guards against an installed copy of the project (an editable install, a .pth)
    standing in for REV's tree: both codes would then measure the same code.
    """
    env = dict(os.environ, PYTHONPATH=str(root))
    found = subprocess.run(
        [sys.executable, "-c", "import labsite; print(labsite.__file__)"],
        cwd="/", env=env, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if not found or Path(found).resolve().parent.parent != Path(root).resolve():
        sys.exit(f"with PYTHONPATH={env.get('PYTHONPATH')}, labsite is {found or 'not found'}")


def redis_beside(url):
    """The same Redis server, the next database number: one code's pages never meet the other's."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + 1
    return urlunsplit(parts._replace(path=f"/{number}"))


# ---------------------------------------------------------------- databases


def beside(url, tree):
    """REV's database: the other's name + `_<rev>` (a SQLite file: before its suffix)."""
    if url.startswith("sqlite:"):
        path = Path(_sqlite_path(url))
        return f"sqlite:///{path.with_stem(f'{path.stem}-{tree.short}')}"
    return f"{url}_{tree.short}"


def _sqlite_path(url):
    return url.removeprefix("sqlite:///")  # dj-database-url: sqlite:////abs/path, sqlite:///rel


def _postgres(url):
    """The database's name, and an environment for psql/createdb that reaches its server."""
    parts = urlsplit(url)
    env = dict(
        os.environ, PGHOST=parts.hostname or "127.0.0.1", PGUSER=parts.username or "postgres"
    )
    if parts.port:
        env["PGPORT"] = str(parts.port)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return parts.path.lstrip("/"), env


def _query(url, sql):
    """The rows of `sql` ([[str]]) in the database `url`, or None when it fails."""
    if url.startswith("sqlite:"):
        path = _sqlite_path(url)
        if not Path(path).exists():
            return None
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                return [[str(v) for v in row] for row in db.execute(sql)]
        except sqlite3.Error:
            return None
    name, env = _postgres(url)
    result = subprocess.run(
        ["psql", "-d", name, "-tAF", "\t", "-c", sql], env=env, capture_output=True, text=True
    )
    if result.returncode:
        return None
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def exists(url):
    if url.startswith("sqlite:"):
        return Path(_sqlite_path(url)).exists()
    name, env = _postgres(url)
    found = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", "SELECT datname FROM pg_database"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return name in found


def drop(url):
    if url.startswith("sqlite:"):
        Path(_sqlite_path(url)).unlink(missing_ok=True)
        return
    name, env = _postgres(url)
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)


def _create(url, template=None):
    """Create the database (as a copy of `template`); False when that fails."""
    if url.startswith("sqlite:"):
        if template:
            shutil.copyfile(_sqlite_path(template), _sqlite_path(url))
        return True
    name, env = _postgres(url)
    command = ["createdb", name] + (["-T", _postgres(template)[0]] if template else [])
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        print(result.stderr.strip(), file=sys.stderr)
    return result.returncode == 0


def provide(url, size, *, template=None, migrations=None, apps=(), log=print):
    """Make the database `url` exist for code with `migrations`, before that code's own
    `migrate` and seeding run on it; return what was done, for the log.

    A missing database is a copy of `template` when that one holds `size` papers
    and has no migration of the project's `apps` outside `migrations`; else it is
    created empty and the code seeds it.
    """
    name = url.rsplit("/", 1)[-1]
    if exists(url):
        return f"{name}: kept"
    if template and exists(template):
        source = template.rsplit("/", 1)[-1]
        papers = _query(template, "SELECT count(*) FROM publications_publication")
        applied = _query(template, "SELECT app, name FROM django_migrations")
        if not papers or int(papers[0][0]) < size or applied is None:
            log(f"{name}: not copied from {source}, which does not hold {size:,} papers")
        elif foreign := sorted(
            f"{app}.{migration}"
            for app, migration in applied
            if app in apps and (app, migration) not in migrations
        ):
            log(f"{name}: not copied from {source}, migrated by newer code ({', '.join(foreign)})")
        elif _create(url, template):
            return f"{name}: copied from {source}"
        else:
            log(f"{name}: could not copy {source} (in use?)")
    if not _create(url):
        sys.exit(f"could not create {name}")
    return f"{name}: new, seeded by its code"
