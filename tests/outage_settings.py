"""Settings of the server that tests/test_outage.py starts (gunicorn, in a subprocess):
the test settings with the page cache on, as in production."""

from tests.settings import *  # noqa: F403

LABSITE_PAGE_CACHE_SECONDS = 600
