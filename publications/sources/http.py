"""One HTTP client for every outside service the publications database reads from.

Crossref, DataCite, arXiv, researchmap and ORCID are all read through `get()` /
`get_json()`: one httpx client with timeouts, a few attempts with backoff on 429 and
5xx (the server's Retry-After wins), at most LABSITE_SOURCE_CONCURRENCY requests to
one service at a time and LABSITE_SOURCE_MIN_INTERVAL seconds between two, the
contact address in the User-Agent (Crossref's "polite pool"), and answers kept in
the Django cache keyed by URL. Whatever goes wrong on the way — no network, a
service down or slow, rate limiting that does not end, an answer we cannot read —
raises one exception, `SourceUnavailable`, whose message (in the active language)
can be shown to an editor as it is. A service that answers "no such record" (404,
410) raises `NotFound` instead: that is an answer about one identifier, not an
outage. docs/sources.md has the settings and each service's specification.
"""

import email.utils
import hashlib
import json
import logging
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

VERSION = "0.1"
SERVICE_NAMES = {
    "crossref": "Crossref",
    "datacite": "DataCite",
    "arxiv": "arXiv",
    "researchmap": "researchmap",
    "orcid": "ORCID",
}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_FOUND_STATUSES = frozenset({404, 410})


class SourceError(Exception):
    """A service could not give what was asked. `message` is for an editor, translated
    when read (so a command and each request show it in their own language)."""

    def __init__(self, service, reason, **params):
        self.service = service
        self.reason = reason
        self.params = params
        super().__init__(f"{service}: {reason} {params}")

    @property
    def service_name(self):
        return SERVICE_NAMES.get(self.service, self.service)

    @property
    def message(self):
        return self._text() % {"service": self.service_name, **self.params}

    def __str__(self):
        return self.message

    def _text(self):
        raise NotImplementedError


class SourceUnavailable(SourceError):
    """Offline, the service down or too slow, still rate limited, or an unreadable answer."""

    def _text(self):
        texts = {
            "offline": gettext(
                "%(service)s could not be reached (no network connection, or the service "
                "is down). Try again later."
            ),
            "timeout": gettext(
                "%(service)s did not answer within %(seconds)s seconds. Try again later."
            ),
            "rate-limited": gettext("%(service)s is receiving too many requests. Try again later."),
            "rate-limited-wait": gettext(
                "%(service)s is receiving too many requests and asks us to wait "
                "%(seconds)s seconds. Try again later."
            ),
            "down": gettext(
                "%(service)s is unavailable at the moment (HTTP %(status)s). Try again later."
            ),
            "refused": gettext("%(service)s refused the request (HTTP %(status)s)."),
            "malformed": gettext(
                "%(service)s sent an answer that cannot be read (%(detail)s). Try again later."
            ),
        }
        return texts[self.reason]


class NotFound(SourceError):
    """The service answered, and it has no such record (HTTP 404 or 410)."""

    def __init__(self, service, what=""):
        super().__init__(service, "not-found", what=what)

    def _text(self):
        return gettext("%(service)s does not know %(what)s.")


def base_url(service):
    return settings.LABSITE_SOURCE_URLS[service].rstrip("/")


def user_agent():
    """Crossref's etiquette: the tool, its version and a contact address (mailto:)."""
    contact = settings.LABSITE_CONTACT_EMAIL
    return f"labsite/{VERSION} (mailto:{contact})" if contact else f"labsite/{VERSION}"


def get_json(service, path, params=None, *, what=""):
    """The JSON object at base URL + path (cached), or SourceUnavailable / NotFound."""
    return get(service, path, params, accept="application/json", parse=_json_object, what=what)


def get(service, path, params=None, *, accept, parse, what=""):
    """parse(text) of the answer at base URL + path. `parse` raises ValueError on an
    answer it cannot read; only answers it could read are cached."""
    url = base_url(service) + path
    if params:
        url += "?" + urlencode(sorted(params.items()))
    key = "sources:" + hashlib.sha256(f"{accept} {url}".encode()).hexdigest()
    text = _cache_get(key)
    if text is not None:
        return parse(text)
    text = _fetch(service, url, accept, what)
    try:
        value = parse(text)
    except (ValueError, SyntaxError) as error:
        logger.warning("unreadable answer from %s: %s", url, error)
        raise SourceUnavailable(service, "malformed", detail=str(error)[:200]) from error
    _cache_set(key, text)
    return value


