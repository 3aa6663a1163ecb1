"""A database outage: pages answer 503 with Retry-After in their own language, pages
cached in Redis are still served, and /healthz tells a load balancer what is down.

The outage is real: a gunicorn server started with a DATABASE_URL whose port nothing
listens on, so every connection is refused as when PostgreSQL is down.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from django.test import Client

from labsite import cache as page_cache

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"


def free_port():
    """A port nothing listens on (the kernel's choice, released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    """(status, headers, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def server_without_database(request):
    """Start gunicorn on a database that refuses connections; yields (base URL, env)."""
    extra = getattr(request, "param", {})
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.outage_settings",
        "DATABASE_URL": f"postgres://labsite:pw@127.0.0.1:{free_port()}/labsite",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "outage-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "LOG_LEVEL": "ERROR",
        **extra,
    }
    env.pop("DEBUG", None)
    if "REDIS_URL" not in extra:
        env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "gunicorn", "labsite.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                fetch(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer within 30 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


@pytest.mark.parametrize(
    ("path", "language", "text"),
    [
        ("/en/", "en", "The site cannot reach its database just now"),
        ("/en/publications/?q=EELS", "en", "Please try again in 30 seconds"),
        ("/ja/", "ja", "データベース"),
        ("/ja/research/", "ja", "30 秒"),
    ],
)
def test_pages_answer_503_with_retry_after_in_their_language(
    server_without_database, path, language, text
):
    status, headers, body = fetch(server_without_database + path)
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert f'<html lang="{language}">' in body
    assert text in body


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_page_outside_the_languages_answers_in_the_browsers_language(
    server_without_database, language
):
    request = urllib.request.Request(
        server_without_database + "/sitemap.xml", headers={"Accept-Language": language}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 503
    assert f'<html lang="{language}">' in refused.value.read().decode()


def test_healthz_names_the_database_as_down(server_without_database):
    status, _headers, body = fetch(server_without_database + "/healthz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert checks["app"] == "ok"
    assert checks["database"] == "error: OperationalError"
    # Without Redis the cache is the database: down with it.
    assert checks["cache"].startswith("error")


def _redis_available():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return False
    return True


PREFIX = f"labsite-outage-{uuid.uuid4().hex}"


@pytest.mark.skipif(not _redis_available(), reason="no Redis server on 127.0.0.1:6379")
@pytest.mark.parametrize(
    "server_without_database",
    [{"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": PREFIX}],
    indirect=True,
)
@pytest.mark.django_db
def test_pages_cached_in_redis_are_served_during_the_outage(
    server_without_database, lab_content, settings, local_cache
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": PREFIX,
        },
    }
    settings.LABSITE_PAGE_CACHE_SECONDS = 600
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    host = server_without_database.removeprefix("http://")
    try:
        # Visitors saw these pages while the database was up (the same host and URL).
        visitor = Client(HTTP_HOST=host)
        for path in ("/en/publications/", "/ja/research/"):
            assert visitor.get(path)[page_cache.STATUS_HEADER] == "miss"
        for path, language in (("/en/publications/", "en"), ("/ja/research/", "ja")):
            status, headers, body = fetch(server_without_database + path)
            assert (status, headers[page_cache.STATUS_HEADER]) == (200, "hit")
            assert f'<html lang="{language}">' in body
        # A page nobody had asked for cannot be drawn: 503.
        assert fetch(server_without_database + "/en/keywords/")[0] == 503
        status, _headers, body = fetch(server_without_database + "/healthz")
        assert status == 503
        assert json.loads(body)["checks"]["cache"] == "ok"
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{PREFIX}:*"):
            client.delete(key)


# --- /healthz with everything up (in this process) ---


@pytest.mark.django_db
def test_healthz_is_200_when_all_is_up():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"app": "ok", "database": "ok", "cache": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_answers_probes_by_address_over_plain_http(settings):
    """Load balancers probe http://<address>:8000/healthz: no host check, no redirect."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["lab.example.ac.jp"]
    assert Client(HTTP_HOST="10.0.0.5:8000").get("/healthz").status_code == 200
    assert Client(HTTP_HOST="10.0.0.5:8000").get("/en/").status_code == 400  # the rest is not


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        },
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "app": "ok",
        "database": "ok",
        "cache": "error: ConnectionError",
    }
