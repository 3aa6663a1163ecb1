"""Search relevance on the lab's own 32 papers (issue 17): recall and precision per language.

    DEBUG=1 .venv/bin/python -m bench.relevance          # SQLite: a throw-away in-memory database
    DEBUG=1 .venv/bin/python -m bench.relevance --all    # every query, not only the worst
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite \
        DEBUG=1 .venv/bin/python -m bench.relevance      # PostgreSQL

Creates a fresh database as the tests do (SQLite: in memory; PostgreSQL: a
`test_<name>_relevance` database next to DATABASE_URL's, dropped at the end), loads
research/content/lab.toml with `load_lab_content`, then asks every query of
tests/search_eval/queries.toml on the public publications list — `/ja/publications/?q=…`
or `/en/…` through Django's test client, the first page of 20 in the page's own
order — and prints Markdown tables: per language, the mean recall on the first page
and precision in the top 5 (tests/search_eval has the definitions), the queries that
return more than three quarters of the papers without naming the whole lab, and
the worst queries. tests/publications/test_search_relevance.py asserts the goals on
the same figures; docs/search.md ("Relevance") keeps the results.
"""

import argparse
import os
import subprocess
import sys
from contextlib import contextmanager, redirect_stdout
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextmanager
def fresh_database():
    """A new, empty, migrated database for this run; dropped afterwards."""
    from django.db import connection
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    if connection.vendor == "postgresql":
        # Not the test suite's test_<name>: a test run may be using it.
        name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"test_{name}_relevance"
    setup_test_environment()  # the test client records each response's context
    with redirect_stdout(sys.stderr):  # createcachetable's notes are not the table
        old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        yield connection
    finally:
        teardown_databases(old, verbosity=0)
        teardown_test_environment()


def revision():
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return described.stdout.strip()


def cell(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def short(text, width=70):
    return text if len(text) <= width else text[: width - 1] + "…"


def print_summary(summaries, papers):
    print(
        "| lang | queries | scored | recall, first page | precision, top 5 | all found |"
        f" > 3/4 of the {papers} papers | 'none' queries with results |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in summaries:
        print(
            f"| {s.lang} | {s.queries} | {s.scored} | {s.recall:.2f} | {s.precision:.2f}"
            f" | {s.perfect}/{s.scored} | {len(s.too_broad)} | {len(s.none_with_results)} |"
        )


def print_kinds(answers, languages):
    """Mean recall per kind of query and language: which kinds the search misses."""
    from statistics import mean

    kinds = sorted({a.query.kind for a in answers if a.query.expect})
    print("\n| kind | " + " | ".join(f"{lang}: queries, recall" for lang in languages) + " |")
    print("|---|" + "---:|" * len(languages))
    for kind in kinds:
        cells = []
        for lang in languages:
            mine = [a for a in answers if a.query.kind == kind and a.query.lang == lang]
            mine = [a for a in mine if a.query.expect]
            cells.append(f"{len(mine)}, {mean(a.recall for a in mine):.2f}" if mine else "–")
        print(f"| {kind} | " + " | ".join(cells) + " |")


def print_queries(answers, title):
    print(f"\n{title}\n")
    print("| query | lang | kind | recall | P@5 | results | expected | missed (first) |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for a in answers:
        q = a.query
        # A whole-lab query misses what a page of 20 cannot hold: not a miss.
        missed = f"{len(a.missed)}: {short(a.missed[0], 50)}" if a.missed and a.recall != 1 else ""
        print(
            f"| {q.q} | {q.lang} | {q.kind}{' (whole lab)' if q.whole_lab else ''}"
            f" | {cell(a.recall)} | {cell(a.precision)} | {a.count} | {len(q.expect)}"
            f" | {missed} |"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="List every query, not only the worst.")
    parser.add_argument(
        "--worst", type=int, default=15, help="How many of the worst queries to list (15)."
    )
    args = parser.parse_args(argv)

    # The test settings: no page cache (every answer is the search's own), throw-away media.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from publications.models import Publication
    from tests import search_eval

    with fresh_database() as connection:
        call_command("load_lab_content", stdout=StringIO())
        papers = Publication.objects.published().count()
        answers = search_eval.ask_all(Client())

        print(
            f"Search relevance on the lab's {papers} papers: {connection.vendor},"
            f" {revision()}, {len(answers)} queries (tests/search_eval/queries.toml)\n"
        )
        summaries = [search_eval.summarise(answers, lang, papers) for lang in search_eval.LANGUAGES]
        print_summary(summaries, papers)
        print_kinds(answers, search_eval.LANGUAGES)
        broad = [a for s in summaries for a in s.too_broad]
        if broad:
            print_queries(broad, f"Queries returning more than 3/4 of the {papers} papers")
        nothing = [a for s in summaries for a in s.none_with_results]
        if nothing:
            print_queries(nothing, "Queries expecting no paper that return some")
        if args.all:
            print_queries(answers, "Every query")
        elif args.worst:
            print_queries(
                search_eval.worst(answers, args.worst),
                f"The worst queries (at most {args.worst}): lowest recall, then precision",
            )


if __name__ == "__main__":
    main()
