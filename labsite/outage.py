"""The error page of a database outage: 503 with Retry-After, in the page's language.

Django calls `handler500` for any uncaught exception, wherever it was raised (a view,
the session middleware, the page cache), with that exception still being handled:
when it (or what caused it) is the database failing to answer — a connection refused
or lost, too many connections, a statement cancelled — the visitor is told the site
is briefly unavailable (503, `Retry-After`) rather than that it is broken (500).

The page is rendered without the request's context processors (the session and the
user would query the database) and in the language of the URL (/en/… English,
/ja/… Japanese; elsewhere, such as the admin, the browser's language).
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(error):
    """Whether `error`, or an exception it was raised from, is the database not answering."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def page_language(request):
    language = translation.get_language_from_path(request.path_info)
    return language or translation.get_language_from_request(request, check_path=False)


def unavailable_response(request):
    retry_after = settings.LABSITE_OUTAGE_RETRY_AFTER
    language = page_language(request)
    with translation.override(language):
        body = loader.render_to_string(
            "503.html", {"language": language, "retry_after": retry_after}
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if database_unavailable(error):
        logger.warning("database unavailable: 503 for %s", request.path)
        return unavailable_response(request)
    return default_server_error(request, template_name)
