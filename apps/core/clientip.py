"""The client's IP address, the same for sign-in throttling and the audit entries that name it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address that reached the outermost proxy we trust, or the peer's without proxies.

    Each of TEAMSADMIN_TRUSTED_PROXY_COUNT proxies appends the address it saw to
    X-Forwarded-For, so the client is that many entries from the right. Entries further left
    are whatever the client sent and are never read: reading the left-most would let anyone
    pick the address their failures count against.
    """
    peer = str(request.META.get("REMOTE_ADDR", ""))
    proxies: int = settings.TEAMSADMIN_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:  # a request that skipped a proxy: all we know is the peer
        return peer
    return forwarded[-proxies][:45]
