"""Who a request comes from: the address that login throttling (django-axes) and the
export rate limit count against.

Behind the TLS proxy (BEHIND_PROXY=1) every request reaches gunicorn from the proxy,
so REMOTE_ADDR is the proxy's address and all visitors would share one count. The
proxy appends the address it saw to X-Forwarded-For (nginx:
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), so the last entry is
the client as the proxy saw it; earlier entries come from the client and may be
forged, so they are never used. Without a proxy the header is ignored altogether.
"""

import ipaddress

from django.conf import settings


def _address(text):
    """`text` as a normalised IP address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's IP address, or None when the request carries none (a test client,
    a malformed header): axes stores it in an address column."""
    if settings.LABSITE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _address(forwarded.rsplit(",", 1)[-1])
        if address:
            return address
    return _address(request.META.get("REMOTE_ADDR", ""))
