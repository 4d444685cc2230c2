"""The address a request came from, the one answer for the login lockouts and the API's limits.

Behind TRUSTED_PROXY_COUNT proxies that each append the address they were reached from to
X-Forwarded-For, the client is the entry that many places from the right (the proxies wrote those
after it; what stands to its left the client may have written itself). With no proxies configured
the header is ignored: anyone can send it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        entries = forwarded.split(",")
        # Fewer entries than proxies: the request skipped one; take the oldest, as DRF does.
        found = _valid(entries[-min(proxies, len(entries))])
        if found:
            return found
    return _valid(remote) if remote else None
