"""Load benchmark: gunicorn (2 workers, production settings) on PostgreSQL, driven by wrk.

    .venv/bin/python bench/load.py --sizes 1000 10000 100000
    .venv/bin/python bench/load.py --sizes 10000 --rounds 5 --markdown
    .venv/bin/python bench/load.py --sizes 10000 --modes uncached

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import Gunicorn  # noqa: E402  (a script: the project is not on the path)

PYTHON = sys.executable
DATABASE = "labsite_load"
POSTGRES_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
WRK_HEADERS = ["-H", "X-Forwarded-Proto: https", "-H", "Accept-Encoding: gzip"]


def env_for(database_url, cached, redis_url=""):
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
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
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


def run_django(args, env, script=__file__):
    """Run `script` with `args` in a Django process; its last line of output, as JSON."""
    result = subprocess.run(
        [PYTHON, script, *args], cwd=ROOT, env=env, capture_output=True, text=True
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


def measure(env, pages, args):
    """{page: wrk result, with "ceiling" and "ratio": the ceiling measured in turn with it}.

    The machine is shared, so its speed drifts from second to second: each page is
    measured in `args.rounds` rounds, each a run of the ceiling right before a run
    of the page. The page's figures are the medians over the rounds; its share of
    the ceiling is the median of the rounds' shares.
    """
    server = Gunicorn(
        env, workers=args.workers, port=args.port, probe="/bench/ceiling/",
        args=["--config", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null",
              "--max-requests", "0"],
    )  # fmt: skip
    ceiling = server.base + pages["ceiling"]
    try:
        results = {}
        for name, path in pages.items():
            if name == "ceiling":
                continue
            server.get(path)  # warm the worker (and the cache)
            server.get(path)
            rounds = []
            for _ in range(args.rounds):
                ceiling_rps = wrk(ceiling, args.duration, args.connections)["rps"]
                result = wrk(server.base + path, args.duration, args.connections)
                rounds.append(dict(result, ceiling=ceiling_rps, ratio=result["rps"] / ceiling_rps))
            results[name] = {key: median(r[key] for r in rounds) for key in rounds[0]}
        return results
    finally:
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
    name = url.rsplit("/", 1)[1]
    admin = dict(os.environ, PGHOST="127.0.0.1", PGUSER="postgres")
    if fresh:
        subprocess.run(["dropdb", "--if-exists", name], env=admin, check=True)
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
    found = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", query],
        env=admin, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not found:
        subprocess.run(["createdb", name], env=admin, check=True)


# --modes names: the server runs' headings in the table.
MODES = {"database": "cached, database cache", "redis": "cached, Redis", "uncached": "uncached"}


def table(rows, markdown, modes):
    header = ["papers", "page"]
    for mode in modes:
        header += [f"{mode}: req/s", "p50 ms", "p99 ms", "% of ceiling"]
    header += ["SQL uncached", "SQL cached"]
    return table_text(header, rows, markdown)


def table_text(header, rows, markdown):
    """The rows under the header: Markdown, or plain columns (names left, figures right)."""
    lines = [header, *rows]
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            str(c).rjust(w) if i > 1 else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in lines
    )


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
    parser.add_argument("--port", type=int, default=8790, help="gunicorn's port on 127.0.0.1")
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="databases to seed and serve from: this name + _N for each size",
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
        help="a Redis for the cached-with-Redis run ('' skips that run)",
    )
    args = parser.parse_args()  # fmt: skip
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    rows = []
    for size in sorted(args.sizes):
        url = database_url(args.postgres_url, size)
        ensure_database(url, args.fresh)
        prepared = run_django(["_prepare", str(size)], env_for(url, cached=False))
        pages = prepared["pages"]
        queries = run_django(["_queries", json.dumps(pages)], env_for(url, cached=False))
        print(f"\n{prepared['papers']} papers: measuring …", file=sys.stderr)
        modes = [MODES[m] for m in args.modes if args.redis_url or m != "redis"]
        results = {}
        for mode in modes:
            env = env_for(
                url,
                cached=mode != "uncached",
                redis_url=args.redis_url if "Redis" in mode else "",
            )
            if "Redis" in mode:  # the bench's own Redis database: no pages of another size
                import redis

                redis.Redis.from_url(args.redis_url).flushdb()
            results[mode] = measure(env, pages, args)
        for name in pages:
            row = [f"{size:,}", name]
            for mode in modes:
                if name == "ceiling":  # the median of the ceilings measured in this run
                    ceilings = sorted(r["ceiling"] for r in results[mode].values())
                    row += [f"{ceilings[len(ceilings) // 2]:.0f}", "", "", "100%"]
                    continue
                r = results[mode][name]
                row += [
                    f"{r['rps']:.0f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}",
                    f"{100 * r['ratio']:.0f}%",
                ]  # fmt: skip
            rows.append([*row, *queries[name]])
        print(table(rows, args.markdown, modes), file=sys.stderr)
    print()
    print(table(rows, args.markdown, modes))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_prepare":
        prepare(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_queries":
        count_queries(sys.argv[2])
    else:
        main()
