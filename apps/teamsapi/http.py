"""The one way out to the network: API calls, token mints and JWKS fetches all go through here.

A request is sent once by `send_once` (one read of the body, never a redirect followed) over a
session from `hardened_session`, whose connections go only to addresses `AddressGuard` checked at
connect time; `retrying` repeats a step with capped, jittered backoff that honours Retry-After.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from apps.teamsapi import contract
from apps.teamsapi.connection import OutboundPolicy
from apps.teamsapi.errors import TeamsApiError

logger = logging.getLogger("apps.teamsapi")

T = TypeVar("T")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata and host-agent endpoints (AWS, ECS, Azure, Alibaba, AWS IPv6): some are public
# addresses, so the address classes below would let them through.
_METADATA: frozenset[Address] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "168.63.129.16",
        "100.100.100.200",
        "fd00:ec2::254",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):  # noqa: N818 - raised through urllib3, caught in send_once
    """A host resolves to an address Teams Admin must not contact (server-side request forgery)."""


class TransportFailure(Exception):  # noqa: N818 - a kind of failure, mapped by each caller
    """The request got no HTTP answer: `kind` is timeout, tls, unreachable, blocked or failed."""

    def __init__(self, kind: str, message: str = "") -> None:
        self.kind = kind
        self.message = message
        super().__init__(message or kind)


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer read in full."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = address.packed
    if (packed[:12] == bytes(12) and int(address) > 1) or address in _NAT64:
        return ipaddress.IPv4Address(packed[12:])
    return None


def address_kind(text: str) -> str | None:
    """Why an address must not be contacted ("a private address", ...), or None when public."""
    try:
        address: Address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return "an unreadable address"
    if isinstance(address, ipaddress.IPv6Address):
        address = _embedded_ipv4(address) or address
    checks: tuple[tuple[bool, str], ...] = (
        (address in _METADATA, "a cloud metadata address"),
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "a non-public address"),
    )
    return next((kind for refused, kind in checks if refused), None)


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Resolves a host once and returns only addresses the policy lets us connect to."""

    policy: OutboundPolicy

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; raises AddressRefused, or OSError when nothing resolves."""
        host = host.lower().strip("[]").rstrip(".")
        resolved = list(self.policy.resolve(host, port))
        if not resolved:
            raise socket.gaierror(f"{host} has no address")
        allowed = self.policy.allowed_hosts
        if host in allowed or f"{host}:{port}" in allowed:
            return resolved
        sandbox = self.policy.sandbox_origin == (host, port)
        for address in resolved:
            kind = address_kind(address)
            if kind is None or (sandbox and kind == "a loopback address"):
                continue
            origin = self.policy.sandbox_origin
            hint = f" (only the sandbox at {origin[0]}:{origin[1]} may)" if origin else ""
            raise AddressRefused(
                f"{host} resolves to {kind} ({address}){hint}; add the host to "
                "TEAMSADMIN_ALLOWED_API_HOSTS if this is intended"
            )
        return resolved


def _pinned_socket(conn: HTTPConnection, guard: AddressGuard) -> socket.socket:
    """Connect to an address the guard checked, never to a second lookup of the name.

    TLS still uses the host name (SNI and certificate), as urllib3 wraps this socket later.
    """
    port = conn.port or (443 if isinstance(conn, HTTPSConnection) else 80)
    try:
        addresses = guard.addresses(conn.host, port)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    failure: OSError = OSError("no address")
    for address in addresses:
        try:
            return create_connection(
                (address, port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out.") from exc
        except OSError as exc:
            failure = exc
    raise NewConnectionError(conn, f"Failed to establish a new connection: {failure}")


def _pool_classes(guard: AddressGuard) -> dict[str, type[HTTPConnectionPool]]:
    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _pinned_socket(self, guard)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _pinned_socket(self, guard)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}


class _GuardedAdapter(HTTPAdapter):
    """Direct connections go through the guard; through a proxy, the target is still checked."""

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self._guard)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        proxies = kwargs.get("proxies") or {}
        if request.url and select_proxy(request.url, proxies):
            parts = urlsplit(request.url)
            default_port = 443 if parts.scheme == "https" else 80
            # A name only the proxy can resolve is left to the proxy, the operator's own guard.
            with contextlib.suppress(socket.gaierror):
                self._guard.addresses(parts.hostname or "", parts.port or default_port)
        return super().send(request, *args, **kwargs)


def hardened_session(url: str, outbound: OutboundPolicy) -> requests.Session:
    """A session that reaches only guarded addresses and reads the environment once.

    It must be used through send_once, which never follows a redirect (requests' own
    max_redirects=0 would raise on any 3xx even with redirects off).

    With trust_env on, requests looks up proxy variables, the CA bundle and ~/.netrc for every
    call (a measurable share of a page), and a .netrc entry for the host would even replace the
    bearer token. The proxies and CA bundle the environment names still apply.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(url))
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if ca_bundle:
        session.verify = ca_bundle
    adapter = _GuardedAdapter(AddressGuard(outbound))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = f"{contract.CLIENT_NAME}/{settings.VERSION}"
    return session


