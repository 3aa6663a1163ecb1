"""What the header and the footer of every page show about the lab."""

from django.utils.functional import SimpleLazyObject

from .models import LabProfile


def lab_profile(request):
    """The lab's profile, read once per request (the header, the footer and a view
    that shows it too share one query)."""
    if not hasattr(request, "_lab_profile"):
        request._lab_profile = LabProfile.load()
    return request._lab_profile


def lab(request):
    """`site_lab`: the profile, read only when a template uses it (a page that does
    not extend base.html, such as the 503 page, never does)."""
    return {"site_lab": SimpleLazyObject(lambda: lab_profile(request))}
