"""Exports of the whole list under abuse: cached, keyed on known parameters, rate-limited.

    .venv/bin/python bench/exports.py                      # 24,000 papers (issue 19's figure)
    .venv/bin/python bench/exports.py --papers 5000

Seeds the PostgreSQL database `labsite_bench_exports_N` to N papers (bench/synthetic.py,
through bench/load.py's `_prepare`; kept for the next run), then runs gunicorn (2
workers, production settings, the shared cache in Redis db 14) and measures, over
loopback:
  * unbounded (EXPORT_RATE_LIMIT=0, EXPORT_MAX_PAPERS=0): `/en/publications/?format=csljson`
    drawn (the first request after a content change), then cached, then with
    `&x=<random>` (the same cache entry);
  * with the defaults (10 lists a minute per address, 5,000 papers): the whole list
    (refused), the papers since 2020 drawn and cached, an ordinary page
    (`/en/research/`, cached) alone and while six clients download
    `…&x=<random>` at once (the issue's attack: 10.8 s before), and one client asking
    for 20 exports in a row: how many get 429 (a fixed window: a run that spans a
    minute's boundary counts in two windows).
Timings are printed, never asserted.
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


def reset_counters():
    """The rate limit's counters, so that each measurement starts a fresh count."""
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("*export-rate*"):
        client.delete(key)


def serve(env, **settings):
    env = {**env, "REDIS_URL": REDIS_URL, **{k: str(v) for k, v in settings.items()}}
    return Gunicorn(env, workers=2, probe="/en/", args=["--timeout", "300"])


def under_attack(base, attack, page="/en/research/", clients=6):
    """The median time of `page` (5 requests) while `clients` threads request
    `attack` + `&x=<random>` in a loop; and the statuses the attackers got."""
    get(base, page)
    stop = threading.Event()
    statuses = []

    def attacker():
        while not stop.is_set():
            statuses.append(get(base, f"{attack}&x={secrets.token_hex(4)}")[0])

    threads = [threading.Thread(target=attacker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    busy = [get(base, page)[1] for _ in range(5)]
    stop.set()
    for thread in threads:
        thread.join()
    return statistics.median(busy), sorted(set(statuses))


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
    page = "/en/research/"

    # No bounds: what drawing the whole list costs, and what the cache saves.
    server = serve(env, EXPORT_RATE_LIMIT=0, EXPORT_MAX_PAPERS=0)
    try:
        rows.append(("unbounded: whole list drawn", *get(server.base, EXPORT)))
        rows.append(("unbounded: whole list cached", *get(server.base, EXPORT)))
        junk = [get(server.base, f"{EXPORT}&x={secrets.token_hex(4)}") for _ in range(5)]
        median = statistics.median(t for _, t, _ in junk)
        rows.append(("unbounded: &x=<random> (median of 5)", junk[0][0], median, junk[0][2]))
    finally:
        server.stop()

    # The defaults: 10 lists a minute per address, 5,000 papers, one drawn at a time.
    redis.Redis.from_url(REDIS_URL).flushdb()
    server = serve(env)
    try:
        rows.append(("default: whole list (over the bound)", *get(server.base, EXPORT)))
        part = f"{EXPORT}&year_from=2020"
        rows.append(("default: papers since 2020, drawn", *get(server.base, part)))
        rows.append(("default: papers since 2020, cached", *get(server.base, part)))
        reset_counters()
        alone = statistics.median(get(server.base, page)[1] for _ in range(5))
        rows.append(("ordinary page alone (median of 5)", 200, alone, 0))
        busy, statuses = under_attack(server.base, part)
        label = f"ordinary page, 6 clients exporting (attackers got {statuses})"
        rows.append((label, 200, busy, 0))
        reset_counters()
        statuses = [get(server.base, f"{part}&x={n}")[0] for n in range(20)]
    finally:
        server.stop()

    print(f"\n{prepared['papers']:,} papers, PostgreSQL, gunicorn 2 workers, Redis cache\n")
    print(f"| {'request':<66} | status | seconds | MB |")
    print(f"|{'-' * 68}|--------|---------|----|")
    for name, status, seconds, size in rows:
        mb = f"{size / 1e6:.1f}" if size > 1000 else ""
        print(f"| {name:<66} | {status:>6} | {seconds:>7.3f} | {mb} |")
    print(f"\n20 exports in a row from one address, limit 10 a minute: {statuses.count(429)} × 429")


if __name__ == "__main__":
    main()
