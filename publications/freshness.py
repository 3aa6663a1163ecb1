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
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

# DatabaseCache culls the lowest keys first: this one sorts after Django's page
# keys ("views.decorators.cache…") and the values cached by `cached()`.
VERSION_KEY = "z.content-version"
# Entries under an old version are never read again; this only bounds how long
# they take up room.
TIMEOUT = 24 * 60 * 60

# Models of the content apps whose writes visitors never see: an import's preview
# (applying or undoing an import announces itself with content_changed()).
NOT_PUBLIC = {
    "publications.ImportBatch",
    "publications.ImportBatch_keywords",
    "publications.ImportItem",
}


def shared_cache():
    """The cache every worker shares (settings.CACHES: the database, or Redis)."""
    return caches[DEFAULT_CACHE_ALIAS]


def content_version():
    """The current content version, made anew if it is missing."""
    cache = shared_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        # A lost version (evicted, flushed) must never revive entries stored under
        # an older one: a new random value, and only one process's value wins.
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY, version)
    return version


def bump():
    """Retire everything cached under the current version, in every process.

    Not guarded: if the cache cannot be written, the writer sees the error (and
    it is logged) rather than old pages coming back when the cache does.
    """
    shared_cache().set(VERSION_KEY, uuid.uuid4().hex, None)


def cached(key, compute, timeout=TIMEOUT):
    """`compute()`, kept in the shared cache under `key` until the content changes.

    `key` must always name the same computation. The version is read before
    computing, so a value is never stored under a version newer than the content
    it was computed from. A cache that is down costs the computation, not the page.
    """
    cache = shared_cache()
    try:
        version = content_version()
        value = cache.get(key, version=version)
    except Exception:
        logger.exception("cache unavailable; %s computed", key)
        return compute()
    if value is None:
        value = compute()
        cache.set(key, value, timeout, version=version)
    return value


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
    transaction.on_commit(callback, using=using)


def content_models():
    """The models of the content apps (`LABSITE_CONTENT_APPS`) whose rows are public
    content, many-to-many tables included."""
    for label in getattr(settings, "LABSITE_CONTENT_APPS", ["publications", "research"]):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label not in NOT_PUBLIC:
                yield model


def _written(sender, using=DEFAULT_DB_ALIAS, action=None, **kwargs):
    if action is None or action.startswith("post_"):
        content_changed(using)


def connect_signals():
    """Every save or delete of a content model, and every change to its many-to-many
    links (from either side), changes the content (called from AppConfig.ready)."""
    for model in content_models():
        uid = f"freshness:{model._meta.label}"
        post_save.connect(_written, sender=model, dispatch_uid=uid)
        post_delete.connect(_written, sender=model, dispatch_uid=uid)
        if model._meta.auto_created:
            m2m_changed.connect(_written, sender=model, dispatch_uid=uid)
