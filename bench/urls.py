"""The site's URLs plus the benchmark's ceiling: a fixed string, nothing else (bench only)."""

from django.http import HttpResponse
from django.urls import path

from labsite.urls import urlpatterns as site_urlpatterns


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *site_urlpatterns]
