"""Load benchmark: gunicorn (2 workers, production settings) on PostgreSQL, driven by wrk.

    .venv/bin/python bench/load.py --sizes 1000 10000 100000
    .venv/bin/python bench/load.py --sizes 10000 --rounds 5 --markdown
    .venv/bin/python bench/load.py --sizes 10000 --modes uncached
    .venv/bin/python bench/load.py --sizes 1000 10000 100000 --compare e758f51

For each size N it seeds the database `labsite_load_N` to N papers
(bench/synthetic.py; kept for the next run, --fresh drops it first). Then, for
three server runs — page cache in the database (the default), page cache in
Redis (REDIS_URL), and page cache off ("uncached") — it starts gunicorn with 2
sync workers and DEBUG off behind a simulated TLS proxy (wrk sends
X-Forwarded-Proto: https), and drives each page type over loopback with wrk
(1 thread, 4 connections), in rounds: the ceiling (`/bench/ceiling/`: a fixed
string through the same middleware; bench/urls.py) for 3 s, then the page for
3 s, three times over. It prints the page's requests/s, p50 and p99 latency
(medians over the rounds), its throughput as a share of the ceiling (the median
of the rounds' shares: the machine is shared and its speed drifts, so a page is
only compared with the ceiling measured right before it), and the SQL queries
the page runs (Django test client, uncached and cached). Timings are printed,
never asserted.

--compare REV measures REV's code ("before") and the working tree's ("after") in
the same run: REV's from a temporary git worktree, prepared, counted and served
by its own bench/load.py `_prepare` and `_queries` and its own gunicorn, on its
own database `labsite_load_N_<rev>` (bench/compare.py). Both servers run side by
side and every round measures each code's ceiling and page in turn, so the
machine's drift falls on both alike; one table shows both and the ratio of
their p50 latencies.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import compare  # noqa: E402  (a script: the project is not on the path)
from bench.server import Gunicorn  # noqa: E402

PYTHON = sys.executable
DATABASE = "labsite_load"
POSTGRES_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
WRK_HEADERS = ["-H", "X-Forwarded-Proto: https", "-H", "Accept-Encoding: gzip"]


def env_for(database_url, cached, redis_url="", root=ROOT, tmpdir=None):
    """The environment of the Django processes and gunicorn of the code in `root`.

    `tmpdir` (TMPDIR) keeps a code's collected static files (bench/settings.py puts
    STATIC_ROOT in the temp folder) apart from another code's and from other runs.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "REDIS_URL", "PAGE_CACHE_SECONDS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        BEHIND_PROXY="1",
        PAGE_CACHE_SECONDS="3600" if cached else "0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(root),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if tmpdir:
        env["TMPDIR"] = str(tmpdir)
    return env


# ---------------------------------------------------------------- in the Django process


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def prepare(size):
    """Seed to `size` papers; print the page URLs to measure as JSON."""
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from bench import synthetic
    from publications import freshness, search
    from publications.models import Keyword, Publication
    from research.models import ResearchTheme

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    synthetic.seed(size, log=lambda line: print(line, file=sys.stderr))
    # The search index as the code defines it now (a kept database may predate it).
    with connection.schema_editor() as editor:
        search.drop_entry_index(editor)
        search.create_entry_index(editor)
    with connection.cursor() as cursor:
        # What autovacuum does on a database in service: statistics for the planner and
        # the visibility map that lets counts read an index alone (index-only scans).
        cursor.execute("VACUUM ANALYZE")
    # Seeding announces what it adds; a kept database may still hold pages that an
    # earlier run (of older code, perhaps) stored: none of them is measured as a hit.
    freshness.bump()
    theme = ResearchTheme.objects.filter(is_published=True).order_by("order").first()
    keyword = Keyword.objects.annotate(n=Count("publications")).order_by("-n", "slug").first()
    paper = Publication.objects.published().filter(slug__startswith="synthetic").first()
    pages = {
        "ceiling": "/bench/ceiling/",
        "home": "/en/",
        "theme": f"/en/research/{theme.slug}/",
        "publications list": "/en/publications/",
        "search ja (欠陥)": "/ja/publications/?q=%E6%AC%A0%E9%99%A5",
        "search en (ELNES)": "/en/publications/?q=ELNES",
        "publication": f"/en/publications/{paper.slug}/",
        "keyword": f"/en/keywords/{keyword.slug}/",
    }
    print(json.dumps({"pages": pages, "papers": Publication.objects.count()}))


