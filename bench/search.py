"""Search benchmark: query × database time × plan, at institute scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/search.py                       # 100,000 papers, both databases
    .venv/bin/python bench/search.py --papers 10000 --db postgres
    .venv/bin/python bench/search.py --db postgres --compare e758f51

For each database it seeds the papers (bench/synthetic.py; a database already
holding them is reused), then runs what the publications list runs for a search
— the result count and the first page of 20 — for each query, several times,
and prints the median time spent in the database, the number of results and the
plan's access path. PostgreSQL uses bench/load.py's database for that number of
papers, `labsite_load_N` on 127.0.0.1:5432 (seeded alike; override with
--postgres-url); SQLite the file labsite-bench-N.sqlite3 in the temp folder.
--papers is "at least": a database holding more is measured as it is.
Timings are printed, never asserted.

--compare REV first runs REV's own bench/search.py worker from a temporary git
worktree, on its own databases (`labsite_load_N_<rev>`, labsite-bench-N-<rev>.sqlite3;
bench/compare.py), then this tree's, and prints one table with both medians and
their ratio. The codes run one after the other (database times drift less than
throughput does; bench/load.py --compare interleaves its rounds).
"""

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import compare, load  # noqa: E402  (a script: the project is not on the path)

QUERIES = [
    ("欠陥", "2-character Japanese, inside a word"),
    ("格子欠陥", "Japanese keyword name"),
    ("第一原理計算", "6-character Japanese"),
    ("ELNES", "English keyword name"),
    ("ＥＬＮＥＳ", "full-width Latin"),
    ("ｽﾍﾟｸﾄﾙ", "half-width katakana"),
    ("elnes spectra", "two words (AND)"),
    ('"lattice defects"', "quoted phrase"),
    ("Mizoguchi", "author, English"),
    ("溝口", "author, kanji"),
    ("10.9999/synthetic.12345", "DOI"),
    ("machine learning catalyst", "three words"),
    ("a", "one letter (prefix of many words)"),
    ("zzzzqx", "no hit"),
    ('"defects lattice"', "phrase whose words are everywhere, never adjacent"),
    ("mach learn cata", "three words, each only a prefix"),
    ("de sp", "two 2-letter prefixes"),
    ("ma le ca sp de", "five 2-letter prefixes of common words"),
    ("a b c d e f g h i j", "ten 1-letter prefixes"),
    ("EELS", "abbreviation naming a term: its spellings in both languages"),
    ("grain boundary", "two words naming a term"),
    ("第一原理計算を用いた粒界", "Japanese phrase naming two terms"),
    ("spectrum", "word forms (spectra, …)"),
    ("calculations", "word forms (calculated, …)"),
    ("Ruhle", "accents fold (Rühle)"),
    ("elnes zzzzqx", "no paper has both: papers with some of the words"),
    ("ELNES", "page 50 (the last under the cap)", 50),
    ("第一原理計算", "page 50 (the last under the cap)", 50),
]
PER_PAGE = 20


def worker(papers, repeat):
    """Runs inside a process whose DATABASE_URL names the database to measure."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import synthetic
    from publications import search
    from publications.models import Publication

    call_command("migrate", verbosity=0)
    synthetic.seed(papers, log=lambda line: print(line, file=sys.stderr))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load

    spent, statements = [], []

    def timed(execute, sql, params, many, context):
        statements.append((sql, params))
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    total = Publication.objects.count()
    for q, what, *page_number in QUERIES:
        number = page_number[0] if page_number else 1
        # A PublicationSearch over every published paper, as the publications list pages it.
        published = Publication.objects.published()
        pages = search.SearchPaginator(
            search.PublicationSearch(published, q, every_published_paper=True), PER_PAGE
        )
        last = pages.num_pages
        if number > last:  # fewer papers than the row is about: its page does not exist
            print(f"skipped: {q} page {number}, the last is {last}", file=sys.stderr)
            continue
        times = []
        with connection.execute_wrapper(timed):
            for _ in range(repeat):
                spent.clear()
                statements.clear()
                # What the list runs: the paginator's count, then the page's papers, for
                # a new search each time (PostgreSQL's prefix expansion included).
                results = search.PublicationSearch(published, q, every_published_paper=True)
                paginator = search.SearchPaginator(results, PER_PAGE)
                count = paginator.count
                page = [paper.pk for paper in paginator.page(number)]
                times.append(sum(spent))
        # The page is the one the search itself (a plain queryset) gives, ranked alike;
        # past the cap the list walks newest first (docs/search.md, Ranking), so its
        # page is only checked to be matches; with some of the words, not checked.
        results = Publication.objects.published().search(q)
        bottom = (number - 1) * PER_PAGE
        if paginator.object_list.partial:
            pass
        elif paginator.count_capped:
            assert results.filter(pk__in=page).count() == len(page), q
        else:
            ranked = list(results.values_list("pk", flat=True)[bottom : bottom + PER_PAGE])
            assert page == ranked, q
        print(
            json.dumps(
                {
                    "vendor": connection.vendor,
                    "papers": total,
                    "q": q,
                    "what": what,
                    "page": number,
                    "count": count,
                    "capped": paginator.count_capped,
                    "matches": results.count(),
                    "queries": len(statements),
                    "ms": statistics.median(times) * 1000,
                    "max_ms": max(times) * 1000,
                    "plan": " / ".join(
                        path
                        for sql, params in statements
                        if (path := access_path(connection, sql, params))
                    ),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )


TABLES = ("publications_publication", "publications_searchentry")


def access_path(connection, sql, params):
    """How the database reaches the papers and their search entries in one query, briefly."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]
            found = []

            def walk(node):
                if node.get("Relation Name") in TABLES or node.get("Index Name", "").startswith(
                    ("publication", "search_entry")
                ):
                    index = node.get("Index Name")
                    found.append(f"{node['Node Type']}" + (f" ({index})" if index else ""))
                for child in node.get("Plans", []):
                    walk(child)

            walk(plan)
            return "; ".join(dict.fromkeys(found))
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        rows = [row[-1] for row in cursor.fetchall()]
        return "; ".join(r for r in rows if any(table in r for table in TABLES))


