"""Request bodies beyond LABSITE_MAX_REQUEST_BYTES are refused before they are read.

Django bounds a form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded
files, which it streams to a temporary file whatever their size — and the CSRF
check reads the body before any view could refuse it. Django reads at most
Content-Length bytes of a body, so checking that header is enough: the answer is
a 413 saying what the limit is, in the page's language.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then
        limit = settings.LABSITE_MAX_REQUEST_BYTES
        if length > limit:
            html = render_to_string(
                "413.html",
                {"lang": get_language(), "limit": limit},
            )
            return HttpResponse(html, status=413)
        return self.get_response(request)
