"""Where an uncached page's time goes: one process, the Django test client, cProfile.

    .venv/bin/python bench/page_profile.py /en/publications/
    .venv/bin/python bench/page_profile.py /en/research/materials-informatics/ --size 100000

Reads the database bench/load.py seeded (`labsite_load_N`, run that first) with
the load benchmark's settings and the page cache off. It prints the page's median
time without the profiler, then the profiled time per request split by where it
is spent: SQL on the wire, compiling queries, building model instances, querysets
and prefetching, the template engine, this project's template helpers, URL reversing,
translation lookups, and the rest; a builtin's time (getattr, str.join…) goes to
its callers. cProfile slows Python down about twice, and code that makes many
small calls (the ORM building a query) more than the rest; so the page is also
timed without the profiler, split by a clock around four of Django's methods: the
database round trips, compiling queries to SQL, running them (compiling,
executing and reading rows) and rendering the template (with any query it runs).
Timings are printed, never asserted.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load import POSTGRES_URL, setup_uncached  # noqa: E402  (a script: see bench/load.py)

# (label, parts of a file path or function name that belong to it), first match wins.
PARTS = [
    ("SQL on the wire", ["psycopg"]),
    (
        "building and compiling queries",
        [
            "sql/compiler.py", "sql/query.py", "sql/where.py", "expressions.py", "lookups.py",
            "utils/tree.py", "deconstruct.py", "models/options.py", "models/manager.py",
            "models/fields/__init__.py", "/copy.py",
        ],
    ),
    (
        "model instances (with their signals)",
        ["models/base.py", "modeltranslation/", "dispatch/dispatcher.py", "fields/related"],
    ),
    ("querysets, prefetching", ["models/query.py", "related_descriptors.py", "query_utils.py"]),
    ("template engine", ["django/template/"]),
    (
        "this project's template helpers",
        [
            "publications/templatetags/", "research/templatetags/", "publications/translated.py",
            "publications/charts.py",
        ],
    ),
    ("escaping, safe strings", ["utils/html.py", "utils/safestring.py", "html/__init__.py"]),
    ("URL reversing", ["django/urls/"]),
    (
        "translations, lazy strings",
        ["utils/translation/", "asgiref/local.py", "utils/functional.py", "/gettext.py"],
    ),
]  # fmt: skip


def part_of(filename, function):
    for label, needles in PARTS:
        if any(n in filename or n in function for n in needles):
            return label
    return "the rest (views, middleware, the rest of Django)"


def timed_split(client, path, requests):
    """{part: seconds over `requests` requests}, clocked around Django's own methods."""
    from django.db.backends.utils import CursorWrapper
    from django.db.models.sql.compiler import SQLCompiler
    from django.template.response import SimpleTemplateResponse

    spent = Counter()
    methods = [
        ("template rendering (with the queries it runs)", SimpleTemplateResponse, "render"),
        ("queries run: compiled, executed, rows read", SQLCompiler, "execute_sql"),
        ("compiling queries to SQL", SQLCompiler, "as_sql"),
        ("database round trips (PostgreSQL and the wire)", CursorWrapper, "_execute"),
    ]
    originals = [(cls, name, getattr(cls, name)) for _, cls, name in methods]

    depth = Counter()

    def clocked(label, method):
        # Only the outermost call is clocked: a subquery compiles inside its query.
        def wrapper(*args, **kwargs):
            depth[label] += 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                depth[label] -= 1
                if not depth[label]:
                    spent[label] += time.perf_counter() - started

        return wrapper

    for label, cls, name in methods:
        setattr(cls, name, clocked(label, getattr(cls, name)))
    try:
        started = time.perf_counter()
        for _ in range(requests):
            client.get(path, secure=True)
        total = time.perf_counter() - started
    finally:
        for cls, name, method in originals:
            setattr(cls, name, method)
    return {"the whole request": total, **{label: spent[label] for label, _, _ in methods}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="a page's path, e.g. /en/publications/")
    parser.add_argument("--size", type=int, default=10_000, help="papers (labsite_load_N)")
    parser.add_argument("--requests", type=int, default=30, help="requests timed and profiled")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()

    setup_uncached(args.postgres_url, args.size)
    from django.test import Client

    client = Client()
    response = client.get(args.path, secure=True)
    if response.status_code != 200:
        sys.exit(f"{args.path} answered {response.status_code}")
    for _ in range(3):  # warm: connections, templates, URL resolvers
        client.get(args.path, secure=True)
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get(args.path, secure=True)
        times.append(time.perf_counter() - started)

    split = timed_split(client, args.path, args.requests)

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        client.get(args.path, secure=True)
    profile.disable()
    spent = Counter()
    for (filename, _line, function), row in pstats.Stats(profile).stats.items():
        own, callers = row[2], row[4]
        if filename == "~" and "psycopg" not in function and callers:
            # A builtin (getattr, str.join…): its time belongs to whoever called it.
            for (caller_file, _, caller_function), by_caller in callers.items():
                spent[part_of(caller_file, caller_function)] += by_caller[2]
        else:
            spent[part_of(filename, function)] += own  # own time, not its callees'
    total = sum(spent.values())

    print(f"\n{args.path} at {args.size:,} papers: median {statistics.median(times) * 1000:.1f} ms")
    print(f"profiled: {total / args.requests * 1000:.1f} ms per request\n")
    print("Without the profiler (a part includes the parts below it that it calls):\n")
    print("| part | ms per request |")
    print("|---|---:|")
    for label, seconds in split.items():
        print(f"| {label} | {seconds / args.requests * 1000:.2f} |")
    print()
    print("| part | ms per request (profiled) | share |")
    print("|---|---:|---:|")
    for label, seconds in spent.most_common():
        print(f"| {label} | {seconds / args.requests * 1000:.1f} | {100 * seconds / total:.0f}% |")


if __name__ == "__main__":
    main()
