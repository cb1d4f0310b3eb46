"""The one way the rest of the project reaches the Teams API for a configured Auth Tenant.

It turns an AuthTenant row into teamsapi's plain ConnectionSettings, records each client's
token outcomes back onto its row and feeds the Auth Tenant's connection health.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet

from apps.authtenants import crypto
from apps.authtenants.health import HealthRecorder
from apps.authtenants.hosts import allowed_hosts
from apps.authtenants.models import AuthClient, AuthTenant
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.connection import (
    ClientSettings,
    ConnectionSettings,
    OutboundPolicy,
    SecretUnreadable,
)
from apps.teamsapi.errors import TokenError
from apps.teamsapi.tokens import AccessToken, TokenProvider, forget_token

logger = logging.getLogger(__name__)


def _secret_reader(auth_client: AuthClient) -> Callable[[], str]:
    encrypted = auth_client.secret_encrypted

    def read() -> str:
        try:
            return crypto.decrypt(encrypted)
        except crypto.SecretKeyError as exc:
            raise SecretUnreadable(exc.message) from None

    return read


def client_settings(auth_client: AuthClient) -> ClientSettings:
    """One client row as teamsapi sees it; the secret is decrypted only when a token is minted."""
    return ClientSettings(
        key=str(auth_client.pk),
        client_id=auth_client.client_id,
        label=auth_client.label,
        scopes=auth_client.scope_set,
        read_secret=_secret_reader(auth_client),
    )


def _sandbox_origin(auth_tenant: AuthTenant) -> tuple[str, int] | None:
    if not (settings.TEAMSADMIN_SANDBOX and auth_tenant.sandbox_origin):
        return None
    parts = urlsplit(auth_tenant.sandbox_origin)
    default_port = 443 if parts.scheme == "https" else 80
    return ((parts.hostname or "").lower(), parts.port or default_port)


def outbound_policy(auth_tenant: AuthTenant) -> OutboundPolicy:
    """Where this Auth Tenant's requests may go besides public addresses (read per client)."""
    return OutboundPolicy(
        allowed_hosts=allowed_hosts(), sandbox_origin=_sandbox_origin(auth_tenant)
    )


def enabled_clients(auth_tenant: AuthTenant) -> QuerySet[AuthClient]:
    """The clients calls may use, in the order they are tried (oldest first)."""
    return auth_tenant.clients.filter(enabled=True).order_by("pk")


def connection_settings(
    auth_tenant: AuthTenant, clients: Iterable[AuthClient] | None = None
) -> ConnectionSettings:
    """The Auth Tenant's endpoints with `clients` (default: its enabled clients, oldest first)."""
    if clients is None:
        clients = enabled_clients(auth_tenant)
    return ConnectionSettings(
        ref=str(auth_tenant.pk),
        name=auth_tenant.name,
        domain=auth_tenant.domain,
        api_base_url=auth_tenant.api_base_url,
        token_url=auth_tenant.token_url,
        jwks_url=auth_tenant.jwks_url,
        audience=auth_tenant.audience,
        issuer=auth_tenant.issuer,
        organization=auth_tenant.organization,
        clients=tuple(client_settings(c) for c in clients),
        outbound=outbound_policy(auth_tenant),
    )


class TokenStatusRecorder:
    """Writes each mint's outcome onto the client's row: "token OK 2 min ago" or why it fails,
    and into the Auth Tenant's connection health."""

    def __init__(self) -> None:
        self._health = HealthRecorder()

    def token_minted(
        self, connection: ConnectionSettings, client: ClientSettings, token: AccessToken
    ) -> None:
        self._health.token_minted(connection, client, token)
        self._save(
            client,
            token_last_ok_at=datetime.now(UTC),
            token_expires_at=datetime.fromtimestamp(token.expires_at, UTC),
            token_scopes=" ".join(sorted(token.scopes))[:500],
            token_kind=token.kind,
        )

    def token_failed(
        self, connection: ConnectionSettings, client: ClientSettings, error: TokenError
    ) -> None:
        self._health.token_failed(connection, client, error)
        self._save(
            client, token_last_error_at=datetime.now(UTC), token_last_error=error.message[:500]
        )

    def _save(self, client: ClientSettings, **fields: object) -> None:
        try:
            AuthClient.objects.filter(pk=int(client.key)).update(**fields)
        except DatabaseError:
            # Token status is advisory; a busy or changed database must not fail the call.
            logger.warning("token status not saved for client=%s", client.key)


def recording_token_provider(*, sleep: Callable[[float], None] = time.sleep) -> TokenProvider:
    """A TokenProvider that records every mint's outcome on the client rows."""
    return TokenProvider(sleep=sleep, observer=TokenStatusRecorder())


def teams_client(
    auth_tenant: AuthTenant, *, token_provider: TokenProvider | None = None
) -> TeamsClient:
    """A TeamsClient for the Auth Tenant; use it as a context manager so it is closed."""
    provider = token_provider or recording_token_provider()
    return TeamsClient(
        connection_settings(auth_tenant), token_provider=provider, observer=HealthRecorder()
    )


def forget_client_token(auth_client: AuthClient) -> None:
    """Drop the client's cached token, e.g. after its secret or scopes changed."""
    forget_token(connection_settings(auth_client.auth_tenant, ()), client_settings(auth_client))
