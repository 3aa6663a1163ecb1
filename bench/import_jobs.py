"""One 100,000-entry BibTeX file through the admin and the background worker: time and memory.

    .venv/bin/python bench/import_jobs.py                         # SQLite, 100,000 entries
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_bench_jobs \\
        .venv/bin/python bench/import_jobs.py --db postgres        # PostgreSQL (dropped first)
    .venv/bin/python bench/import_jobs.py --entries 20000          # fewer

The entries are bench/import_bibtex.py's (a DOI each, @string journals, accents and
math, authors from a pool), written as one file beforehand by a process of their own.
Then two processes, as in production, on a database with the lab's content:

- *web*: the editor's requests (Django's test client, a superuser): upload (decode,
  count, store the text), the progress page reloaded every 0.5 s while the worker
  reads and plans the file, the preview's first page, its page of errors and its last
  page, saving a choice on a page, Confirm (queue the import), the progress page
  again until the import is applied, then Undo (queued) and its progress page until
  it is done. Each kind of request's slowest and mean wall and CPU time, and the
  process's peak RSS, are printed: no request should take more than a few seconds.
- *worker*: `manage.py db_worker --batch` (the worker of `make run` and of the compose
  file, here run again whenever the queue is empty) reads, plans, applies and undoes
  the file: its peak RSS above the base (Django and the project imported, the
  database connected) is the figure the goal is about (< 300 MB).

Timings are printed, never asserted.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import django

    django.setup()


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def web(folder, entries):
    """The editor's requests for the one file."""
    setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from research.content.loader import load_lab_content

    call_command("migrate", verbosity=0)
    load_lab_content()
    Path(folder, "ready").touch()  # the worker may start
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("bench", password="x"))
    url = reverse("admin:publications_publication_import")
    names = ("upload", "progress page", "preview page", "save choices", "confirm", "undo")
    times = {name: [] for name in names}
    stages = {}

    def timed(name, action):
        started, cpu = time.perf_counter(), time.process_time()
        response = action()
        times[name].append((time.perf_counter() - started, time.process_time() - cpu))
        assert response.status_code < 500, (name, response.status_code)
        return response

    def wait(progress):
        started = time.perf_counter()
        while (page := timed("progress page", lambda: client.get(progress))).status_code == 200:
            time.sleep(0.5)
        return page, time.perf_counter() - started

    data = Path(folder, "all.bib").read_bytes()
    file = SimpleUploadedFile("all.bib", data)
    response = timed("upload", lambda: client.post(url, {"file": file}))
    assert response.status_code == 302 and response.url.endswith("/progress/"), response
    page, stages["read and planned"] = wait(response.url)
    preview = page.url
    assert preview.endswith("/preview/"), preview
    for query in ("", "?status=error", "?page=1000000", "?status=new&page=500"):
        html = timed("preview page", lambda q=query: client.get(preview + q)).content.decode()
    digest = html.split('name="digest" value="', 1)[1].split('"', 1)[0]
    timed("save choices", lambda: client.post(preview, {"save": "1", "choice-1": "skip"}))
    confirmed = timed("confirm", lambda: client.post(preview, {"digest": digest}))
    assert confirmed.status_code == 302 and confirmed.url.endswith("/progress/"), confirmed
    page, stages["applied"] = wait(confirmed.url)
    assert page.url.endswith("/change/"), page.url  # applied, not sent back to the preview
    undo = page.url.replace("/change/", "/undo/")
    undone = timed("undo", lambda: client.post(undo, {}))
    assert undone.url.endswith("/progress/"), undone.url
    page, stages["undone"] = wait(undone.url)
    Path(folder, "stop").touch()
    print(
        json.dumps(
            {
                "megabytes": len(data) / 1e6,
                "times": times,
                "stages": stages,
                "peak_mb": peak_mb(),
            }
        ),
        flush=True,
    )


def write_file(folder, entries):
    """The entries as one file, written by a process of its own."""
    setup()
    from bench.import_bibtex import generate

    Path(folder, "all.bib").write_text(generate(entries))
    print("{}")


def worker(folder):
    while not Path(folder, "ready").exists():
        time.sleep(0.2)
    setup()
    from django.core.management import call_command
    from django.db import connection

    from publications.models import ImportBatch, Publication

    connection.ensure_connection()
    base = peak_mb()
    started = time.perf_counter()
    while not Path(folder, "stop").exists():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        time.sleep(0.2)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "seconds": time.perf_counter() - started,
                "undone": ImportBatch.objects.filter(status="undone").count(),
                "papers": Publication.objects.count(),
                "base_mb": base,
                "peak_mb": peak_mb(),
            }
        ),
        flush=True,
    )


def start(mode, env, folder, *args):
    return subprocess.Popen(
        [sys.executable, __file__, "--mode", mode, "--folder", folder, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def result(process, mode):
    out, err = process.communicate()
    sys.stderr.write(err[-3000:])
    if process.returncode:
        sys.exit(f"the {mode} process failed")
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--mode", choices=["files", "web", "worker"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "files":
        return write_file(args.folder, args.entries)
    if args.mode == "web":
        return web(args.folder, args.entries)
    if args.mode == "worker":
        return worker(args.folder)

    if args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / "labsite-bench-jobs.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labsite_bench_jobs"
        )
        name = url.rsplit("/", 1)[-1]
        for tool in ("dropdb", "createdb"):
            subprocess.run([tool, "-h", "127.0.0.1", "-U", "postgres", name], check=False)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "ALLOWED_HOSTS": "testserver"}
    folder = tempfile.mkdtemp(prefix="labsite-bench-jobs-")
    result(start("files", env, folder, "--entries", str(args.entries)), "files")
    started = time.perf_counter()
    web_process = start("web", env, folder, "--entries", str(args.entries))
    worker_process = start("worker", env, folder)
    requests = result(web_process, "web")
    applied = result(worker_process, "worker")
    total = time.perf_counter() - started

    times = requests["times"]
    print(
        f"\n{args.entries:,} entries ({requests['megabytes']:.1f} MB) in one file "
        f"on {applied['vendor']}"
    )
    print("| step | count | slowest s (CPU s) | mean s (CPU s) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        wall = max(w for w, _c in values), sum(w for w, _c in values) / len(values)
        cpu = max(c for _w, c in values), sum(c for _w, c in values) / len(values)
        print(
            f"| web: {name} | {len(values)} | {wall[0]:.2f} ({cpu[0]:.2f}) "
            f"| {wall[1]:.2f} ({cpu[1]:.2f}) | {requests['peak_mb']:.0f} (the web process) |"
        )
    worker_mb = f"{applied['peak_mb']:.0f} (base {applied['base_mb']:.0f})"
    for name, seconds in requests["stages"].items():
        print(f"| worker: upload → {name} | 1 | {seconds:.0f} | | {worker_mb} (the worker) |")
    print(
        f"\npapers in the database after the undo: {applied['papers']:,}; "
        f"total wall time {total:.0f} s"
    )


if __name__ == "__main__":
    main()
