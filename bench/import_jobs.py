"""One 100,000-entry BibTeX file through the admin and the background worker: time and memory.

    .venv/bin/python bench/import_jobs.py                         # SQLite, 100,000 entries
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_bench_jobs \\
        .venv/bin/python bench/import_jobs.py --db postgres        # PostgreSQL (emptied first)
    .venv/bin/python bench/import_jobs.py --entries 2000 --timeout 600   # fewer, shorter

The entries are bench/import_bibtex.py's (a DOI each, @string journals, accents and
math, authors from a pool), written as one file beforehand by a process of their own.
Then, as in production, the editor's requests and the worker run in processes of
their own, on a database with the lab's content:

- *web*: the editor's requests (Django's test client, a superuser; `DEBUG=1`, because
  the admin's pages need the development static files, and Django empties the query
  log at each request): upload (decode, count, store the text), the progress page
  reloaded every 0.5 s while the worker reads and plans the file, the preview's first
  page, its page of errors, its last page and a middle page of new rows, saving a
  choice on a page, Confirm (queue the import), the progress page again until the
  import is applied, then Undo (queued) and its progress page until it is done. Each
  kind of request's count, slowest and mean wall and CPU time are printed: none should
  do more than a few seconds of work (`--request-bound`, 5 s, is checked on both).
- *worker*: each queued task is run by a `manage.py db_worker --batch --max-tasks 1`
  of its own (`DEBUG=0`, production, unless `--debug`), so its peak RSS (`ru_maxrss`
  of that child, from wait4) is the peak of that step alone: read + plan
  (`prepare_import`), apply (`apply_import`), undo (`undo_import`). "base" is the same
  command run on an empty queue (Django and the project imported, the database
  connected). The goal is < 300 MB per worker.

The papers, people, name variants, authorships, keywords and search entries are
counted before the import, after it and after the undo; the undo must give back the
counts from before.

Every result is written to a file as soon as it is known, so a step that fails or
runs past `--timeout` (seconds per step) still leaves a table of what was measured.
Only the database given is touched: SQLite, a new file in the run's folder; on
PostgreSQL the one database of DATABASE_URL (required), whose `public` schema is
emptied first (no database is dropped or created).

Timings are printed, never asserted; on a shared machine they are upper bounds.
"""

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = {
    "publications.tasks.prepare_import": "read + plan",
    "publications.tasks.apply_import": "apply",
    "publications.tasks.undo_import": "undo",
}
COUNTED = ("Publication", "Person", "NameVariant", "Authorship", "Keyword", "SearchEntry")


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import django

    django.setup()


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save(folder, name, data):
    """Write one process's results so far (atomically: the reader never sees half)."""
    path = Path(folder, name)
    path.with_suffix(".tmp").write_text(json.dumps(data))
    path.with_suffix(".tmp").replace(path)


def load(folder, name):
    path = Path(folder, name)
    return json.loads(path.read_text()) if path.exists() else {}


def counts():
    from publications import models

    return {name: getattr(models, name).objects.count() for name in COUNTED}


def web(folder, timeout):
    """The editor's requests for the one file."""
    setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from research.content.loader import load_lab_content

    results = {"times": {}, "stages": {}, "counts": {}, "failure": None}
    try:
        call_command("migrate", verbosity=0)
        load_lab_content()
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(User.objects.create_superuser("bench", password="x"))
        results["counts"]["before"] = counts()
        save(folder, "web.json", results)
        Path(folder, "ready").touch()  # the worker may measure its base
        while not Path(folder, "worker ready").exists():
            if Path(folder, "stop").exists():
                raise RuntimeError("the worker stopped before the upload")
            time.sleep(0.2)
        url = reverse("admin:publications_publication_import")

        def timed(name, action):
            started, cpu = time.perf_counter(), time.process_time()
            response = action()
            took = (time.perf_counter() - started, time.process_time() - cpu)
            results["times"].setdefault(name, []).append(took)
            if response.status_code >= 500:
                raise RuntimeError(f"{name}: HTTP {response.status_code}")
            return response

        def wait(stage, progress):
            """Reload the progress page until it sends the editor on; the stage's wall time."""
            started = time.perf_counter()
            while (page := timed("progress page", lambda: client.get(progress))).status_code == 200:
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"{stage}: still running after {timeout} s")
                time.sleep(0.5)
            results["stages"][stage] = time.perf_counter() - started
            save(folder, "web.json", results)
            return page

        data = Path(folder, "all.bib").read_bytes()
        results["megabytes"] = len(data) / 1e6
        file = SimpleUploadedFile("all.bib", data)
        response = timed("upload", lambda: client.post(url, {"file": file}))
        del data  # the test client holds the file; this process's peak is not the goal
        assert response.status_code == 302 and response.url.endswith("/progress/"), response
        preview = wait("read + plan", response.url).url
        assert preview.endswith("/preview/"), preview
        for query in ("", "?status=error", "?page=1000000", "?status=new&page=500"):
            html = timed("preview page", lambda q=query: client.get(preview + q)).content.decode()
        digest = html.split('name="digest" value="', 1)[1].split('"', 1)[0]
        timed("save choices", lambda: client.post(preview, {"save": "1", "choice-1": "skip"}))
        confirmed = timed("confirm", lambda: client.post(preview, {"digest": digest}))
        assert confirmed.status_code == 302 and confirmed.url.endswith("/progress/"), confirmed
        page = wait("apply", confirmed.url)
        assert page.url.endswith("/change/"), page.url  # applied, not sent back to the preview
        results["counts"]["after the import"] = counts()
        save(folder, "web.json", results)
        undo = page.url.replace("/change/", "/undo/")
        undone = timed("undo", lambda: client.post(undo, {}))
        assert undone.status_code == 302 and undone.url.endswith("/progress/"), undone
        wait("undo", undone.url)
        results["counts"]["after the undo"] = counts()
    except BaseException as error:  # any failure still leaves its results
        results["failure"] = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    finally:
        results["peak_mb"] = peak_mb()
        save(folder, "web.json", results)
        Path(folder, "stop").touch()


