"""Smoke test of a running production server (CI runs it against gunicorn).

    python deploy/smoke.py http://127.0.0.1:8765

The server runs with DEBUG off behind a (simulated) TLS proxy: requests carry
`X-Forwarded-Proto: https`, as the proxy would send. Checked:

- every public page type in both languages, found through sitemap.xml (home,
  research index, a theme, the publications list, a paper, the keyword index, a
  keyword, the members page, a member), searches in Japanese and English,
  robots.txt and the Atom feeds: 200,
  with the security headers (CSP without 'unsafe-inline', HSTS, nosniff);
- the admin login page: 200, and never cached;
- a missing page: the custom 404 in its language;
- plain HTTP is redirected to HTTPS;
- static files: hashed names, a year-long immutable Cache-Control, gzip;
- the page cache: a second visit is a hit; after a content change made by
  another process (manage.py, with the server's environment), every worker
  serves the new text at once.

Exits non-zero with a list of failures. Only the standard library is used.
"""

import argparse
import gzip
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
HTTPS = {"X-Forwarded-Proto": "https"}
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
YEAR = 365 * 24 * 3600


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def fetch(base, path, headers=HTTPS):
    request = urllib.request.Request(base + path, headers={"Accept-Language": "ja", **headers})
    try:
        with OPENER.open(request, timeout=30) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


class Smoke:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.failures = []
        self.checked = 0

    def check(self, ok, message):
        self.checked += 1
        if not ok:
            self.failures.append(message)
            print(f"FAIL {message}")
        return ok

    def page(self, path, content_type="text/html", expect=200):
        response = fetch(self.base, path)
        if not self.check(response.status == expect, f"{path}: {response.status}, not {expect}"):
            return response
        self.check(
            response.headers.get("Content-Type", "").startswith(content_type),
            f"{path}: Content-Type {response.headers.get('Content-Type')}",
        )
        self.security_headers(path, response)
        return response

    def security_headers(self, path, response):
        policy = response.headers.get("Content-Security-Policy", "")
        self.check("script-src 'self'" in policy, f"{path}: no strict script-src in CSP")
        self.check("style-src 'self'" in policy, f"{path}: no strict style-src in CSP")
        self.check("unsafe-inline" not in policy, f"{path}: CSP allows unsafe-inline")
        self.check(
            "max-age=" in response.headers.get("Strict-Transport-Security", ""),
            f"{path}: no HSTS",
        )
        self.check(
            response.headers.get("X-Content-Type-Options") == "nosniff", f"{path}: no nosniff"
        )

    def public_pages(self):
        sitemap = self.page("/sitemap.xml", "application/xml")
        tree = ElementTree.fromstring(sitemap.body)
        locations = [element.text for element in tree.iterfind("sm:url/sm:loc", SITEMAP_NS)]
        paths = [re.sub(r"^https?://[^/]+", "", url) for url in locations]
        patterns = {
            "home": r"^/{lang}/$",
            "research index": r"^/{lang}/research/$",
            "theme": r"^/{lang}/research/[^/]+/$",
            "publications list": r"^/{lang}/publications/$",
            "publication": r"^/{lang}/publications/[^/]+/$",
            "keyword index": r"^/{lang}/keywords/$",
            "keyword": r"^/{lang}/keywords/[^/]+/$",
            "members": r"^/{lang}/members/$",
            "member": r"^/{lang}/members/[^/]+/$",
        }
        for lang in ("ja", "en"):
            for name, pattern in patterns.items():
                found = [p for p in paths if re.match(pattern.format(lang=lang), p)]
                if self.check(found, f"sitemap.xml lists no {name} page in {lang}"):
                    response = self.page(found[0])
                    self.check(
                        f'<html lang="{lang}">' in response.text, f"{found[0]}: not in {lang}"
                    )
            theme = next(p for p in paths if re.match(patterns["theme"].format(lang=lang), p))
            keyword = next(p for p in paths if re.match(patterns["keyword"].format(lang=lang), p))
            for feed in [f"/{lang}/publications/feed/", f"{theme}feed/", f"{keyword}feed/"]:
                self.page(feed, "application/atom+xml")
            for query in ["?q=%E6%AC%A0%E9%99%A5", "?q=ELNES", "?year_from=2015&type=article"]:
                self.page(f"/{lang}/publications/{query}")
        self.page("/robots.txt", "text/plain")
        return paths

    def errors_and_admin(self):
        for lang, heading in [("ja", "ページが見つかりません"), ("en", "Page not found")]:
            response = self.page(f"/{lang}/no-such-page/", expect=404)
            self.check(heading in response.text, f"/{lang}/no-such-page/: no custom 404 page")
        admin = self.page("/admin/login/")
        self.check("X-Labsite-Cache" not in admin.headers, "/admin/login/ went through the cache")
        plain = fetch(self.base, "/en/", headers={})
        self.check(
            plain.status == 301 and plain.headers.get("Location", "").startswith("https://"),
            f"plain HTTP not redirected to HTTPS ({plain.status})",
        )

    def static_files(self):
        home = fetch(self.base, "/en/").text
        sheets = re.findall(r'href="(/static/[^"]+\.css)"', home)
        if not self.check(sheets, "the home page links no stylesheet"):
            return
        path = sheets[0]
        self.check(re.search(r"\.[0-9a-f]{12}\.css$", path), f"{path}: no content hash in the name")
        response = fetch(self.base, path, {**HTTPS, "Accept-Encoding": "gzip"})
        self.check(response.status == 200, f"{path}: {response.status}")
        cache_control = response.headers.get("Cache-Control", "")
        max_age = re.search(r"max-age=(\d+)", cache_control)
        self.check(
            max_age and int(max_age.group(1)) >= YEAR and "immutable" in cache_control,
            f"{path}: Cache-Control {cache_control!r}",
        )
        encoding = response.headers.get("Content-Encoding")
        self.check(encoding == "gzip", f"{path}: Content-Encoding {encoding}, not gzip")
        if encoding == "gzip":
            self.check(b"{" in gzip.decompress(response.body), f"{path}: not CSS")

    def cache_and_freshness(self, workers):
        path = "/en/keywords/"
        fetch(self.base, path)
        second = fetch(self.base, path)
        hit = second.headers.get("X-Labsite-Cache") == "hit"
        self.check(hit, f"{path}: the second visit was not a cache hit")
        marker = f"Smoke {uuid.uuid4().hex[:8]}"
        # Another process changes content through the ORM, as an editor's save would.
        code = (
            "from publications.models import Keyword; k = Keyword.objects.order_by('pk').first();"
            f"k.name_en = {marker!r}; k.save()"
        )
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, check=True, env=os.environ
        )
        # Enough requests to reach every worker (sync workers take turns).
        responses = [fetch(self.base, path) for _ in range(4 * workers)]
        stale = [r for r in responses if marker not in r.text]
        self.check(not stale, f"{path}: {len(stale)} responses still without the edited keyword")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the server's base URL, e.g. http://127.0.0.1:8765")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (to reach every one)"
    )
    parser.add_argument(
        "--no-edit", action="store_true", help="skip the content edit (read-only check)"
    )
    args = parser.parse_args()
    smoke = Smoke(args.base)
    smoke.public_pages()
    smoke.errors_and_admin()
    smoke.static_files()
    if not args.no_edit:
        smoke.cache_and_freshness(args.workers)
    print(f"smoke: {smoke.checked} checks, {len(smoke.failures)} failed")
    sys.exit(1 if smoke.failures else 0)


if __name__ == "__main__":
    main()
