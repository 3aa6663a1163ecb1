"""The page cache: public pages for visitors, never stale.

Every public page (under a language prefix, plus sitemap.xml and robots.txt) is
stored in Django's default cache, keyed by language, scheme, host and the full
path with its query string. Each entry records the *content version* it was
rendered under. The version is one value in the shared cache; any change to
public content replaces it with a new random value once the change commits, so
every worker process (and every server sharing the cache) stops serving the
old pages at the same moment. The version and the page are read together in one
round trip (`get_many`).

What changes the version:
- a save or delete of any model of the content apps (`LABSITE_CONTENT_APPS`,
  publications and research), and changes to their many-to-many relations;
- `publications.freshness.public_content_changed`, which bulk writers (the
  BibTeX import and its undo, `QuerySet.update()`) send via `content_changed()`.

Never cached (and never stored): anything a logged-in user sees, the admin,
non-GET requests, responses other than 200, and responses that set a cookie.
"""

import hashlib
import logging
import uuid
import zlib

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Named so that it sorts after "page:…": DatabaseCache culls the lowest keys first.
VERSION_KEY = "version"
STATUS_HEADER = "X-Labsite-Cache"
ZLIB_LEVEL = 1  # the fastest: most of the gain in size at a fraction of the time
# Part of every page's key: entries stored in another shape (before a deploy that
# changed it: uncompressed pages) are never read, they just expire.
ENTRY_FORMAT = "zlib-1"


def page_cache():
    return caches[getattr(settings, "LABSITE_PAGE_CACHE_ALIAS", "default")]


def bump_content_version(**kwargs):
    """Make every cached page obsolete, in every process (a new random version).

    Not guarded: if the cache cannot be written, the error shows (and is logged)
    rather than leaving old pages to come back when the cache does.
    """
    page_cache().set(VERSION_KEY, uuid.uuid4().hex, None)


def _bump_on_commit():
    bump_content_version()


def schedule_bump(using=DEFAULT_DB_ALIAS):
    """Bump the version when the current transaction commits (now, outside one).

    One bump per transaction however many rows it writes: an import of
    thousands of papers replaces the version once.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        bump_content_version()
        return
    # run_on_commit holds (savepoint ids, callback, robust). Skip only when a
    # bump is pending at this very savepoint level: it runs exactly when this
    # change commits, and a rolled-back savepoint takes both away together.
    # (None stands for an atomic block without a savepoint: it shares its parent's fate.)
    savepoints = set(connection.savepoint_ids) - {None}
    for entry in connection.run_on_commit:
        if entry[1] is _bump_on_commit and entry[0] - {None} == savepoints:
            return
    transaction.on_commit(_bump_on_commit, using=using)


def connect_signals():
    """Connect the models of the content apps and the freshness signal."""
    from publications.freshness import connect_writes, public_content_changed

    connect_writes("labsite.cache", after=schedule_bump)
    public_content_changed.connect(bump_content_version, dispatch_uid="labsite.cache")


def _public_prefixes():
    return tuple(f"/{code}/" for code, _name in settings.LANGUAGES)


PUBLIC_PATHS = ("/sitemap.xml", "/robots.txt")


def is_public_path(path):
    return path in PUBLIC_PATHS or path.startswith(_public_prefixes())


def page_key(request):
    raw = "\n".join(
        [
            ENTRY_FORMAT,
            get_language() or "",
            request.scheme,
            request.get_host(),
            request.get_full_path(),
        ]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def current_version(values):
    """The content version from a get_many() result, creating one if it is missing."""
    version = values.get(VERSION_KEY)
    if version is None:
        cache = page_cache()
        # A lost version (evicted, flushed) must never revive an older one: a new
        # random value, and only one process's value wins.
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def _storable(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _rebuild(entry):
    _version, status, headers, content = entry
    response = HttpResponse(zlib.decompress(content), status=status)
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    """Serves and stores public pages for visitors (see the module docstring).

    Sits after LocaleMiddleware (the key needs the language) and
    AuthenticationMiddleware (logged-in users bypass it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "LABSITE_PAGE_CACHE_SECONDS", 0)
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or not is_public_path(request.path_info)
            # Without a session cookie nobody is logged in (and the session is not loaded).
            or (settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated)
        ):
            return self.get_response(request)

        cache = page_cache()
        key = page_key(request)
        try:
            values = cache.get_many([VERSION_KEY, key])
            version = current_version(values)
        except Exception:  # the cache is down: serve the page, uncached, rather than a 500
            logger.exception("page cache unavailable; serving %s uncached", request.path)
            return self.get_response(request)
        entry = values.get(key)
        if entry is not None and entry[0] == version:
            response = _rebuild(entry)
            response[STATUS_HEADER] = "hit"
            return response

        response = self.get_response(request)
        if request.method == "GET" and _storable(response):
            # Browsers and proxies must revalidate (ConditionalGetMiddleware answers 304).
            patch_cache_control(response, no_cache=True)
            # The ETag is stored with the page, so that a hit does not hash the
            # page again (ConditionalGetMiddleware keeps an ETag that is there).
            set_response_etag(response)
            headers = [(k, v) for k, v in response.items() if k.lower() != STATUS_HEADER.lower()]
            try:
                # Compressed: a page is 10–35 kB of HTML, a quarter of that in zlib,
                # so a hit reads (and the database cache base64-decodes) far less.
                content = zlib.compress(response.content, ZLIB_LEVEL)
                cache.set(key, (version, response.status_code, headers, content), seconds)
            except Exception:
                logger.exception("page cache unavailable; %s not stored", request.path)
                return response
            response[STATUS_HEADER] = "miss"
        return response