def page_queries(client, url):
    """The queries a second view of `url` runs (the first warms up, and fills the
    page cache when it is on), as Django captured them; the page must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return queries.captured_queries


def count_queries(pages_json):
    """Print {page: [uncached queries, cached queries]} for the pages."""
    django_setup()
    from django.conf import settings
    from django.test import Client

    pages = json.loads(pages_json)
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    counts = {}
    for name, url in pages.items():
        row = []
        for seconds in (0, 3600):
            settings.LABSITE_PAGE_CACHE_SECONDS = seconds
            row.append(len(page_queries(client, url)))
        counts[name] = row
    print(json.dumps(counts))


# ---------------------------------------------------------------- the driver


def run_django(args, env, script=__file__, root=ROOT):
    """Run `script` with `args` in a Django process of the tree `root`; its last line of
    output, as JSON."""
    result = subprocess.run(
        [PYTHON, script, *args], cwd=root, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    sys.stderr.write(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, duration, connections):
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", *WRK_HEADERS, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def latency(percent):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} error responses\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"rps": rps, "p50": latency(50), "p99": latency(99)}


def start_server(env, args, root=ROOT, port=None):
    """The code in `root` under gunicorn as the benchmark serves it, with that tree's config."""
    return Gunicorn(
        env, workers=args.workers, port=port, probe="/bench/ceiling/", root=root,
        args=["--config", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null",
              "--max-requests", "0"],
    )  # fmt: skip


def measure(env, pages, args):
    """{page: wrk result, with "ceiling" and "ratio": the ceiling measured in turn with it}.

    The machine is shared, so its speed drifts from second to second: each page is
    measured in `args.rounds` rounds, each a run of the ceiling right before a run
    of the page. The page's figures are the medians over the rounds; its share of
    the ceiling is the median of the rounds' shares.
    """
    return measure_side_by_side([(env, ROOT, pages)], args)[0]


def measure_side_by_side(runs, args):
    """measure() for several codes at once: [{page: result}] for each (env, root, pages).

    The servers run together (each idle while another is measured). In every round
    each server's ceiling and then its page are measured, one server after the
    other, in reverse order every other round: the machine's drift, and whatever
    one server's run leaves behind, fall on every code alike.
    """
    servers = []
    try:
        for k, (env, root, _) in enumerate(runs):
            servers.append(start_server(env, args, root, args.port + k if args.port else None))
        results = [{} for _ in runs]
        names = dict.fromkeys(name for *_, pages in runs for name in pages if name != "ceiling")
        for name in names:
            turn = [k for k, (*_, pages) in enumerate(runs) if name in pages]
            for k in turn:
                servers[k].get(runs[k][2][name])  # warm the workers (and the cache)
                servers[k].get(runs[k][2][name])
            rounds = {k: [] for k in turn}
            for number in range(args.rounds):
                for k in turn if number % 2 == 0 else turn[::-1]:
                    base, pages = servers[k].base, runs[k][2]
                    ceiling = wrk(base + pages["ceiling"], args.duration, args.connections)["rps"]
                    result = wrk(base + pages[name], args.duration, args.connections)
                    rounds[k].append(dict(result, ceiling=ceiling, ratio=result["rps"] / ceiling))
            for k, measured in rounds.items():
                results[k][name] = {key: median(r[key] for r in measured) for key in measured[0]}
        return results
    finally:
        for server in servers:
            server.stop()


def median(values):
    return statistics.median(list(values))


def database_url(base_url, size):
    return f"{base_url.rstrip('/')}_{size}"


def setup_uncached(postgres_url, size):
    """Django in this process, set up as the uncached server runs, on `labsite_load_N`.

    For the scripts that measure one process (bench/page_profile.py,
    bench/read_cost.py) on a database this benchmark seeded.
    """
    env = env_for(database_url(postgres_url, size), cached=False)
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)
    django_setup()


