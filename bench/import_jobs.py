"""100,000 BibTeX entries through the admin and the background worker: time and memory.

    .venv/bin/python bench/import_jobs.py                         # SQLite, 100,000 entries
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_bench_jobs \\
        .venv/bin/python bench/import_jobs.py --db postgres        # PostgreSQL (dropped first)
    .venv/bin/python bench/import_jobs.py --entries 20000          # fewer

The entries are bench/import_bibtex.py's (a DOI each, @string journals, accents and
math, authors from a pool), split into files of settings.LABSITE_IMPORT_MAX_ENTRIES
(one import takes at most that many; a larger file is refused at the upload, which is
timed too), written beforehand by a process of their own. Then two processes, as in
production, on a database with the lab's content:

- *web*: for each file, the editor's requests (Django's test client, a superuser):
  upload (decode, parse, store the pending batch), preview (plan, render every row),
  Confirm (queue the import), then the progress page, reloaded every 0.5 s until it
  sends the editor on to the applied batch (as an editor would wait before uploading
  the next part: a part previewed before the previous one was applied may come back
  "changed since the preview", since its authors are no longer new people). Each
  request's slowest wall and CPU time and the process's peak RSS (before the
  refusals, whose bodies the test client builds in memory) are printed: no request
  should take more than a few seconds. Then two refused uploads: two files in one
  (over the entries limit) and the whole file (over 20 MB too).
- *worker*: `manage.py db_worker --batch` (the worker of `make run` and of the
  compose file, here run again whenever the queue is empty) applies every file, one
  after another, in one process: its peak RSS (the goal: < 300 MB).

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
    """The editor's requests for each file, then one file with every entry at once."""
    setup()
    from django.conf import settings
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
    per_file = settings.LABSITE_IMPORT_MAX_ENTRIES
    files = sorted(Path(folder).glob("part*.bib"))
    times = {"upload": [], "preview": [], "confirm": [], "progress page": [], "applied": []}

    def timed(name, action):
        started, cpu = time.perf_counter(), time.process_time()
        response = action()
        times[name].append((time.perf_counter() - started, time.process_time() - cpu))
        return response

    for path in files:
        file = SimpleUploadedFile(path.name, path.read_bytes())
        response = timed("upload", lambda f=file: client.post(url, {"file": f}))
        assert response.status_code == 302, response.status_code
        preview = response.url
        assert timed("preview", lambda p=preview: client.get(p)).status_code == 200
        confirmed = timed("confirm", lambda p=preview: client.post(p, {}))
        assert confirmed.status_code == 302 and confirmed.url.endswith("/progress/")
        queued = time.perf_counter()
        while (
            page := timed("progress page", lambda c=confirmed: client.get(c.url))
        ).status_code == 200:
            time.sleep(0.5)
        assert page.url.endswith("/change/"), page.url  # applied, not sent back to the preview
        times["applied"].append((time.perf_counter() - queued, 0))
    Path(folder, "stop").touch()
    peak_requests = peak_mb()  # before the refusals: the test client holds their bodies
    refusals = []
    twice = files[0].read_bytes() + files[1].read_bytes() if len(files) > 1 else b""
    for name, data in (("two files in one", twice), ("all", Path(folder, "all.bib").read_bytes())):
        if data:
            started = time.perf_counter()
            refused = client.post(url, {"file": SimpleUploadedFile("big.bib", data)})
            seconds = time.perf_counter() - started
            refusals.append([name, len(data) / 1e6, refused.status_code, seconds])
    print(
        json.dumps(
            {
                "files": len(files),
                "per_file": per_file,
                "megabytes": Path(folder, "all.bib").stat().st_size / 1e6,
                "times": times,
                "refused": refusals,
                "peak_mb": peak_requests,
            }
        ),
        flush=True,
    )


def write_files(folder, entries):
    """The entries as files of LABSITE_IMPORT_MAX_ENTRIES (part*.bib) and as one (all.bib),
    written by a process of their own, so that the web process holds one at a time."""
    setup()
    from django.conf import settings

    from bench.import_bibtex import generate

    per_file = settings.LABSITE_IMPORT_MAX_ENTRIES
    text = generate(entries)
    Path(folder, "all.bib").write_text(text)
    header, _sep, body = text.partition("\n\n@article")
    parts = ("@article" + body).split("\n\n@article")
    parts = [parts[0]] + ["@article" + part for part in parts[1:]]
    for number, start in enumerate(range(0, len(parts), per_file)):
        chunk = "\n\n".join(parts[start : start + per_file])
        Path(folder, f"part{number:03}.bib").write_text(f"{header}\n\n{chunk}\n")
    print("{}")


def worker(folder):
    while not Path(folder, "ready").exists():
        time.sleep(0.2)
    setup()
    from django.core.management import call_command
    from django.db import connection

    from publications.models import ImportBatch, Publication

    started = time.perf_counter()
    while not Path(folder, "stop").exists():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        time.sleep(0.2)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "seconds": time.perf_counter() - started,
                "applied": ImportBatch.objects.applied().count(),
                "papers": Publication.objects.count(),
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
        return write_files(args.folder, args.entries)
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
        f"\n{args.entries:,} entries ({requests['megabytes']:.1f} MB) on {applied['vendor']}, "
        f"as {requests['files']} files of at most {requests['per_file']:,} entries"
    )
    print("| step | count | slowest s (CPU s) | mean s (CPU s) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for name in ("upload", "preview", "confirm", "progress page"):
        values = times[name]
        wall = max(w for w, _c in values), sum(w for w, _c in values) / len(values)
        cpu = max(c for _w, c in values), sum(c for _w, c in values) / len(values)
        print(
            f"| web: {name} | {len(values)} | {wall[0]:.2f} ({cpu[0]:.2f}) "
            f"| {wall[1]:.2f} ({cpu[1]:.2f}) | {requests['peak_mb']:.0f} (the web process) |"
        )
    for name, megabytes, status, seconds in requests["refused"]:
        print(
            f"| web: upload of {name} ({megabytes:.1f} MB): refused ({status}) | 1 "
            f"| {seconds:.2f} | | |"
        )
    applied_s = [w for w, _c in times["applied"]]
    print(
        f"| worker: Confirm → applied (one file) | {applied['applied']} | {max(applied_s):.1f} "
        f"| {sum(applied_s) / len(applied_s):.1f} | {applied['peak_mb']:.0f} (the worker) |"
    )
    print(f"\npapers in the database: {applied['papers']:,}; total wall time {total:.0f} s")


if __name__ == "__main__":
    main()
