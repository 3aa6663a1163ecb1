"""How long `manage.py backup` and `restore` take, and how big the archive is.

    .venv/bin/python bench/backup.py                          # 10,000 papers, PostgreSQL and SQLite
    .venv/bin/python bench/backup.py --sizes 1000 100000 --media-mb 200 --vendors postgresql

For each size and vendor: a database seeded with the lab's content plus generated
papers (bench/synthetic.py; kept between runs: `labsite_backup_bench_N`, or a SQLite
file in the temp folder), a media folder of `--media-mb` MB of incompressible
files (1 MB each), then the real commands, each in its own process: `backup`,
`restore --check`, and `restore` into a new empty database and media folder. Prints
a table: seconds, the archive's size, and the peak memory of each command
(`ru_maxrss` of it and its children: pg_dump, psql). Results in docs/backup.md.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import compare  # noqa: E402

PYTHON = sys.executable


def env_for(database_url, media_root):
    return {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "labsite.settings",
    }


def timed(args, env):
    """(seconds, peak RSS in MB of the command and its children) of one command."""
    probe = (
        "import resource, subprocess, sys;"
        "code = subprocess.run(sys.argv[1:]).returncode;"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
        "sys.exit(code)"
    )
    started = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "-c", probe, PYTHON, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def seed(database_url, media_root, size):
    compare.provide(database_url, 0)
    env = env_for(database_url, media_root)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    script = (
        "import django, sys; django.setup();"
        "from bench import synthetic;"
        f"synthetic.seed({size}, log=lambda line: print(line, file=sys.stderr))"
    )
    subprocess.run([PYTHON, "-c", script], env=env, cwd=ROOT, check=True)


def make_media(folder, megabytes):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(megabytes):
        (folder / "themes").mkdir(exist_ok=True)
        (folder / "themes" / f"image-{i:04}.png").write_bytes(os.urandom(1024 * 1024))


def database_size(database_url):
    if database_url.startswith("sqlite:"):
        return Path(compare._sqlite_path(database_url)).stat().st_size / 1e6
    rows = compare._query(database_url, "SELECT pg_database_size(current_database())")
    return int(rows[0][0]) / 1e6


def run(vendor, size, args, work):
    if vendor == "postgresql":
        source = f"{args.postgres.rstrip('/')}_{size}"
        target = f"{source}_restored"
    else:
        source = f"sqlite:///{Path(tempfile.gettempdir()) / f'labsite_backup_bench_{size}.sqlite3'}"
        target = f"sqlite:///{work / 'restored.sqlite3'}"
    media = work / "media"
    make_media(media, args.media_mb)
    seed(source, media, size)
    archive = work / "site.tar"
    backup_s, backup_mb = timed(
        ["manage.py", "backup", "--output", str(archive)], env_for(source, media)
    )
    check_s, check_mb = timed(
        ["manage.py", "restore", str(archive), "--check"], env_for(source, media)
    )
    compare.drop(target)
    compare.provide(target, 0)
    restore_s, restore_mb = timed(
        ["manage.py", "restore", str(archive)], env_for(target, work / "restored-media")
    )
    compare.drop(target)
    return [
        vendor,
        f"{size:,}",
        f"{database_size(source):,.0f}",
        f"{args.media_mb:,}",
        f"{archive.stat().st_size / 1e6:,.0f}",
        f"{backup_s:.1f}",
        f"{check_s:.1f}",
        f"{restore_s:.1f}",
        f"{max(backup_mb, check_mb, restore_mb):,.0f}",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--media-mb", type=int, default=50)
    parser.add_argument("--vendors", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/labsite_backup_bench",
        help="base URL of the PostgreSQL databases (_N is appended)",
    )
    args = parser.parse_args()
    header = [
        "database",
        "papers",
        "database MB",
        "media MB",
        "archive MB",
        "backup s",
        "check s",
        "restore s",
        "peak RSS MB",
    ]
    rows = []
    for size in args.sizes:
        for vendor in args.vendors:
            work = Path(tempfile.mkdtemp(prefix="labsite-backup-bench-"))
            try:
                rows.append(run(vendor, size, args, work))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
