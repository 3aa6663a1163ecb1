"""/healthz: is this server able to serve? For load balancers and the compose healthcheck.

Checks the app (it answers), the database (a `SELECT 1`) and the shared cache (a
write and a read of one key), and answers 200 when all pass, 503 when one fails,
with a JSON body naming each check's result (a failure by its exception's class,
never its message: that may name hosts or passwords).

A middleware, first in MIDDLEWARE, rather than a view: probes come by address
(`http://10.0.0.5:8000/healthz`) and over plain HTTP, which the host check and the
HTTPS redirect would refuse before any view ran. It answers nothing else.
"""

import logging
import uuid

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse

from publications import freshness

logger = logging.getLogger(__name__)

PATHS = ("/healthz", "/healthz/")
CACHE_KEY = "healthz"


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    cache = freshness.shared_cache()
    value = uuid.uuid4().hex
    cache.set(CACHE_KEY, value, 60)
    if cache.get(CACHE_KEY) != value:
        raise RuntimeError("the cache did not return what was written")


CHECKS = {"database": check_database, "cache": check_cache}


def health():
    """(healthy, {check: "ok" or the failure's class name})."""
    results = {"app": "ok"}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            logger.warning("healthz: %s failed: %r", name, error)
            results[name] = f"error: {type(error).__name__}"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        healthy, results = health()
        response = JsonResponse(
            {"status": "ok" if healthy else "error", "checks": results},
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response
