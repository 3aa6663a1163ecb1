"""What drawing an achievement list costs, per download format and style.

    DATABASE_URL=sqlite:////tmp/bench-lists.sqlite3 .venv/bin/python bench/achievement_lists.py
    DATABASE_URL=postgres://…/bench_lists .venv/bin/python bench/achievement_lists.py --papers 5000

Migrates the database named by DATABASE_URL, seeds it to N papers (bench/synthetic.py:
the lab's content plus generated papers, kept for the next run), then draws the list of
every published paper (at most LABSITE_EXPORT_MAX_PAPERS, 5,000, as the admin allows)
as CSV, Excel and in each style as text and Word, the way the admin's downloads do
(publications/admin_lists.py), and prints the seconds and bytes of each. Run it on an
idle machine; timings are printed, never asserted.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import translation

    from bench import synthetic
    from publications.lists import STYLES, render, table
    from publications.lists.filters import papers
    from publications.lists.papers import PAPERS

    call_command("migrate", verbosity=0)
    synthetic.seed(args.papers, log=lambda line: print(line, file=sys.stderr))
    translation.activate("ja")
    limit = settings.LABSITE_EXPORT_MAX_PAPERS or None

    def timed(label, draw):
        started = time.perf_counter()
        body = draw()
        print(f"{label:<22} {time.perf_counter() - started:8.2f} s {len(body):>12,} bytes")

    started = time.perf_counter()
    items = list(papers({}).for_export()[:limit])
    print(f"read {len(items):,} papers     {time.perf_counter() - started:8.2f} s")
    timed("csv", lambda: table.csv_bytes(PAPERS.columns, items))
    timed("xlsx", lambda: table.xlsx_bytes(PAPERS.columns, items, PAPERS.label))
    for style in STYLES:
        entries = []

        def formatted(style=style, entries=entries):
            entries[:] = PAPERS.format(items, style)
            return render.text(entries).encode()

        timed(f"{style} text", formatted)
        timed(f"{style} docx (drawn)", lambda entries=entries: render.docx_bytes(entries, "bench"))


if __name__ == "__main__":
    main()