def _json_object(text):
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _cache():
    return caches[settings.LABSITE_SOURCE_CACHE]


# The cache only saves requests: when it is down (Redis restarting) we ask the service.
def _cache_get(key):
    try:
        return _cache().get(key)
    except Exception:  # any backend's connection error
        logger.warning("source cache unavailable", exc_info=True)
        return None


def _cache_set(key, text):
    try:
        _cache().set(key, text, settings.LABSITE_SOURCE_CACHE_SECONDS)
    except Exception:  # any backend's connection error
        logger.warning("source cache unavailable", exc_info=True)


def _fetch(service, url, accept, what):
    headers = {"Accept": accept, "User-Agent": user_agent()}
    attempts = max(1, settings.LABSITE_SOURCE_ATTEMPTS)
    with _limited(service):
        for attempt in range(attempts):
            _pace(service)
            try:
                response = _client().get(url, headers=headers)
            except httpx.TimeoutException as error:
                logger.warning("timeout from %s: %s", url, error)
                raise SourceUnavailable(
                    service, "timeout", seconds=f"{settings.LABSITE_SOURCE_TIMEOUT:g}"
                ) from error
            except httpx.HTTPError as error:
                logger.warning("no answer from %s: %s", url, error)
                raise SourceUnavailable(service, "offline") from error
            status = response.status_code
            logger.info("GET %s: %s", url, status)
            if status == 200:
                return response.text
            if status in NOT_FOUND_STATUSES:
                raise NotFound(service, what or url)
            if status not in RETRY_STATUSES:
                raise SourceUnavailable(service, "refused", status=status)
            asked = _retry_after(response)
            wait = settings.LABSITE_SOURCE_BACKOFF * 2**attempt if asked is None else asked
            if attempt == attempts - 1 or wait > settings.LABSITE_SOURCE_MAX_WAIT:
                if status == 429 and asked:
                    raise SourceUnavailable(service, "rate-limited-wait", seconds=f"{asked:.0f}")
                if status == 429:
                    raise SourceUnavailable(service, "rate-limited")
                raise SourceUnavailable(service, "down", status=status)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(response):
    """Seconds the server asks us to wait (Retry-After: seconds or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_lock = threading.Lock()
_semaphores = {}
_last_request = {}
_clients = {}


@contextmanager
def _limited(service):
    """At most LABSITE_SOURCE_CONCURRENCY requests to one service at a time (or its own
    number in LABSITE_SOURCE_CONCURRENCY_BY_SERVICE), counted over the threads of one
    process (the web server's, the worker's)."""
    size = settings.LABSITE_SOURCE_CONCURRENCY_BY_SERVICE.get(
        service, settings.LABSITE_SOURCE_CONCURRENCY
    )
    size = max(1, size)
    with _lock:
        semaphore = _semaphores.get((service, size))
        if semaphore is None:
            semaphore = _semaphores[(service, size)] = threading.BoundedSemaphore(size)
    with semaphore:
        yield


def _pace(service):
    """Wait until LABSITE_SOURCE_MIN_INTERVAL[service] seconds have passed since the last
    request to it (arXiv's terms of use ask for 3)."""
    interval = settings.LABSITE_SOURCE_MIN_INTERVAL.get(service, 0)
    if not interval:
        return
    with _lock:
        now = time.monotonic()
        start = max(now, _last_request.get(service, 0) + interval)
        _last_request[service] = start
    if start > now:
        time.sleep(start - now)


def _client():
    """One pooled client per configuration (tests change the timeouts)."""
    config = (settings.LABSITE_SOURCE_TIMEOUT, settings.LABSITE_SOURCE_CONNECT_TIMEOUT)
    with _lock:
        client = _clients.get(config)
        if client is None:
            timeout = httpx.Timeout(config[0], connect=config[1])
            client = _clients[config] = httpx.Client(timeout=timeout, follow_redirects=True)
    return client
