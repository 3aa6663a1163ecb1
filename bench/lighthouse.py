"""Lighthouse over every public page type in both languages: the four category scores.

    .venv/bin/python bench/lighthouse.py              # needs `npm ci` and Debian's chromium
    .venv/bin/python bench/lighthouse.py --runs 3     # median of three runs per page

It builds a throw-away SQLite database with the lab's content, serves the site
the way production does (gunicorn, DEBUG off, WhiteNoise, the page cache), runs
Lighthouse (npm `lighthouse`, CHROME_PATH = Debian's Chromium, mobile emulation
as Lighthouse's default) on each page of tests/quality.py's PUBLIC_PAGES except
the deliberate 404, and prints a table of Performance, Accessibility, Best
Practices and SEO with the audits that cost points. Served over plain HTTP on
127.0.0.1, which browsers treat as a secure context; SECURE_SSL_REDIRECT is
off for the run. Scores are printed, never asserted.
"""

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import Gunicorn  # noqa: E402  (a script: the project is not on the path)

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-quic"


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def lighthouse(url, workdir):
    out = Path(workdir) / "report.json"
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "chromium"}
    for _attempt in range(3):
        # Chromium sometimes fails to start or to connect on a loaded machine: retry.
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if result.returncode == 0:
            break
        print(f"lighthouse failed on {url} ({result.stderr.strip()[-300:]})", file=sys.stderr)
    else:
        sys.exit(f"lighthouse failed three times on {url}")
    report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    lost = []
    for c in CATEGORIES:
        for ref in report["categories"][c]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lost.append(f"{c}: {ref['id']}")
    return scores, lost


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page (median shown)")
    parser.add_argument(
        "--only", default="", help="only the pages whose path contains this text, e.g. publications"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is missing: run `npm ci` first")
    if not shutil.which("chromium"):
        sys.exit("chromium is missing: apt-get install chromium fonts-noto-cjk")

    workdir = tempfile.mkdtemp(prefix="labsite-lighthouse-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir}/lighthouse.sqlite3",
        "MEDIA_ROOT": f"{workdir}/media",
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "labsite.settings",
    }
    manage(env, "migrate", "--noinput", "-v0")  # creates the cache table too
    manage(env, "load_lab_content")
    manage(env, "collectstatic", "--noinput", "-v0")
    server = Gunicorn(env, workers=2, probe="/ja/", args=["--log-level", "warning"])
    try:
        base = server.base
        os.environ.update(env)
        from tests.quality import NOT_FOUND_PAGE, PUBLIC_PAGES

        rows = []
        for lang in ("ja", "en"):
            for page in PUBLIC_PAGES:
                if page == NOT_FOUND_PAGE:
                    continue  # the 404 page is not meant to be indexed or scored
                if args.only not in page.format(lang=lang):
                    continue
                url = base + page.format(lang=lang)
                urllib.request.urlopen(url).read()  # warm the page cache, as a visitor would
                runs = [lighthouse(url, workdir) for _ in range(args.runs)]
                scores = {c: statistics.median(r[0][c] for r in runs) for c in CATEGORIES}
                lost = sorted({item for _, items in runs for item in items})
                rows.append((page.format(lang=lang), scores, lost))
                print(f"{url}: {scores}", file=sys.stderr, flush=True)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nLighthouse (mobile), median of {args.runs} run(s) per page\n")
    print("| page | Performance | Accessibility | Best Practices | SEO | audits below 100 |")
    print("|---|---:|---:|---:|---:|---|")
    for page, scores, lost in rows:
        cells = " | ".join(f"{scores[c]:.0f}" for c in CATEGORIES)
        print(f"| `{page}` | {cells} | {', '.join(lost) or '—'} |")
    print(
        "| **lowest** | "
        + " | ".join(f"{min(r[1][c] for r in rows):.0f}" for c in CATEGORIES)
        + " | |"
    )


if __name__ == "__main__":
    main()
