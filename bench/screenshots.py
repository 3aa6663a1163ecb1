"""Screenshots of every page type, for docs/screenshots/ and the README.

    .venv/bin/python bench/screenshots.py                 # needs Debian's chromium
    .venv/bin/python bench/screenshots.py --only news     # the pages whose name contains "news"

It builds a throw-away SQLite database with the lab's content (`load_lab_content`;
no news: the content has none, so the news pages show their empty state), adds a
throw-away superuser for the admin's pages, serves the site as production does
(gunicorn, DEBUG off, WhiteNoise) and saves, with Playwright driving Debian's
Chromium, each page in both languages, at 1280 px (desktop) and 390 px (phone), in
the light and the dark colour scheme, as `docs/screenshots/<page>-<lang>-<desktop|phone>
-<light|dark>.png`. Each image is the first screen of the page (the viewport's height),
reduced to 256 colours by Pillow: what a visitor sees first, in a file of tens of kB.
A page that does not answer 200 (a page type not built yet) is reported and skipped.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import Gunicorn  # noqa: E402  (a script: the project is not on the path)

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]
ADMIN_USER, ADMIN_PASSWORD = "screenshots", secrets.token_urlsafe(24)

# Every page type: (name, path after /<lang>, or an absolute /admin/ path).
PAGES = [
    ("home", "/"),
    ("themes", "/research/"),
    ("theme", "/research/core-loss-spectroscopy/"),
    ("publications", "/publications/"),
    ("publication", "/publications/"
     "data-driven-elnesxanes-analysis-predicting-spectra-unveiling-structures-and-2025/"),
    ("keywords", "/keywords/"),
    ("keyword", "/keywords/elnes/"),
    ("members", "/members/"),
    ("member", "/members/teruyasu-mizoguchi/"),
    ("news", "/news/"),
    ("access", "/access/"),
    ("search", "/publications/?q=ELNES"),
    ("admin", "/admin/"),
    ("admin-import", "/admin/publications/publication/import-bibtex/"),
]  # fmt: skip
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
SCHEMES = ("light", "dark")


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def shrink(path):
    """The screenshot in 256 colours (text stays sharp; gradients band a little)."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def log_in(context, base):
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", ADMIN_USER)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.close()


def shoot(browser, base, lang, device, scheme, pages):
    """Screenshots of `pages` in one browser context; [(name, problem)] of those skipped."""
    context = browser.new_context(
        **DEVICES[device],
        color_scheme=scheme,
        locale={"ja": "ja-JP", "en": "en-US"}[lang],
        extra_http_headers={"Accept-Language": lang},
    )
    skipped = []
    if any(path.startswith("/admin/") for _name, path in pages):
        log_in(context, base)
    page = context.new_page()
    for name, path in pages:
        url = base + (path if path.startswith("/admin/") else f"/{lang}{path}")
        response = page.goto(url, wait_until="networkidle")
        if response is None or response.status != 200:
            skipped.append((name, f"{url} answered {response.status if response else 'nothing'}"))
            continue
        page.evaluate("document.fonts.ready")
        target = OUT / f"{name}-{lang}-{device}-{scheme}.png"
        page.screenshot(path=target, full_page=False)
        shrink(target)
    context.close()
    return skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only the page types whose name has this")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("chromium is missing: apt-get install chromium fonts-noto-cjk")
    pages = [(name, path) for name, path in PAGES if args.only in name]

    workdir = tempfile.mkdtemp(prefix="labsite-screenshots-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir}/screenshots.sqlite3",
        "MEDIA_ROOT": f"{workdir}/media",
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "labsite.settings",
        "DJANGO_SUPERUSER_USERNAME": ADMIN_USER,
        "DJANGO_SUPERUSER_EMAIL": "screenshots@example.org",
        "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
    }
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_lab_content")
    manage(env, "createsuperuser", "--noinput")
    manage(env, "collectstatic", "--noinput", "-v0")
    server = Gunicorn(env, workers=2, probe="/ja/", args=["--log-level", "warning"])
    OUT.mkdir(parents=True, exist_ok=True)
    skipped = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for lang in ("ja", "en"):
                for device in DEVICES:
                    for scheme in SCHEMES:
                        skipped += shoot(browser, server.base, lang, device, scheme, pages)
                        print(f"{lang} {device} {scheme}: done", file=sys.stderr, flush=True)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for name, problem in dict(skipped).items():
        print(f"skipped {name}: {problem}", file=sys.stderr)
    files = sorted(OUT.glob("*.png"))
    total = sum(f.stat().st_size for f in files)
    print(f"{len(files)} screenshots in {OUT.relative_to(ROOT)}, {total / 1_048_576:.1f} MB")


if __name__ == "__main__":
    main()
