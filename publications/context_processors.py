"""What every template may key its `{% cache %}` fragments on."""

import logging
import uuid

from django.utils.functional import SimpleLazyObject

from . import freshness

logger = logging.getLogger(__name__)


def _version_or_unique():
    try:
        return freshness.content_version()
    except Exception:
        # The shared cache is down: no version to trust, so a value of this request
        # alone, under which no fragment was ever stored (and none will be reused).
        logger.exception("cache unavailable; fragments drawn afresh")
        return uuid.uuid4().hex


def content_version(request):
    """`content_version`: read from the shared cache once per page, and only if a
    fragment asks for it."""
    return {"content_version": SimpleLazyObject(_version_or_unique)}