def timeouts() -> tuple[float, float]:
    """(connect, read) seconds for one request."""
    return (settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT, settings.TEAMSADMIN_HTTP_READ_TIMEOUT)


def send_once(session: requests.Session, method: str, url: str, **kwargs: Any) -> Reply:
    """One request, its body read in one go; raises TransportFailure when no answer came."""
    try:
        answer = session.request(
            method, url, timeout=timeouts(), allow_redirects=False, stream=True, **kwargs
        )
        # The body in one read: requests reads it in 10 KB chunks, and each one waits its turn
        # for the interpreter when another thread is busy (a sync storing pages while the next
        # one is fetched).
        try:
            body = b"".join(answer.iter_content(chunk_size=None))
        finally:
            answer.close()  # back to the pool once read; dropped if the read failed
    except AddressRefused as exc:
        raise TransportFailure("blocked", str(exc)) from None
    except requests.exceptions.SSLError:
        raise TransportFailure("tls") from None
    except requests.exceptions.Timeout:
        raise TransportFailure("timeout") from None
    except requests.exceptions.ConnectionError:
        raise TransportFailure("unreachable") from None
    except requests.exceptions.RequestException:
        raise TransportFailure("failed") from None
    return Reply(answer.status_code, answer.headers, body)


def verdict(status: int) -> str:
    """What a status means for every caller: the one table of API, token and JWKS answers (§10).

    "ok"; "redirected" (never followed); "rate_limited" and "unavailable" (worth retrying);
    "refused" for the rest, which each API words in its own terms.
    """
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        return "redirected"
    if status == 429:
        return "rate_limited"
    if status in contract.RETRY_STATUSES or status >= 500:  # any 5xx is an outage, too
        return "unavailable"
    return "refused"


def seconds_until_epoch(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


def retry_after(reply: Reply) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date), else X-RateLimit-Reset on 429 (§10)."""
    header = reply.headers.get(contract.RETRY_AFTER)
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    if reply.status != 429:
        return None
    return seconds_until_epoch(reply.headers.get(contract.RATE_LIMIT_RESET))


def max_sleep() -> float:
    return float(settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS)


def backoff(retry: int, hinted: float | None) -> float | None:
    """Exponential backoff with jitter; a server hint wins. None when the hint exceeds the cap."""
    if hinted is not None:
        return None if hinted > max_sleep() else hinted
    base: float = settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS * 2.0 ** (retry - 1)
    return min(base + random.uniform(0, base), max_sleep())  # noqa: S311 - jitter, not crypto


def retrying(
    step: Callable[[int], T],
    *,
    may_retry: Callable[[TeamsApiError], bool],
    sleep: Callable[[float], None],
    before_wait: Callable[[float], object] | None = None,
) -> T:
    """Run `step(retries_so_far)` until it returns, retrying what `may_retry` allows.

    `before_wait(seconds)` runs before each backoff (e.g. to extend a lock held meanwhile).
    """
    retries = 0
    while True:
        try:
            return step(retries)
        except TeamsApiError as error:
            if retries >= settings.TEAMSADMIN_HTTP_MAX_RETRIES or not may_retry(error):
                raise
            retries += 1
            wait = backoff(retries, getattr(error, "retry_after", None))
            if wait is None:
                raise
            if before_wait is not None:
                before_wait(wait)
            sleep(wait)


def log_call(label: str, *, operation: str, started: float, **fields: object) -> None:
    """One info line per HTTP exchange, with the same fields as structured extras."""
    extra = {**fields, "duration_ms": round((time.monotonic() - started) * 1000)}
    text = " ".join(f"{name}=%s" for name in extra)
    logger.info(label + " " + text, *extra.values(), extra={"operation": operation, **extra})
