"""One content version: what every cache of public content is keyed on.

The version is a random value in the shared cache (the database or Redis, which
every gunicorn worker and every server reads), so a change seen by one process
retires what every process cached. It is replaced once a write to public
content commits, never before: a rolled-back write invalidates nothing, and a
visitor never sees half-written content cached under the new version.

Saves and deletes made through the ORM are caught by model signals
(`connect_signals`). Bulk work that bypasses them — a BibTeX import, undoing an
import, `QuerySet.update()` — calls `content_changed()` itself.
"""

import logging
import threading
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

# DatabaseCache culls the lowest keys first: this one sorts after the pages
# ("page:…", labsite/cache.py).
VERSION_KEY = "z.content-version"
# Entries under an old version are never read again; this only bounds how long
# they take up room.
TIMEOUT = 24 * 60 * 60

# Models of the content apps whose writes visitors never see: an import's preview
# and the records of imports and bulk edits (applying or undoing either announces
# itself with content_changed()).
NOT_PUBLIC = {
    "publications.ImportBatch",
    "publications.ImportBatch_keywords",
    "publications.ImportItem",
    # An import's parsed entries and preview rows. Also so that deleting them (100,000
    # at a time once an import applies) is one DELETE: a receiver would make Django
    # read every row, with its JSON, to send the signal (docs/limits.md, "Large files").
    "publications.ImportRecord",
    "publications.ImportRow",
    "publications.ImportText",
    # The staff's DOI searches (data health): results for editors, not pages.
    "publications.DoiSearch",
    "publications.DoiSearchResult",
    "publications.EditBatch",
    "publications.EditItem",
    "achievements.ResearchmapImport",
}


def shared_cache():
    """The cache every worker shares (settings.CACHES: the database, or Redis)."""
    return caches[DEFAULT_CACHE_ALIAS]


class _RequestVersion(threading.local):
    """The version a request has read: a page is drawn under one version (its page
    cache entry, its counts, its fragments), read once."""

    def __init__(self):
        self.in_request = False
        self.version = None


_request = _RequestVersion()


def _request_started(**kwargs):
    _request.in_request, _request.version = True, None


def _request_finished(**kwargs):
    _request.in_request, _request.version = False, None


def content_version():
    """The current content version, made anew if it is missing.

    Read from the shared cache once per request (and on every call outside one).
    """
    if _request.version is not None:
        return _request.version
    cache = shared_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        # A lost version (evicted, flushed) must never revive entries stored under
        # an older one: a new random value, and only one process's value wins.
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY, version)
    if _request.in_request:
        _request.version = version
    return version


def read_with_version(keys):
    """(the content version, {key: value} of `keys` in the shared cache), read in one
    round trip when the version is there; the version is then this request's."""
    values = shared_cache().get_many([VERSION_KEY, *keys])
    version = values.pop(VERSION_KEY, None)
    if version is None:
        version = content_version()
    elif _request.in_request:
        _request.version = version
    return version, values


def bump():
    """Retire everything cached under the current version, in every process.

    Not guarded: if the cache cannot be written, the writer sees the error (and
    it is logged) rather than old pages coming back when the cache does.
    """
    shared_cache().set(VERSION_KEY, uuid.uuid4().hex, None)
    _request.version = None  # what this request draws next is of the new content


def local_cache():
    """What this worker keeps in its own memory under the shared version
    (settings.CACHES["local"]): fragments of pages, per-year counts."""
    return caches["local"]


def cached(key, compute, timeout=TIMEOUT):
    """`compute()`, kept in this worker's memory under `key` until the content changes.

    `key` must always name the same computation. The version is read before
    computing, so a value is never kept under a version newer than the content it
    was computed from. A shared cache that is down costs the computation, not the
    page.
    """
    try:
        version = content_version()
    except Exception:
        logger.exception("cache unavailable; %s computed", key)
        return compute()
    return local_cache().get_or_set(key, compute, timeout, version=version)


class _Bump:
    """Registered with on_commit by every write of a transaction: the first call
    bumps, the others do nothing."""

    done = False

    def __call__(self):
        if not self.done:
            self.done = True
            bump()


class _Pending(threading.local):
    def __init__(self):
        self.bumps = {}  # database alias: the _Bump its open transaction registers


_pending = _Pending()


def content_changed(using=DEFAULT_DB_ALIAS):
    """Bump the version when the current transaction commits (at once outside one).

    One bump per transaction however many rows it writes, through public API
    alone: every write registers an on_commit callback (Django forgets those of a
    rolled-back savepoint, so a surviving write always has its own), but they
    share one `_Bump` until it has run, so undoing an import that deletes
    thousands of rows writes the cache once, not once per row.
    """
    callback = _pending.bumps.get(using)
    if callback is None or callback.done:
        callback = _pending.bumps[using] = _Bump()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and connection.run_on_commit:
        # Registered already by the previous write, under the same savepoints: a
        # rollback would forget both. Registering it again for every row held one
        # entry per row deleted until the commit: an undo of a large import deletes
        # millions of rows (figures: docs/limits.md, "Large files").
        savepoints, last, _robust = connection.run_on_commit[-1]
        if last is callback and savepoints == set(connection.savepoint_ids):
            return
    transaction.on_commit(callback, using=using)


def content_models():
    """The models of the content apps (`LABSITE_CONTENT_APPS`) whose rows are public
    content, many-to-many tables included."""
    for label in getattr(
        settings, "LABSITE_CONTENT_APPS", ["publications", "research", "achievements", "news"]
    ):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label not in NOT_PUBLIC:
                yield model


def _written(sender, using=DEFAULT_DB_ALIAS, action=None, **kwargs):
    if action is None or action.startswith("post_"):
        content_changed(using)


def connect_signals():
    """Every save or delete of a content model, and every change to its many-to-many
    links (from either side), changes the content (called from AppConfig.ready).
    A request reads the version once."""
    request_started.connect(_request_started, dispatch_uid="freshness:request-started")
    request_finished.connect(_request_finished, dispatch_uid="freshness:request-finished")
    for model in content_models():
        uid = f"freshness:{model._meta.label}"
        post_save.connect(_written, sender=model, dispatch_uid=uid)
        post_delete.connect(_written, sender=model, dispatch_uid=uid)
        if model._meta.auto_created:
            m2m_changed.connect(_written, sender=model, dispatch_uid=uid)
