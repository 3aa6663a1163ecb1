"""BibTeX import benchmark: a generated 5,000-entry file through the admin, end to end.

    .venv/bin/python bench/import_bibtex.py                  # SQLite, 5,000 entries
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_bench_import \\
        .venv/bin/python bench/import_bibtex.py               # SQLite, then PostgreSQL
    .venv/bin/python bench/import_bibtex.py --entries 1000 --db sqlite

The file looks like a real lab's export: @string journals, month macros, LaTeX
accents and math in some titles, kanji and accented authors drawn from a pool
(so people repeat across papers), keywords from a pool of 40, a DOI each. Each
database starts empty (the lab's content loaded; a fresh SQLite file, or the
PostgreSQL database named by DATABASE_URL dropped and created again).

Steps, as a user meets them in the admin (Django's test client, a superuser):
parse = decode + bibtexparser + LaTeX decoding + mapping (for reference);
upload = POST the file (parse, store the pending batch, plan);
preview = GET the preview page (plan again, render every row);
confirm = POST confirm (queue the import); apply = the worker (`db_worker --batch`, in
this process) applies it (plan, write everything, search index);
then the same file again (upload + preview), which finds 5,000 duplicates.
Timings are printed, never asserted. Goal: upload + preview + confirm ≤ 15 s.
"CPU s" is this process's CPU time (Python, and SQLite, which runs in-process;
not the PostgreSQL server's): on a shared machine it shows what the wall time
would be without the other load.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAMILIES = [
    "M{\\\"u}ller", "Sch{\\\"o}n", "Dvo\\v{r}{\\'a}k", "Garc{\\'\\i}a", "{\\AA}ngstr{\\\"o}m",
    "Smith", "Chen", "Kim", "Lee", "Wang", "Suzuki", "Tanaka", "Nakamura", "Ito", "Kobayashi",
    "Rossi", "Novak", "Silva", "Nguyen", "Okafor", "Kowalski", "Dubois", "Jensen", "Murphy",
]  # fmt: skip
GIVEN = ["A.", "B.", "C.", "D.", "E.", "J.", "K.", "M.", "P. Y.", "S.", "T.", "Y."]
KANJI = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 健", "田中 美咲", "伊藤 翔", "渡辺 彩"]
WORDS = [
    "electron", "energy", "loss", "spectroscopy", "grain", "boundary", "defect", "oxide",
    "interface", "machine", "learning", "first", "principles", "calculation", "catalyst",
    "battery", "cathode", "layered", "material", "phonon", "band", "structure", "spectrum",
    "prediction", "neural", "network", "core", "segregation", "dopant",
]  # fmt: skip
FANCY = [
    "of $\\mathrm{MoS}_2$", "in Ti{O$_2$}", "at 5\\% strain", "-- a {DFT} study",
    "with {\\\"o}ver-doping", "of Sr{T}i{O}$_3$", "by {ELNES}",
]  # fmt: skip
JOURNALS = {"jpcl": "J. Phys. Chem. Lett.", "prb": "Phys. Rev. B", "actamat": "Acta Mater."}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def generate(entries, seed=4):
    rng = random.Random(seed)
    people = [f"{rng.choice(FAMILIES)}{n}, {rng.choice(GIVEN)}" for n in range(1500)]
    people += KANJI
    keywords = [f"Keyword {n}" for n in range(40)]
    out = [f'@string{{{key} = "{name}"}}' for key, name in JOURNALS.items()]
    for n in range(entries):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).capitalize()
        if rng.random() < 0.3:
            title += " " + rng.choice(FANCY)
        authors = " and ".join(rng.sample(people, rng.randint(2, 8)))
        fields = [
            f"  author = {{{authors}}}",
            f"  title = {{{title} {n}}}",
            f"  journal = {rng.choice(list(JOURNALS))}",
            f"  volume = {{{rng.randint(1, 120)}}}",
            f"  pages = {{{(p := rng.randint(1, 9000))}--{p + rng.randint(3, 20)}}}",
            f"  year = {{{rng.randint(1995, 2025)}}}",
            f"  month = {rng.choice(MONTHS)}",
            f"  doi = {{10.9999/bench.{n}}}",
            f"  keywords = {{{', '.join(rng.sample(keywords, 3))}}}",
        ]
        out.append(f"@article{{bench{n},\n" + ",\n".join(fields) + "\n}")
    return "\n\n".join(out) + "\n"


def worker(entries):
    """Runs in a process whose DATABASE_URL names an empty database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from publications.bibtex import decoding, importer, latex, parsing
    from publications.models import ImportBatch, Publication
    from research.content.loader import load_lab_content

    call_command("migrate", verbosity=0)
    load_lab_content()
    data = generate(entries).encode("utf-8")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("bench", password="x"))
    rows = []

    def step(name, action):
        started, cpu = time.perf_counter(), time.process_time()
        result = action()
        rows.append((name, time.perf_counter() - started, time.process_time() - cpu))
        return result

    step("parse", lambda: importer.records_from_text(decoding.decode(data).text))

    def upload():
        latex.latex_to_unicode.cache_clear()  # as cold as a fresh server process
        parsing.name_parts.cache_clear()
        file = SimpleUploadedFile("bench.bib", data, content_type="application/x-bibtex")
        response = client.post(reverse("admin:publications_publication_import"), {"file": file})
        assert response.status_code == 302, response.status_code
        return response.url

    for label in ("", "again: "):
        preview = step(f"{label}upload", upload)
        page = step(f"{label}preview", lambda url=preview: client.get(url))
        assert page.status_code == 200
        if not label:
            digest = page.content.decode().split('name="digest" value="')[1].split('"')[0]
            response = step(
                "confirm", lambda url=preview, d=digest: client.post(url, {"digest": d})
            )
            assert response.status_code == 302, response.status_code
            # Confirm queues the import; the worker (here in this process) applies it.
            step(
                "apply (worker)",
                lambda: call_command(
                    "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
                ),
            )
    batch = ImportBatch.objects.applied().get()
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "entries": entries,
                "created": batch.created_count,
                "papers": Publication.objects.count(),
                "again_new": importer.build(ImportBatch.objects.pending().get()).count("new"),
                "steps": rows,
                "megabytes": len(data) / 1e6,
            }
        ),
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=5000, help="entries in the file")
    parser.add_argument(
        "--db",
        nargs="+",
        choices=["sqlite", "postgres"],
        default=["sqlite", "postgres"] if os.environ.get("DATABASE_URL") else ["sqlite"],
        help="databases to measure (postgres uses DATABASE_URL)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.entries)
        return

    results = []
    for db in args.db:
        if db == "sqlite":
            path = Path(tempfile.gettempdir()) / "labsite-bench-import.sqlite3"
            path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            url = os.environ.get(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labsite_bench_import"
            )
            name = url.rsplit("/", 1)[-1]
            for tool in ("dropdb", "createdb"):
                subprocess.run([tool, "-h", "127.0.0.1", "-U", "postgres", name], check=False)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "1",
            "ALLOWED_HOSTS": "testserver",
        }
        command = [sys.executable, __file__, "--worker", "--entries", str(args.entries)]
        out = subprocess.run(command, env=env, capture_output=True, text=True)
        sys.stderr.write(out.stderr)
        if out.returncode:
            sys.exit(f"the {db} run failed")
        results += [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]

    for r in results:
        steps = ("upload", "preview", "confirm", "apply (worker)")
        timed = [(s, c) for name, s, c in r["steps"] if name in steps]
        total, total_cpu = sum(s for s, _c in timed), sum(c for _s, c in timed)
        print(
            f"\nBibTeX import, {r['vendor']}: {r['entries']:,} entries ({r['megabytes']:.1f} MB), "
            f"{r['created']:,} created; importing again: {r['again_new']} new\n"
        )
        print("| step | wall s | CPU s (this process) |")
        print("|---|---:|---:|")
        for name, seconds, cpu in r["steps"]:
            print(f"| {name} | {seconds:.2f} | {cpu:.2f} |")
        print(f"| **upload + preview + confirm + apply** | **{total:.2f}** | **{total_cpu:.2f}** |")
    print(f"\nLoad average while measuring: {os.getloadavg()[0]:.1f} (2 cores).")


if __name__ == "__main__":
    main()
