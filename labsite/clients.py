"""Who a request comes from: the address that login throttling (django-axes) and the
export rate limit count against.

Behind the TLS proxy (BEHIND_PROXY=1) every request reaches gunicorn from the proxy,
so REMOTE_ADDR is the proxy's address and all visitors would share one count. The
proxy appends the address it saw to X-Forwarded-For (nginx:
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), so the last entry is
the client as the proxy saw it; earlier entries come from the client and may be
forged, so they are never used. Without a proxy the header is ignored altogether.
"""

from django.conf import settings


def client_ip(request):
    address = request.META.get("REMOTE_ADDR", "")
    if settings.LABSITE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            address = last
    return address[:64] or "unknown"
