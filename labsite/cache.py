"""The page cache: public pages for visitors, in Django's cache framework, never stale.

A page is stored in the shared cache (the database, or Redis) with the content
version (publications/freshness.py) it was drawn under, keyed by its language
and the URL it was asked by (scheme, host, path and query string). A request
reads the version and its page in one round trip (`get_many`) and serves the
page only when it was drawn under the current version: any change to public
content replaces the version once it commits, so every worker and every server
stops serving the old pages at the same moment.

Why not Django's `CacheMiddleware` with the version as key prefix: a hit would
then read the version, the page's list of varying headers and the page, three
round trips; with the database cache that took cached pages under half of what
the server can serve (docs/benchmarks.md). Public pages vary on nothing but the
URL (the language is in the path, and they set no cookie), so the URL is key
enough.

Never cached (and never stored): anything a logged-in user sees (staff see
previews of unpublished content), the admin and other paths outside the public
site, requests other than GET and HEAD, responses other than 200, responses that
set a cookie or say private or no-store.
"""

import hashlib
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.translation import get_language

from publications import freshness

logger = logging.getLogger(__name__)

STATUS_HEADER = "X-Labsite-Cache"
PUBLIC_PATHS = ("/sitemap.xml", "/robots.txt")


def is_public_path(path):
    prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return path in PUBLIC_PATHS or path.startswith(prefixes)


def page_key(request):
    """The language, the URL and today's date (TIME_ZONE): pages that depend on the date
    (the members page moves a member to the alumni the day after they leave) are never
    served from a day before. Every page is drawn afresh once a day."""
    url = request.build_absolute_uri()
    today = timezone.localdate().isoformat()
    return "page:" + hashlib.sha256(f"{get_language()}\n{today}\n{url}".encode()).hexdigest()


def _storable(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class PageCacheMiddleware:
    """Serves and stores public pages for visitors (see the module docstring).

    Sits after LocaleMiddleware (the key needs the language) and
    AuthenticationMiddleware (logged-in users bypass it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.LABSITE_PAGE_CACHE_SECONDS
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or not is_public_path(request.path_info)
            # Without a session cookie nobody is logged in (and the session is not loaded).
            or (settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated)
        ):
            return self.get_response(request)

        key = page_key(request)  # a disallowed host is a 400 here, not a cache failure
        cache = freshness.shared_cache()
        try:
            version, values = freshness.read_with_version([key])
        except Exception:  # the cache is down: serve the page, uncached, rather than a 500
            logger.exception("page cache unavailable; serving %s uncached", request.path)
            return self.get_response(request)
        entry = values.get(key)
        if entry is not None and entry[0] == version:
            response = entry[1]
            response[STATUS_HEADER] = "hit"
            return response

        response = self.get_response(request)
        if request.method == "GET" and _storable(response):
            # Browsers and proxies must revalidate (ConditionalGetMiddleware answers 304).
            patch_cache_control(response, no_cache=True)
            # Stored with the page, so that a hit does not hash the page again
            # (ConditionalGetMiddleware keeps an ETag that is there).
            set_response_etag(response)
            try:
                cache.set(key, (version, response), seconds)
            except Exception:
                logger.exception("page cache unavailable; %s not stored", request.path)
                return response
            response[STATUS_HEADER] = "miss"
        return response