def ensure_database(url, fresh):
    if fresh:
        compare.drop(url)
    compare.provide(url, 0)


@dataclass
class Code:
    """A code under measurement: its tree, its databases and Redis, its temp folder."""

    label: str  # "before" or "after" with --compare, "" alone
    tree: compare.Tree
    postgres_url: str  # its databases: this name + _N, + suffix
    redis_url: str
    suffix: str = ""
    tmpdir: Path | None = None

    def database(self, size):
        return database_url(self.postgres_url, size) + self.suffix

    def env(self, size, mode="uncached"):
        return env_for(
            self.database(size),
            cached=mode != "uncached",
            redis_url=self.redis_url if mode == "redis" else "",
            root=self.tree.root,
            tmpdir=self.tmpdir,
        )

    def run(self, size, *args):
        """This tree's own `bench/load.py` subcommand (`_prepare`, `_queries`) on its database.

        Its own, because the code it prepares is its own: the modules it imports
        are moved and deleted by the refactorings that --compare measures.
        """
        script = self.tree.root / "bench" / "load.py"
        return run_django(list(args), self.env(size), script=script, root=self.tree.root)


def prepare_codes(codes, size, args):
    """[{"pages", "papers", "queries"}] for each code, on its database of `size` papers.

    Each code's database is migrated, seeded and counted by that code's own
    `_prepare` and `_queries`, REV's first: a pair made from nothing is seeded
    once, by the older code, and the newer code migrates its copy forward
    (bench/compare.py says when a database is copied from the other).
    """
    if args.fresh:
        for code in codes:
            compare.drop(code.database(size))
    apps = {app for code in codes for app, _ in code.tree.migrations}
    prepared = []
    for code in codes:
        others = [c.database(size) for c in codes if c is not code]
        done = compare.provide(
            code.database(size), size, template=others[0] if others else None,
            migrations=code.tree.migrations, apps=apps,
            log=lambda line: print(line, file=sys.stderr),
        )  # fmt: skip
        print(done, file=sys.stderr)
        result = code.run(size, "_prepare", str(size))
        if "ceiling" not in result["pages"]:
            sys.exit(f"{code.tree.root}: _prepare names no ceiling page")
        result["queries"] = code.run(size, "_queries", json.dumps(result["pages"]))
        prepared.append(result)
    return prepared


# --modes names: the server runs' headings in the table.
MODES = {"database": "cached, database cache", "redis": "cached, Redis", "uncached": "uncached"}


def figures(result):
    return [
        f"{result['rps']:.0f}", f"{result['p50']:.1f}", f"{result['p99']:.1f}",
        f"{100 * result['ratio']:.0f}%",
    ]  # fmt: skip


