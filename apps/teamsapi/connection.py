"""What a TeamsClient needs to reach one team's Teams API, as plain data (no Django models)."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from apps.teamsapi.contract import Operation

# host, port -> the IP addresses the host name resolves to (tests pass a stub).
Resolver = Callable[[str, int], Sequence[str]]


class SecretUnreadable(Exception):  # noqa: N818 - what the caller's secret reader raises
    """The client secret cannot be read (e.g. no configured key decrypts it)."""


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for `host`, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Where requests may go besides public addresses.

    `allowed_hosts` ("host" or "host:port") may resolve anywhere, as the operator listed them;
    `sandbox_origin` (host, port) of the mounted sandbox may resolve to loopback addresses only.
    """

    allowed_hosts: frozenset[str] = frozenset()
    sandbox_origin: tuple[str, int] | None = None
    resolve: Resolver = field(default=system_resolve, compare=False)


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """One M2M client: `key` is stable (throttling, status reports); the secret is read at mint time."""

    key: str
    client_id: str
    label: str
    scopes: frozenset[str]
    read_secret: Callable[[], str] = field(repr=False, compare=False)

    @property
    def scope_set(self) -> frozenset[str]:
        return self.scopes


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """One Auth Tenant's endpoints and clients; `ref` names it in log lines and messages."""

    ref: str
    name: str
    domain: str
    api_base_url: str
    token_url: str
    jwks_url: str
    audience: str
    issuer: str
    organization: str = ""
    clients: tuple[ClientSettings, ...] = ()
    outbound: OutboundPolicy = OutboundPolicy()

    def only(self, client: ClientSettings) -> ConnectionSettings:
        """The same connection restricted to one client, e.g. to test each client alone."""
        return dataclasses.replace(self, clients=(client,))


class _Scoped(Protocol):
    @property
    def scope_set(self) -> frozenset[str]: ...


Scoped = TypeVar("Scoped", bound=_Scoped)


def fewest_scope_client(clients: Iterable[Scoped], operation: Operation) -> Scoped | None:
    """The client granted the operation's scope with the fewest scopes (least privilege).

    Ties go to the earliest client, so callers pass clients in a stable order.
    """
    candidates = [client for client in clients if operation.scope in client.scope_set]
    return min(candidates, key=lambda client: len(client.scope_set), default=None)
