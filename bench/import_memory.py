"""Peak memory of a BibTeX import, by step and by file size: what the entries limit rests on.

    .venv/bin/python bench/import_memory.py                      # 5,000 and 10,000 entries
    .venv/bin/python bench/import_memory.py --entries 2000 5000 --files 3

For each size, on a fresh SQLite database (migrated, empty) and bench/import_bibtex.py's
entries, each step in a process of its own, as in production:

- *upload*: decode, parse, plan, store the pending batch (`importer.start`: the upload
  request);
- *worker*: plan and write it (`importer.confirm`: the background task);
- *one process*: both in one process (the former synchronous Confirm).

With `--steps`, one file of `--entries` entries goes through the background import's
steps, each in a fresh process as the worker runs it, with DEBUG off (production):
*upload* (`importer.start(plan_now=False)`: decode, count, store the text), *prepare*
(`importer.prepare`: read, plan, store the preview's rows: `tasks.prepare_import`),
*confirm* (`importer.confirm`: plan again under the lock and write: `tasks.apply_import`),
*undo* (`undo.undo`: `tasks.undo_import`). Peak RSS is the process's VmHWM; "base" is
the process with Django set up. `--trace N` adds tracemalloc's top N lines of each step
(slower: for finding where memory goes, not for the figures).

    .venv/bin/python bench/import_memory.py --entries 100000 --steps upload prepare confirm undo
    DATABASE_URL=postgres://… .venv/bin/python bench/import_memory.py --entries 20000 --steps \
        upload prepare confirm undo --db postgres

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


def vm_hwm_mb():
    """The process's peak RSS so far (VmHWM, Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_child(step, trace):
    """One step of the background import on the database's one batch; prints JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import django

    django.setup()
    import time

    from publications.bibtex import importer, undo
    from publications.models import ImportBatch

    # Everything a worker has loaded before its first task, so "base" is the same for all.
    ImportBatch.objects.exists()
    base = rss_mb()
    if trace:
        import threading
        import tracemalloc

        frames = int(os.environ.get("TRACE_FRAMES", 1))
        tracemalloc.start(frames)
        # What is allocated near the peak, not at the end: a thread takes a snapshot
        # each time the traced memory passes the last snapshot's by 5 %.
        at_peak = {"size": 0, "snapshot": None}
        done = threading.Event()

        def sample():
            while not done.wait(0.2):
                current = tracemalloc.get_traced_memory()[0]
                if current > at_peak["size"] * 1.05:
                    at_peak["size"], at_peak["snapshot"] = current, tracemalloc.take_snapshot()

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    started = time.perf_counter()
    cpu = time.process_time()
    if step == "upload":
        path = Path(os.environ["BENCH_FILE"])
        importer.start(data=path.read_bytes(), filename=path.name, plan_now=False)
    elif step == "prepare":
        importer.prepare(ImportBatch.objects.defer("source_text").get())  # as tasks._claim
    elif step == "confirm":
        batch = ImportBatch.objects.get()
        importer.confirm(batch, expected_digest=batch.plan_digest, skip_errors=True)
    elif step == "undo":
        undo.undo(ImportBatch.objects.get())
    result = {
        "peak": vm_hwm_mb(),
        "base": base,
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
    }
    if trace:
        done.set()
        sampler.join()
        snapshot = at_peak["snapshot"] or tracemalloc.take_snapshot()
        peak = tracemalloc.get_traced_memory()[1]
        result["traced_at_snapshot"] = at_peak["size"] / 2**20
        if frames == 1:
            top = snapshot.statistics("lineno")[:trace]
            result["trace"] = [
                f"{s.size / 2**20:7.1f} MB {s.count:>9,}  {s.traceback[0]}" for s in top
            ]
        else:  # TRACE_FRAMES=n: the top allocations with n frames of their tracebacks
            top = snapshot.statistics("traceback")[:trace]
            result["trace"] = [
                line
                for s in top
                for line in (f"{s.size / 2**20:7.1f} MB {s.count:>9,}", *s.traceback.format())
            ]
        result["traced_peak"] = peak / 2**20
    print(json.dumps(result))


def steps(args):
    """--steps: one file through the background import's steps, a process each."""
    sys.path.insert(0, str(ROOT))
    from bench.import_bibtex import generate

    folder = Path(tempfile.mkdtemp(prefix="labsite-bench-memory-"))
    env = {
        **os.environ,
        "DEBUG": "",
        "SECRET_KEY": "bench-" + "x" * 50,
        "IMPORT_MAX_ENTRIES": str(max(args.entries)),
    }
    if args.db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    for entries in args.entries:
        path = folder / f"{entries}.bib"
        path.write_text(generate(entries))
        size = path.stat().st_size / 2**20
        if args.db == "sqlite":
            fresh_database(env)
        else:
            flush = [sys.executable, "manage.py", "flush", "--no-input", "-v0"]
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
            )
            subprocess.run(flush, cwd=ROOT, env=env, check=True)
        print(f"\n{entries:,} entries ({size:.1f} MB), {args.db}, DEBUG off")
        print("| step | peak RSS | base (Django loaded) | wall s | CPU s |")
        print("|---|---:|---:|---:|---:|")
        for step in args.steps:
            extra = ["--trace", str(args.trace)] if args.trace else []
            out = subprocess.run(
                [sys.executable, __file__, "--step", step, *extra],
                env={**env, "BENCH_FILE": str(path), "STEP_MODE": "1"},
                capture_output=True,
                text=True,
            )
            if out.returncode:
                sys.exit(out.stderr[-3000:])
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"| {step} | {result['peak']:.0f} MB | {result['base']:.0f} MB "
                f"| {result['wall']:.1f} | {result['cpu']:.1f} |",
                flush=True,
            )
            for line in result.get("trace", []):
                print(f"    {line}")
            if "traced_peak" in result:
                print(
                    f"    tracemalloc peak {result['traced_peak']:.1f} MB, "
                    f"{result['traced_at_snapshot']:.1f} MB at the snapshot above"
                )


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
    parser.add_argument("--steps", nargs="+", choices=("upload", "prepare", "confirm", "undo"))
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--trace", type=int, default=0)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step and os.environ.get("STEP_MODE"):
        return step_child(args.step, args.trace)
    if args.step:
        return child(args.step, args.paths)
    if args.steps:
        return steps(args)

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
