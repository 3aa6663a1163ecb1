"""Test settings: the project's settings with a fast hasher and throw-away media."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")

from labsite.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="labsite-test-media-")

# Tests talk plain HTTP to the test client and live server; production redirects to HTTPS.
SECURE_SSL_REDIRECT = False
# The page cache is off in tests, except where tests/test_cache.py turns it on:
# inside a test's transaction on-commit invalidation never runs.
LABSITE_PAGE_CACHE_SECONDS = 0
# Likewise fragments: tests/test_cache.py turns them on where commits really happen.
CACHES = {
    **CACHES,  # noqa: F405
    "local": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
# Outside services (publications/sources/): tests point LABSITE_SOURCE_URLS at a local
# server (the `sources` fixture, tests/conftest.py); answers are cached in this
# process's memory, cleared by that fixture, and retries do not wait.
CACHES["sources"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
LABSITE_SOURCE_CACHE = "sources"
LABSITE_SOURCE_BACKOFF = 0.0
LABSITE_SOURCE_MIN_INTERVAL = {}
# Not an example address: labsite.W001 (labsite/checks.py) warns about those with DEBUG
# off, as here, and tests run `check --fail-level WARNING`. Nothing is ever sent to it.
LABSITE_CONTACT_EMAIL = "office@mizoguchi-lab.jp"
# No collectstatic in tests: WhiteNoise finds the files where they are.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
