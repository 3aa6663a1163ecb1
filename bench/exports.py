"""Exports of the whole list under abuse: cached, keyed on known parameters, rate-limited.

    .venv/bin/python bench/exports.py                      # 24,000 papers (issue 19's figure)
    .venv/bin/python bench/exports.py --papers 5000

Seeds the PostgreSQL database `labsite_bench_exports_N` to N papers (bench/synthetic.py,
through bench/load.py's `_prepare`; kept for the next run), then runs gunicorn (2
workers, production settings, the shared cache in Redis db 14) and measures, over
loopback:
  * `/en/publications/?format=csljson` drawn (the first request after a content
    change), then again (cached), then with `&x=<random>` (the same cache entry);
  * an ordinary page (`/en/research/`, cached) alone, and while six clients download
    `?format=csljson&x=<random>` at once (the issue's attack: 10.8 s before);
  * one client asking for 20 exports in a row: how many get 429.
The rate limit is off (EXPORT_RATE_LIMIT=0) for the timings, on (10 a minute) for the
last line. Timings are printed, never asserted.
"""

import argparse
import secrets
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import redis  # noqa: E402

from bench import compare, load  # noqa: E402
from bench.server import HEADERS, Gunicorn  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/14"
EXPORT = "/en/publications/?format=csljson"


def get(base, path):
    """(status, seconds, bytes)."""
    request = urllib.request.Request(base + path, headers=HEADERS)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            size = len(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        size, status = len(error.read()), error.code
    return status, time.perf_counter() - start, size


def serve(env, limit):
    env = {**env, "EXPORT_RATE_LIMIT": str(limit), "REDIS_URL": REDIS_URL}
    return Gunicorn(env, workers=2, probe="/en/", args=["--timeout", "120"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=24_000)
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/labsite_bench_exports_{args.papers}"
    print(compare.provide(url, args.papers), file=sys.stderr)
    env = load.env_for(url, cached=True, redis_url=REDIS_URL)
    prepared = load.run_django(["_prepare", str(args.papers)], env, script=ROOT / "bench/load.py")
    redis.Redis.from_url(REDIS_URL).flushdb()  # this benchmark's own Redis database
    rows = []

    server = serve(env, limit=0)
    try:
        status, drawn, size = get(server.base, EXPORT)
        rows.append(("whole list, drawn (first after a change)", status, drawn, size))
        status, cached, size = get(server.base, EXPORT)
        rows.append(("whole list, cached", status, cached, size))
        junk = [get(server.base, f"{EXPORT}&x={secrets.token_hex(4)}") for _ in range(5)]
        rows.append(
            (
                "whole list, &x=<random> (median of 5)",
                junk[0][0],
                statistics.median(t for _, t, _ in junk),
                junk[0][2],
            )
        )
        page = "/en/research/"
        get(server.base, page)
        alone = statistics.median(get(server.base, page)[1] for _ in range(5))
        rows.append(("ordinary page alone (median of 5)", 200, alone, 0))
        busy = []
        stop = threading.Event()

        def attacker():
            while not stop.is_set():
                get(server.base, f"{EXPORT}&x={secrets.token_hex(4)}")

        threads = [threading.Thread(target=attacker) for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        for _ in range(5):
            busy.append(get(server.base, page)[1])
        stop.set()
        for thread in threads:
            thread.join()
        rows.append(
            ("ordinary page, 6 clients exporting (median of 5)", 200, statistics.median(busy), 0)
        )
    finally:
        server.stop()

    server = serve(env, limit=10)
    try:
        statuses = [get(server.base, f"{EXPORT}&x={n}")[0] for n in range(20)]
    finally:
        server.stop()

    print(f"\n{prepared['papers']:,} papers, PostgreSQL, gunicorn 2 workers, Redis cache\n")
    print(f"| {'request':<50} | status | seconds | MB |")
    print(f"|{'-' * 52}|--------|---------|----|")
    for name, status, seconds, size in rows:
        mb = f"{size / 1e6:.1f}" if size else ""
        print(f"| {name:<50} | {status:>6} | {seconds:>7.3f} | {mb} |")
    refused = statuses.count(429)
    print(f"\n20 exports in a row from one address, limit 10 a minute: {refused} × 429")


if __name__ == "__main__":
    main()