def run_worker(root, url, args):
    """The rows of the tree `root`'s own bench/search.py --worker on the database `url`."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "PYTHONPATH": str(root)}
    command = [sys.executable, str(root / "bench" / "search.py"), "--worker"]
    command += ["--papers", str(args.papers), "--repeat", str(args.repeat)]
    out = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    if out.returncode:
        sys.exit(f"the run on {url.rsplit('/', 1)[-1]} ({root}) failed")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000, help="publications in all")
    parser.add_argument(
        "--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--repeat", type=int, default=7, help="runs per query (median shown)")
    parser.add_argument(
        "--postgres-url",
        help="the PostgreSQL database (default: bench/load.py's labsite_load_N, N = --papers)",
    )
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="run REV's own bench/search.py (a temporary git worktree, its own databases) first",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.papers, args.repeat)
        return

    sqlite_file = Path(tempfile.gettempdir()) / f"labsite-bench-{args.papers}.sqlite3"
    urls = {
        "sqlite": f"sqlite:///{sqlite_file}",
        "postgres": args.postgres_url or load.database_url(load.POSTGRES_URL, args.papers),
    }
    log = functools.partial(print, file=sys.stderr)
    if not args.compare:
        rows = []
        for db in args.db:
            log(compare.provide(urls[db], args.papers))
            rows += run_worker(ROOT, urls[db], args)
        print_table(rows, args.repeat)
        return
    with compare.checkout(args.compare) as before:
        after = compare.working_tree()
        apps = {app for tree in (before, after) for app, _ in tree.migrations}
        rows = {before: [], after: []}
        for db in args.db:
            url = {before: compare.beside(urls[db], before), after: urls[db]}
            for tree, other in ((before, after), (after, before)):  # REV first: see compare.py
                compare.check_imports(tree.root)
                log(compare.provide(url[tree], args.papers, template=url[other],
                                    migrations=tree.migrations, apps=apps, log=log))  # fmt: skip
                rows[tree] += run_worker(tree.root, url[tree], args)
    print(f"\nbefore: {before.name}\nafter: {after.name}")
    print_compared(rows[before], rows[after], args.repeat)


def print_table(rows, repeat):
    print(
        f"\nSearch: count + a page of {PER_PAGE} (page 1 unless said), median of {repeat} runs"
        " (ms in the database)\n"
    )
    print(
        "| database | papers | query | what | results | shown as | queries | median ms | max ms"
        " | plan |"
    )
    print("|---|---:|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        shown = f"more than {r['count']:,}" if r["capped"] else f"{r['count']:,}"
        print(
            f"| {r['vendor']} | {r['papers']:,} | `{r['q']}` | {r['what']} | {r['matches']:,} "
            f"| {shown} | {r['queries']} | {r['ms']:.1f} | {r['max_ms']:.1f} | {r['plan']} |"
        )


def print_compared(before, after, repeat):
    """One row per database and query: both codes' medians, their ratio, and their plans
    (the before-code's only where it differs). Figures that differ show as "before → after"."""
    print(
        f"\nSearch: count + a page of {PER_PAGE} (page 1 unless said), median of {repeat} runs"
        " (ms in the database), each code on its own database\n"
    )
    print(
        "| database | papers | query | what | results | queries | before ms | after ms"
        " | after/before | plan after | plan before, if other |"
    )
    print("|---|---:|---|---|---:|---:|---:|---:|---:|---|---|")

    def key(r):
        return r["vendor"], r["q"], r["page"]

    def both(b, a, field, text=str):
        values = list(dict.fromkeys(text(r[field]) for r in (b, a) if r))
        return " → ".join(values)

    befores, afters = {key(r): r for r in before}, {key(r): r for r in after}
    for k in dict.fromkeys([*afters, *befores]):
        b, a = befores.get(k), afters.get(k)
        some = a or b
        what = some["what"] + ("" if a and b else " (after only)" if a else " (before only)")
        cells = [
            some["vendor"], both(b, a, "papers", "{:,}".format), f"`{some['q']}`", what,
            both(b, a, "matches", "{:,}".format), both(b, a, "queries"),
            f"{b['ms']:.1f}" if b else "", f"{a['ms']:.1f}" if a else "",
            f"{a['ms'] / b['ms']:.2f}" if a and b else "",
            a["plan"] if a else "", b["plan"] if b and (not a or b["plan"] != a["plan"]) else "",
        ]  # fmt: skip
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
