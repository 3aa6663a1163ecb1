"""The site's URLs plus the benchmarks' own views (bench only).

`/bench/ceiling/` returns a fixed string through the site's middleware: the
server's ceiling. `/bench/replay/N/` runs the SQL statements that the page N of
the file named by BENCH_REPLAY ran (bench/floor.py captures them), reads every
row, and returns the same fixed string: what the page's reads alone cost.
"""

import functools
import json
import os
from pathlib import Path

from django.db import connection
from django.http import Http404, HttpResponse
from django.urls import path

from labsite.urls import urlpatterns as site_urlpatterns


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


@functools.cache
def replayed():
    """[[SQL statement, as the driver sent it]] per page, or [] when none were captured."""
    name = os.environ.get("BENCH_REPLAY")
    return json.loads(Path(name).read_text()) if name else []


def replay(request, index):
    statements = replayed()
    if index >= len(statements):
        raise Http404
    with connection.cursor() as cursor:
        for sql in statements[index]:
            cursor.execute(sql)
            cursor.fetchall()
    return ceiling(request)


urlpatterns = [
    path("bench/ceiling/", ceiling),
    path("bench/replay/<int:index>/", replay),
    *site_urlpatterns,
]
