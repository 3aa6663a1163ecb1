"""Downloads of lists of papers (`?format=bibtex|ris|csljson` on the publications list,
a theme, a keyword): cheap, and bounded per client.

Cached: a list's export is kept in the shared cache under the content version
(`freshness`), so it is drawn once per content change, however many visitors ask.
Its key is built from what selects the papers — the page, the filters as parsed
(`filters.parse_filters`: unknown keywords and bad years already dropped), the
format and the language — never from the raw query string, so `&x=<random>` finds
the same entry instead of drawing the whole list again and filling the cache.
(The page cache, keyed on the URL, stores no export: the response says "private".)

Bounded: a list of more than `LABSITE_EXPORT_MAX_PAPERS` papers is refused (400, with
a message: narrow it with filters; `manage.py export_bibtex` exports everything), and
only one list is drawn at a time on the whole site (a lock in the shared cache):
another request that would draw one meanwhile gets 503 with Retry-After, so exports
never occupy more than one worker. Drawing is what costs: at 24,000 papers it took
10–15 s of CPU (docs/security.md); a cached export is read, not drawn, and is
never refused.

Rate-limited: at most `LABSITE_EXPORT_RATE_LIMIT` list exports per client address
(`settings.LABSITE_CLIENT_IP`) in each window of `LABSITE_EXPORT_RATE_WINDOW`
seconds, counted in the shared cache (Redis in production: an atomic increment);
the next gets 429 with Retry-After. A paper's own citation (one paper) is not
counted. When the cache is down, exports are drawn uncached and uncounted rather
than refused. Figures: docs/security.md.
"""

import hashlib
import logging
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from . import freshness

logger = logging.getLogger(__name__)

STATUS_HEADER = "X-Labsite-Cache"
DRAW_LOCK = "export-drawing"
# How long the lock outlives a worker that died while drawing (gunicorn's timeout is 30 s).
DRAW_LOCK_SECONDS = 60
BUSY_RETRY_AFTER = 10


class Refused(Exception):
    """An export that is not drawn; `response` says why (400 too long, 503 busy)."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def _plain(text, status, retry_after=None):
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def papers_counted(count):
    return ngettext("%(count)d paper", "%(count)d papers", count) % {"count": count}


def check_size(count, counted=papers_counted):
    """Refuse a list longer than LABSITE_EXPORT_MAX_PAPERS (0: no bound). `counted`
    says what the list holds (n → "n papers", "n awards"…) in the message."""
    limit = settings.LABSITE_EXPORT_MAX_PAPERS
    if limit and count > limit:
        raise Refused(
            _plain(
                _(
                    "This list has %(items)s: a download holds at most %(limit)d."
                    " Narrow it with the filters (years, type, keyword…) and download"
                    " each part."
                )
                % {"items": counted(count), "limit": limit},
                400,
            )
        )


@contextmanager
def drawing():
    """Held while a list's export is drawn: one at a time on the whole site."""
    cache = freshness.shared_cache()
    token = uuid.uuid4().hex
    try:
        acquired = cache.add(DRAW_LOCK, token, DRAW_LOCK_SECONDS)
    except Exception:
        logger.exception("cache unavailable; export drawn without the lock")
        acquired = None
    if acquired is False:
        raise Refused(
            _plain(
                _(
                    "Another list is being prepared for download. Please try again in"
                    " %(seconds)d seconds."
                )
                % {"seconds": BUSY_RETRY_AFTER},
                503,
                BUSY_RETRY_AFTER,
            )
        )
    try:
        yield
    finally:
        if acquired:
            try:
                if cache.get(DRAW_LOCK) == token:
                    cache.delete(DRAW_LOCK)
            except Exception:
                logger.exception("cache unavailable; the export lock expires by itself")


def export_key(kind, ident, params=None):
    """The cache key of a list's export, without its format: what it is of (`kind`,
    `ident`: "list", a theme's id…), the language and the parsed parameters that select
    and order its papers."""
    selected = sorted((name, str(value)) for name, value in (params or {}).items() if value)
    text = repr((kind, ident, get_language(), selected))
    return f"export:{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached_export(key, draw):
    """(`draw()`'s value, "hit" or "miss"): kept in the shared cache under the content
    version, so a change to the content retires it at once."""
    try:
        version, values = freshness.read_with_version([key])
    except Exception:
        logger.exception("cache unavailable; export drawn uncached")
        return draw(), "miss"
    entry = values.get(key)
    if entry is not None and entry[0] == version:
        return entry[1], "hit"
    value = draw()
    try:
        freshness.shared_cache().set(key, (version, value), freshness.TIMEOUT)
    except Exception:
        logger.exception("cache unavailable; export not stored")
    return value, "miss"


def client_address(request):
    return import_string(settings.LABSITE_CLIENT_IP)(request) or "unknown"


def over_limit(request):
    """None while this client may export another list; else the 429 to send."""
    limit = settings.LABSITE_EXPORT_RATE_LIMIT
    window = settings.LABSITE_EXPORT_RATE_WINDOW
    if limit <= 0:
        return None
    now = time.time()
    start = int(now // window) * window
    key = f"export-rate:{client_address(request)}:{start}"
    cache = freshness.shared_cache()
    try:
        cache.add(key, 0, window + 5)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first
        count = 1
    except Exception:
        logger.exception("cache unavailable; export not counted")
        return None
    if count <= limit:
        return None
    retry_after = max(1, int(start + window - now + 0.999))
    return _plain(
        _(
            "Too many downloads: at most %(limit)d lists in %(window)d seconds from one"
            " address. Please try again in %(seconds)d seconds."
        )
        % {"limit": limit, "window": window, "seconds": retry_after},
        429,
        retry_after,
    )
