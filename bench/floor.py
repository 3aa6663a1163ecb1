"""The floor under an uncached page: its reads alone, served by the same gunicorn.

    .venv/bin/python bench/floor.py                  # 10,000 papers
    .venv/bin/python bench/floor.py --size 100000 --markdown

For each page type of bench/load.py, it captures the SQL statements the page
runs uncached (the Django test client, one process), then starts the uncached
load benchmark's gunicorn (2 sync workers, production settings, page cache
off) and drives with wrk, in rounds with the ceiling as load.py does:

- the page itself;
- `/bench/replay/N/` (bench/urls.py): the same statements, run one after
  another on Django's cursor with every row read, and a fixed string returned
  through the same middleware. No queryset is built, no model instance made,
  nothing rendered.

It prints each one's requests/s and share of the ceiling. Whatever code
serves a page, it makes that page's reads or others like them, so the second
share is what the page could reach if building its queries, its objects and
its HTML cost nothing. Timings are printed, never asserted.
"""

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import load  # noqa: E402  (a script: the project is not on the path)


def capture(pages_json, out):
    """Write [[SQL]] for the pages, in order, to the file `out`."""
    load.django_setup()
    from django.conf import settings
    from django.test import Client

    settings.LABSITE_PAGE_CACHE_SECONDS = 0
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    statements = [
        [q["sql"] for q in load.page_queries(client, url)]
        for url in json.loads(pages_json).values()
    ]
    Path(out).write_text(json.dumps(statements))
    print(json.dumps(len(statements)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="papers (labsite_load_N)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of the ceiling and a URL")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8791, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--postgres-url", default=load.POSTGRES_URL, help="as in load.py")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    url = load.database_url(args.postgres_url, args.size)
    load.ensure_database(url, fresh=False)
    env = load.env_for(url, cached=False)
    prepared = load.run_django(["_prepare", str(args.size)], env)
    pages = {k: v for k, v in prepared["pages"].items() if k != "ceiling"}
    with tempfile.NamedTemporaryFile(suffix=".json") as replay:
        load.run_django(["_capture", json.dumps(pages), replay.name], env, script=__file__)
        statements = json.loads(Path(replay.name).read_text())
        urls = {"ceiling": prepared["pages"]["ceiling"]}
        for index, (name, path) in enumerate(pages.items()):
            urls[name] = path
            urls[f"{name}: reads alone"] = f"/bench/replay/{index}/"
        results = load.measure(dict(env, BENCH_REPLAY=replay.name), urls, args)
    ceiling = load.median(r["ceiling"] for r in results.values())
    header = ["page", "SQL", "page req/s", "% of ceiling", "reads alone req/s", "% of ceiling"]
    rows = [["ceiling", 0, f"{ceiling:.0f}", "100%", "", ""]]
    for index, name in enumerate(pages):
        page, reads = results[name], results[f"{name}: reads alone"]
        rows.append([
            name, len(statements[index]),
            f"{page['rps']:.0f}", f"{100 * page['ratio']:.0f}%",
            f"{reads['rps']:.0f}", f"{100 * reads['ratio']:.0f}%",
        ])  # fmt: skip
    print(f"\n{prepared['papers']:,} papers", file=sys.stderr)
    print(load.table_text(header, rows, args.markdown))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_capture":
        capture(sys.argv[2], sys.argv[3])
    else:
        main()
