"""Peak memory of a BibTeX import, by step and by file size: what the entries limit rests on.

    .venv/bin/python bench/import_memory.py                      # 5,000 and 10,000 entries
    .venv/bin/python bench/import_memory.py --entries 2000 5000 --files 3

For each size, on a fresh SQLite database (migrated, empty) and bench/import_bibtex.py's
entries, each step in a process of its own, as in production:

- *upload*: decode, parse, plan, store the pending batch (`importer.start`: the upload
  request);
- *worker*: plan and write it (`importer.confirm`: the background task);
- *one process*: both in one process (the former synchronous Confirm).

Then one process applies `--files` files of `--file-entries` entries one after
another (as a long-running worker does), once with DEBUG on and once off: its RSS after
each file shows whether anything grows from one task to the next. Peak RSS
(`ru_maxrss`) is printed, never asserted; the goal is < 300 MB per process.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(step, files):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import django

    django.setup()
    from django.db import reset_queries

    from publications.bibtex import importer
    from publications.models import ImportBatch

    after = []
    if step in ("upload", "one"):
        for path in files:
            importer.start(data=Path(path).read_bytes(), filename=Path(path).name)
    if step in ("worker", "one", "tasks"):
        for batch in ImportBatch.objects.pending().order_by("pk"):
            importer.confirm(batch)
            if step == "tasks":
                if os.environ.get("RESET"):
                    reset_queries()  # what publications.tasks does on each task's signals
                after.append(round(rss_mb()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak": peak, "after": after}))


def run(step, files, env):
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, *files], env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_database(env):
    path = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--file-entries", type=int, default=5000)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        return child(args.step, args.paths)

    sys.path.insert(0, str(ROOT))
    from bench.import_bibtex import generate

    folder = Path(tempfile.mkdtemp(prefix="labsite-bench-memory-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEBUG": "1",
        "IMPORT_MAX_ENTRIES": str(max(args.entries)),
    }
    print("| entries in the file | upload | worker: plan + write | both in one process |")
    print("|---:|---:|---:|---:|")
    for entries in args.entries:
        path = folder / f"{entries}.bib"
        path.write_text(generate(entries))
        fresh_database(env)
        upload = run("upload", [str(path)], env)["peak"]
        worker = run("worker", [], env)["peak"]
        fresh_database(env)
        one = run("one", [str(path)], env)["peak"]
        print(f"| {entries:,} | {upload:.0f} MB | {worker:.0f} MB | {one:.0f} MB |")

    if args.files:
        entries = args.file_entries
        paths = []
        for number in range(args.files):
            text = generate(entries, seed=100 + number)
            text = text.replace("10.9999/bench.", f"10.9999/file{number}.")
            text = text.replace("@article{bench", f"@article{{file{number}-")
            paths.append(folder / f"file{number}.bib")
            paths[-1].write_text(text)
        print(
            f"\n{args.files} files of {entries:,} entries, applied one after another in one process"
        )
        print("| DEBUG | RSS after each file | peak |")
        print("|---|---|---:|")
        for debug, reset in (("1", ""), ("1", "1"), ("", "")):
            fresh_database(env)
            run("upload", [str(p) for p in paths], env)
            settings = {"DEBUG": debug, "RESET": reset, "SECRET_KEY": "bench-" + "x" * 50}
            result = run("tasks", [], {**env, **settings})
            label = ("on" if debug else "off") + (", query log reset per task" if reset else "")
            after = " → ".join(f"{mb} MB" for mb in result["after"])
            print(f"| {label} | {after} | {result['peak']:.0f} MB |")


if __name__ == "__main__":
    main()