def write_file(folder, entries):
    """The entries as one file, written by a process of their own."""
    setup()
    from bench.import_bibtex import generate

    Path(folder, "all.bib").write_text(generate(entries))


def run_worker(env, worker_id):
    """One `db_worker --batch --max-tasks 1` in a process of its own: wall s, its rusage."""
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--max-tasks"]
    command += ["1", "--no-startup-delay", "--no-reload", "--worker-id", worker_id]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=ROOT)
    # Stopping the benchmark stops the task too (db_worker would finish it first).
    signal.signal(signal.SIGTERM, lambda *_: (child.kill(), sys.exit("stopped")))
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage, child.returncode


def worker(folder, debug):
    """Run each queued task in a worker process of its own, as the tasks come."""
    while not Path(folder, "ready").exists():
        if Path(folder, "stop").exists():
            return
        time.sleep(0.2)
    setup()
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    env = {**os.environ, "DEBUG": "1" if debug else "0"}
    results = {"tasks": [], "debug": debug}
    _seconds, usage, _code = run_worker(env, "bench-base")  # the queue is empty yet
    results["base_mb"] = usage.ru_maxrss / 1024
    save(folder, "worker.json", results)
    Path(folder, "worker ready").touch()  # the upload may start
    while not Path(folder, "stop").exists():
        close_old_connections()
        if not DBTaskResult.objects.ready().exists():
            time.sleep(0.2)
            continue
        worker_id = f"bench-{len(results['tasks'])}"
        seconds, usage, code = run_worker(env, worker_id)
        close_old_connections()
        ran = [
            task
            for task in DBTaskResult.objects.order_by("-enqueued_at")[:20]
            if worker_id in task.worker_ids
        ]
        results["tasks"].append(
            {
                "step": STEPS.get(ran[0].task_path, ran[0].task_path) if ran else "(none)",
                "status": ran[0].status if ran else f"exit {code}",
                "seconds": seconds,
                "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mb": usage.ru_maxrss / 1024,
            }
        )
        save(folder, "worker.json", results)


