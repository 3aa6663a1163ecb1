"""The page cache: public pages for visitors, on Django's cache framework, never stale.

Pages are stored in the shared cache under Django's own page keys
(`get_cache_key`/`learn_cache_key`: language, time zone, scheme, host, full path
with its query string, and the headers a response varies on), with the content
version (publications/freshness.py) as the key prefix: any change to public
content replaces the version once it commits, so every worker and every server
stops serving the old pages at the same moment.

Never cached (and never stored): anything a logged-in user sees (staff see
previews of unpublished content), the admin and other paths outside the public
site, requests other than GET and HEAD, responses other than 200, responses that
set a cookie or say private or no-store.
"""

import logging

from django.conf import settings
from django.utils.cache import (
    get_cache_key,
    learn_cache_key,
    patch_cache_control,
    set_response_etag,
)

from publications import freshness

logger = logging.getLogger(__name__)

STATUS_HEADER = "X-Labsite-Cache"
PUBLIC_PATHS = ("/sitemap.xml", "/robots.txt")


def is_public_path(path):
    prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return path in PUBLIC_PATHS or path.startswith(prefixes)


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

        request.get_host()  # a disallowed host is a 400, not a cache failure
        cache = freshness.shared_cache()
        try:
            version = freshness.content_version()
            key = get_cache_key(request, version, "GET", cache=cache)
            response = cache.get(key) if key else None
        except Exception:  # the cache is down: serve the page, uncached, rather than a 500
            logger.exception("page cache unavailable; serving %s uncached", request.path)
            return self.get_response(request)
        if response is not None:
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
                key = learn_cache_key(request, response, seconds, version, cache=cache)
                cache.set(key, response, seconds)
            except Exception:
                logger.exception("page cache unavailable; %s not stored", request.path)
                return response
            response[STATUS_HEADER] = "miss"
        return response