def ceiling_of(results):
    """The ceiling row's req/s: the median of the ceilings measured in one server run."""
    ceilings = sorted(r["ceiling"] for r in results.values())
    return ceilings[len(ceilings) // 2]


def rows_alone(size, prepared, results, modes):
    """One row per page: each mode's figures, then the SQL counts uncached and cached."""
    (code,) = prepared
    rows = []
    for name in code["pages"]:
        row = [f"{size:,}", name]
        for mode in modes:
            measured = results[mode][0]
            if name == "ceiling":
                row += [f"{ceiling_of(measured):.0f}", "", "", "100%"]
            else:
                row += figures(measured[name])
        rows.append([*row, *code["queries"][name]])
    return rows


def rows_compared(size, prepared, results, modes):
    """One row per page and mode: each code's figures and SQL count in that mode (a
    miss uncached, a hit cached), then the after-code's p50 over the before-code's."""
    rows = []
    for name in dict.fromkeys(name for code in prepared for name in code["pages"]):
        for mode in modes:
            row, p50 = [f"{size:,}", name, mode], []
            for code, measured in zip(prepared, results[mode], strict=True):
                sql = code["queries"].get(name, ["", ""])[mode != "uncached"]
                if name == "ceiling":
                    row += [f"{ceiling_of(measured):.0f}", "", "", "100%", sql]
                elif name in measured:
                    row += [*figures(measured[name]), sql]
                    p50.append(measured[name]["p50"])
                else:  # a page only one code's _prepare names
                    row += ["", "", "", "", ""]
            row.append(f"{p50[1] / p50[0]:.2f}" if len(p50) == 2 else "")
            rows.append(row)
    return rows


def table(rows, markdown, modes, codes):
    if len(codes) > 1:
        header = ["papers", "page", "mode"]
        for code in codes:
            header += [f"{code.label}: req/s", "p50 ms", "p99 ms", "% of ceiling", "SQL"]
        header.append(f"p50 {codes[1].label}/{codes[0].label}")
        return table_text(header, rows, markdown, names=3)
    header = ["papers", "page"]
    for mode in modes:
        header += [f"{MODES[mode]}: req/s", "p50 ms", "p99 ms", "% of ceiling"]
    header += ["SQL uncached", "SQL cached"]
    return table_text(header, rows, markdown)


def table_text(header, rows, markdown, names=2):
    """The rows under the header: Markdown, or plain columns (the first `names` columns
    left, figures right)."""
    lines = [header, *rows]
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(width(row[i]) for row in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            (" " * (w - width(c)) + str(c)) if i >= names else (str(c) + " " * (w - width(c)))
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in lines
    )


def width(cell):
    """Columns `cell` takes in a terminal: two for each wide character (欠陥), one otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(cell))


def run(codes, modes, args, heading=""):
    """Prepare, measure and tabulate every size for the codes; print the table."""
    rows = []
    for size in sorted(args.sizes):
        prepared = prepare_codes(codes, size, args)
        print(f"\n{prepared[-1]['papers']} papers: measuring …", file=sys.stderr)
        results = {}
        for mode in modes:
            if mode == "redis":  # the bench's own Redis databases: no pages of another size
                import redis

                for code in codes:
                    redis.Redis.from_url(code.redis_url).flushdb()
            runs = [
                (code.env(size, mode), code.tree.root, p["pages"])
                for code, p in zip(codes, prepared, strict=True)
            ]
            results[mode] = measure_side_by_side(runs, args)
        rows += (rows_compared if len(codes) > 1 else rows_alone)(size, prepared, results, modes)
        print(table(rows, args.markdown, modes, codes), file=sys.stderr)
    print()
    if heading:
        print(heading + "\n")
    print(table(rows, args.markdown, modes, codes))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1000, 10000, 100000],
        help="numbers of papers, measured in ascending order",
    )
    parser.add_argument(
        "--duration", type=int, default=3, help="seconds of each wrk run (a page, a ceiling)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs of the ceiling and the page in turn, per page"
    )
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="gunicorn's port on 127.0.0.1 (REV's: the next one); 0, the default: free ports",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="databases to seed and serve from: this name + _N for each size (+ _REV for REV)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the databases")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=list(MODES),
        default=list(MODES),
        help="server runs to measure (all three by default)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/13",
        help="a Redis for the cached-with-Redis run ('' skips that run; REV's: the next database)",
    )
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="measure REV's code (a commit, branch or tag) too, before this tree's, side by side",
    )
    args = parser.parse_args()  # fmt: skip
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    modes = [m for m in args.modes if args.redis_url or m != "redis"]
    if not args.compare:
        alone = Code("", compare.Tree(ROOT, "", ""), args.postgres_url, args.redis_url)
        run([alone], modes, args)
        return
    with (
        compare.checkout(args.compare) as before,
        tempfile.TemporaryDirectory(prefix="labsite-load-") as tmp,
    ):
        after = compare.working_tree()
        redis_before = compare.redis_beside(args.redis_url) if args.redis_url else ""
        codes = [
            Code("before", before, args.postgres_url, redis_before, f"_{before.short}"),
            Code("after", after, args.postgres_url, args.redis_url),
        ]
        for code in codes:
            compare.check_imports(code.tree.root)
            code.tmpdir = Path(tmp) / code.label
            code.tmpdir.mkdir()
        run(codes, modes, args, heading=f"before: {before.name}\nafter: {after.name}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_prepare":
        prepare(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_queries":
        count_queries(sys.argv[2])
    else:
        main()