def start(mode, env, folder, *args):
    log = open(Path(folder, f"{mode}.log"), "w")  # noqa: SIM115 — the child keeps it
    return subprocess.Popen(
        [sys.executable, __file__, "--mode", mode, "--folder", folder, *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def empty_postgres(url):
    """Empty the one database of `url` (its public schema); never drop or create one."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("postgresql"):
        sys.exit(f"--db postgres needs a PostgreSQL DATABASE_URL, not {url}")
    connection = psycopg2.connect(
        dbname=config["NAME"],
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    return config["NAME"]


def table(entries, vendor, bound, web_results, worker_results):
    """The results (so far) as Markdown."""
    lines = []
    megabytes = web_results.get("megabytes")
    size = f" ({megabytes:.1f} MB)" if megabytes else ""
    lines.append(f"\n{entries:,} entries{size} in one file on {vendor}\n")
    lines.append("| step | count | slowest wall s (CPU s) | mean wall s (CPU s) | peak RSS MB |")
    lines.append("|---|---:|---:|---:|---:|")
    slow = []
    for name, values in web_results.get("times", {}).items():
        wall = max(w for w, _c in values), sum(w for w, _c in values) / len(values)
        cpu = max(c for _w, c in values), sum(c for _w, c in values) / len(values)
        if wall[0] > bound:
            slow.append(f"{name} ({wall[0]:.1f} s wall, {cpu[0]:.1f} s CPU)")
        lines.append(
            f"| web: {name} | {len(values)} | {wall[0]:.2f} ({cpu[0]:.2f}) "
            f"| {wall[1]:.2f} ({cpu[1]:.2f}) | |"
        )
    if "peak_mb" in web_results:
        lines.append(f"| web process (all its requests) | | | | {web_results['peak_mb']:.0f} |")
    base = worker_results.get("base_mb")
    if base is not None:
        lines.append(f"| worker: base (empty queue) | 1 | | | {base:.0f} |")
    stages = web_results.get("stages", {})
    for task in worker_results.get("tasks", []):
        waited = stages.get(task["step"])
        seen = f"; the editor waited {waited:.0f} s" if waited is not None else ""
        status = "" if task["status"] == "SUCCESSFUL" else f" — {task['status']}"
        lines.append(
            f"| worker: {task['step']}{status} | 1 "
            f"| {task['seconds']:.0f} ({task['cpu']:.0f}){seen} "
            f"| | {task['peak_mb']:.0f} (+{task['peak_mb'] - (base or 0):.0f}) |"
        )
    mode = "DEBUG=1" if worker_results.get("debug") else "DEBUG=0"
    lines.append(f"\nThe worker ran with {mode}; the web process with DEBUG=1.")
    if slow:
        lines.append(f"Requests over {bound:g} s: " + "; ".join(slow) + ".")
    elif web_results.get("times"):
        lines.append(f"Every request took at most {bound:g} s (wall).")
    found = web_results.get("counts", {})
    if found:
        lines.append("\n| rows | " + " | ".join(found) + " |")
        lines.append("|---|" + "---:|" * len(found))
        for name in COUNTED:
            row = " | ".join(f"{value.get(name, 0):,}" for value in found.values())
            lines.append(f"| {name} | {row} |")
        if "after the undo" in found:
            same = found["after the undo"] == found["before"]
            lines.append(
                "\nAfter the undo the database is "
                + ("as before the import." if same else "NOT as before the import.")
            )
    if web_results.get("failure"):
        lines.append(f"\nStopped: {web_results['failure']} (the table has what came before).")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--timeout", type=int, default=3 * 3600, help="seconds per step")
    parser.add_argument("--debug", action="store_true", help="run the worker with DEBUG=1")
    parser.add_argument("--request-bound", type=float, default=5.0, help="seconds")
    parser.add_argument("--mode", choices=["files", "web", "worker"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "files":
        return write_file(args.folder, args.entries)
    if args.mode == "web":
        return web(args.folder, args.timeout)
    if args.mode == "worker":
        return worker(args.folder, args.debug)

    folder = tempfile.mkdtemp(prefix="labsite-bench-jobs-")
    print(f"logs and results in {folder}", flush=True)
    if args.db == "sqlite":
        url = f"sqlite:///{folder}/db.sqlite3"  # its own, so two runs never share one
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url:
            sys.exit("--db postgres needs DATABASE_URL: the one database it may empty")
        print(f"emptying PostgreSQL database {empty_postgres(url)!r}", flush=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "SECRET_KEY": "bench-only-" + "x" * 50,
    }
    env.pop("REDIS_URL", None)
    # Migrated as in production (the worker's settings), which also creates the
    # DatabaseCache table that DEBUG=0 uses; the web process's migrate is then a no-op.
    worker_env = {**env, "DEBUG": "1" if args.debug else "0"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
        env=worker_env,
        cwd=ROOT,
        check=True,
    )
    files = start("files", env, folder, "--entries", str(args.entries))
    if files.wait():
        sys.exit(Path(folder, "files.log").read_text()[-3000:])
    # `kill` (SIGTERM) stops the run as Ctrl-C does: the table of what was measured.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.perf_counter()
    web_process = start("web", env, folder, "--timeout", str(args.timeout))
    worker_args = ["--debug"] if args.debug else []
    worker_process = start("worker", env, folder, *worker_args)
    try:
        while web_process.poll() is None:
            if worker_process.poll() is not None:  # the worker failed: stop waiting for it
                Path(folder, "stop").touch()
            time.sleep(1)
        Path(folder, "stop").touch()
        # The worker finishes the task it runs (a web timeout leaves it running).
        worker_process.wait(timeout=args.timeout)
    except (KeyboardInterrupt, subprocess.TimeoutExpired) as stopped:
        print(f"stopped: {type(stopped).__name__}", flush=True)
        for process in (web_process, worker_process):
            if process.poll() is None:
                process.terminate()
    total = time.perf_counter() - started
    web_results, worker_results = load(folder, "web.json"), load(folder, "worker.json")
    if web_results.get("failure"):
        sys.stderr.write(Path(folder, "web.log").read_text()[-3000:])
    vendor = "SQLite" if args.db == "sqlite" else "PostgreSQL"
    print(table(args.entries, vendor, args.request_bound, web_results, worker_results))
    print(f"\ntotal wall time {total:.0f} s; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
