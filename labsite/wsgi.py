"""WSGI entry point for labsite (gunicorn labsite.wsgi).

Garbage collection: a worker holds some 80,000 long-lived objects (Django, the
project's modules, compiled templates, URL patterns, translation catalogues),
and each full collection walks all of them again: about 1 ms of every uncached
page (docs/benchmarks.md). They never become garbage, so they are moved out of
the collector's sight with `gc.freeze()` — once the application is loaded, and
again after the first request, which loads the templates, URL patterns and
catalogues. The collector still runs as usual for what requests allocate.
"""

import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")

application = get_wsgi_application()


def freeze_after_first_request(**kwargs):
    request_finished.disconnect(freeze_after_first_request)
    gc.collect()
    gc.freeze()


gc.collect()
gc.freeze()
request_finished.connect(freeze_after_first_request)
