"""Writes to Auth Tenants and their clients, and the connection test; owners only."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from functools import partial

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from apps.authtenants.connection import (
    connection_settings,
    forget_client_token,
    recording_token_provider,
)
from apps.authtenants.crypto import SecretKeyError
from apps.authtenants.features import READ_PROBES
from apps.authtenants.health import HealthRecorder
from apps.authtenants.hosts import validate_base_url, validate_domain
from apps.authtenants.models import TOKEN_STATUS_FIELDS, AuthClient, AuthTenant
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.connection import ClientSettings, ConnectionSettings
from apps.teamsapi.contract import Scope
from apps.teamsapi.errors import TeamsApiError
from apps.teamsapi.tokens import TokenProvider, forget_token

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser

_CLIENT_FIELDS = ["label", "client_id", "secret_encrypted", "scopes", "enabled"]


@dataclass(frozen=True)
class AuthTenantInput:
    """The editable settings of an Auth Tenant."""

    name: str
    team_slug: str
    domain: str
    region: str
    cloud: str
    organization: str = ""
    enabled: bool = True
    audience_override: str = ""
    api_base_url_override: str = ""
    auth_base_url_override: str = ""


# The Auth Tenant fields a person edits, in the order the form shows them.
TENANT_INPUT_FIELDS = tuple(field.name for field in fields(AuthTenantInput))


@dataclass(frozen=True)
class AuthClientInput:
    """The editable settings of an Auth Client; a blank secret on update keeps the stored one."""

    label: str
    client_id: str
    scopes: str
    enabled: bool = True
    secret: str = ""

    def __repr__(self) -> str:
        return f"AuthClientInput(label={self.label!r}, client_id={self.client_id!r}, scopes={self.scopes!r})"


def normalize_scopes(scopes: str) -> str:
    """Space-separated, de-duplicated, in a stable order."""
    return " ".join(sorted(set(scopes.split())))


def _validated(instance: AuthTenant | AuthClient) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        field_errors = {
            field: [str(m) for m in messages] for field, messages in exc.message_dict.items()
        }
        first = next(iter(field_errors.values()), ["Please correct the errors below."])[0]
        raise ServiceError(first, field_errors=field_errors) from None


def _apply_tenant_input(auth_tenant: AuthTenant, data: AuthTenantInput) -> None:
    auth_tenant.name = data.name.strip()
    auth_tenant.team_slug = data.team_slug.strip().lower()
    auth_tenant.domain = data.domain.strip().lower()
    auth_tenant.region = data.region
    auth_tenant.cloud = data.cloud
    auth_tenant.organization = data.organization.strip()
    auth_tenant.audience_override = data.audience_override.strip()
    auth_tenant.api_base_url_override = data.api_base_url_override.strip()
    auth_tenant.auth_base_url_override = data.auth_base_url_override.strip()
    auth_tenant.enabled = data.enabled


@transaction.atomic
def auth_tenant_create(*, actor: Actor, data: AuthTenantInput) -> AuthTenant:
    """Create an Auth Tenant (its clients are added separately)."""
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    auth_tenant = AuthTenant()
    _apply_tenant_input(auth_tenant, data)
    _validated(auth_tenant)
    auth_tenant.save()
    logger.info("auth tenant created", extra={"auth_tenant": auth_tenant.pk})
    return auth_tenant


@transaction.atomic
def auth_tenant_update(
    *, actor: Actor, auth_tenant: AuthTenant, data: AuthTenantInput
) -> AuthTenant:
    """Change an Auth Tenant's settings; token status is reset when where tokens come from changes."""
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    # Read from the database: a bound ModelForm has already copied the new values onto the instance.
    stored = AuthTenant.objects.get(pk=auth_tenant.pk)
    before = (stored.domain, stored.audience, stored.auth_base_url)
    _apply_tenant_input(auth_tenant, data)
    _validated(auth_tenant)
    auth_tenant.save(update_fields=[*TENANT_INPUT_FIELDS, "updated_at"])
    if before != (auth_tenant.domain, auth_tenant.audience, auth_tenant.auth_base_url):
        # Old token results describe another issuer or audience; showing them would mislead.
        auth_tenant.clients.update(**AuthClient.token_status_cleared())
    logger.info("auth tenant updated", extra={"auth_tenant": auth_tenant.pk})
    return auth_tenant


@transaction.atomic
def auth_tenant_delete(*, actor: Actor, auth_tenant: AuthTenant) -> None:
    """Delete an Auth Tenant and its clients."""
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    pk = auth_tenant.pk
    try:
        auth_tenant.delete()
    except (ProtectedError, RestrictedError):
        raise ServiceError(
            f"{auth_tenant.name} still has data that depends on it; disable it instead of deleting it."
        ) from None
    logger.info("auth tenant deleted", extra={"auth_tenant": pk})


def _apply_client_input(auth_client: AuthClient, data: AuthClientInput) -> None:
    auth_client.label = data.label.strip()
    auth_client.client_id = data.client_id.strip()
    auth_client.scopes = normalize_scopes(data.scopes)
    auth_client.enabled = data.enabled
    if data.secret and not _same_secret(auth_client, data.secret):
        auth_client.set_secret(data.secret)


def _same_secret(auth_client: AuthClient, secret: str) -> bool:
    # Fernet output differs on every call, so compare plaintexts to keep re-runs of set-up no-ops.
    if not auth_client.secret_encrypted:
        return False
    try:
        return auth_client.get_secret() == secret
    except SecretKeyError:
        return False


@transaction.atomic
def auth_client_add(*, actor: Actor, auth_tenant: AuthTenant, data: AuthClientInput) -> AuthClient:
    """Add an M2M client to an Auth Tenant; the secret is required and stored encrypted."""
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    if not data.secret:
        raise ServiceError(
            "Enter the client secret.", field_errors={"secret": ["Enter the client secret."]}
        )
    auth_client = AuthClient(auth_tenant=auth_tenant)
    _apply_client_input(auth_client, data)
    _validated(auth_client)
    auth_client.save()
    logger.info(
        "auth client added", extra={"auth_tenant": auth_tenant.pk, "auth_client": auth_client.pk}
    )
    return auth_client


@transaction.atomic
def auth_client_update(
    *, actor: Actor, auth_client: AuthClient, data: AuthClientInput
) -> AuthClient:
    """Change a client's settings; a blank secret keeps the stored one."""
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    stored = AuthClient.objects.get(pk=auth_client.pk)
    credentials_before = (stored.client_id, stored.secret_encrypted)
    _apply_client_input(auth_client, data)
    _validated(auth_client)
    if credentials_before != (auth_client.client_id, auth_client.secret_encrypted):
        for field, value in AuthClient.token_status_cleared().items():
            setattr(auth_client, field, value)
    auth_client.save(update_fields=[*_CLIENT_FIELDS, *TOKEN_STATUS_FIELDS])
    # A cached token minted with the old secret or grant must not outlive the change.
    forget_client_token(stored)
    logger.info(
        "auth client updated",
        extra={"auth_tenant": auth_client.auth_tenant_id, "auth_client": auth_client.pk},
    )
    return auth_client


@transaction.atomic
def auth_client_remove(*, actor: Actor, auth_client: AuthClient) -> None:
    """Remove a client from its Auth Tenant."""
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    pk, tenant_pk = auth_client.pk, auth_client.auth_tenant_id
    forget_client_token(auth_client)
    auth_client.delete()
    logger.info("auth client removed", extra={"auth_tenant": tenant_pk, "auth_client": pk})


@transaction.atomic
def auth_tenant_setup(
    *, actor: Actor, data: AuthTenantInput, clients: list[AuthClientInput]
) -> tuple[AuthTenant, bool]:
    """Create or update the Auth Tenant named `data.name` and its listed clients (idempotent).

    Clients are matched on client id; clients not listed are left alone. Returns (row, created).
    """
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    existing = AuthTenant.objects.filter(name=data.name.strip()).first()
    if existing is None:
        auth_tenant = auth_tenant_create(actor=actor, data=data)
    else:
        auth_tenant = auth_tenant_update(actor=actor, auth_tenant=existing, data=data)
    for client_data in clients:
        auth_client = auth_tenant.clients.filter(client_id=client_data.client_id.strip()).first()
        if auth_client is None:
            auth_client_add(actor=actor, auth_tenant=auth_tenant, data=client_data)
        else:
            auth_client_update(actor=actor, auth_client=auth_client, data=client_data)
    return auth_tenant, existing is None


@dataclass(frozen=True)
class ProbeOutcome:
    """One cheap read made with a client's token to prove a granted scope works."""

    scope: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ClientTestOutcome:
    """What happened when one client was tested, in plain words."""

    auth_client_pk: int
    label: str
    client_id: str
    token_ok: bool
    message: str
    probes: tuple[ProbeOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        return self.token_ok and all(probe.ok for probe in self.probes)


@dataclass(frozen=True)
class ConnectionTestResult:
    """The outcome of "Test connection" for every enabled client of an Auth Tenant."""

    auth_tenant_pk: int
    clients: tuple[ClientTestOutcome, ...]
    message: str

    @property
    def ok(self) -> bool:
        return bool(self.clients) and all(client.ok for client in self.clients)


def _first_page_size(client: TeamsClient, scope: Scope) -> int:
    if scope == Scope.READ_TENANTS:
        tenants = next(iter(client.iter_tenant_pages(take=1)), None)
        return len(tenants.items) if tenants else 0
    if scope == Scope.READ_MEMBERS:
        members = next(iter(client.iter_member_pages(take=1)), None)
        return len(members.items) if members else 0
    activity = next(iter(client.iter_activity_pages(take=1)), None)
    return len(activity.items) if activity else 0


def _probe(client: TeamsClient, scope: Scope, what: str) -> ProbeOutcome:
    try:
        size = _first_page_size(client, scope)
    except TeamsApiError as exc:
        return ProbeOutcome(scope=scope, ok=False, detail=f"could not {what}: {exc.message}")
    found = "a page of results" if size else "an empty page"
    return ProbeOutcome(scope=scope, ok=True, detail=f"able to {what} (got {found}).")


def _test_client(
    connection: ConnectionSettings, client: ClientSettings, provider: TokenProvider
) -> ClientTestOutcome:
    # A fresh token proves the stored secret still works, and it is then reused by the probes.
    forget_token(connection, client)
    outcome = partial(
        ClientTestOutcome,
        auth_client_pk=int(client.key),
        label=client.label,
        client_id=client.client_id,
    )
    try:
        token = provider.token(connection, client)
    except TeamsApiError as exc:
        return outcome(token_ok=False, message=exc.message)
    words = ["Got a valid token"]
    if token.kind == "opaque":
        words = ["Got an opaque token (it cannot be checked locally)"]
    not_granted = sorted(client.scopes - token.scopes) if token.scopes else []
    if not_granted:
        words.append(
            "but it lacks the configured scope(s) "
            + ", ".join(not_granted)
            + ": check the client grant in Auth0 or untick them here"
        )
    # Each client is tested alone: the connection offers it only, so every probe uses it.
    with TeamsClient(
        connection.only(client), token_provider=provider, observer=HealthRecorder()
    ) as api:
        probes = tuple(
            _probe(api, scope, what) for scope, what in READ_PROBES if scope in client.scopes
        )
    if not probes:
        words.append("(no read scope to try a call with)")
    return outcome(token_ok=True, message=" ".join(words) + ".", probes=probes)


def _unsafe_host_message(auth_tenant: AuthTenant) -> str:
    """Re-check hosts before any request: settings (sandbox mode, allow-list) may have changed."""
    checks = [
        ("domain", auth_tenant.domain, validate_domain),
        ("API base URL", auth_tenant.api_base_url_override, validate_base_url),
        ("auth base URL", auth_tenant.auth_base_url_override, validate_base_url),
    ]
    for label, value, validate in checks:
        if not value:
            continue
        try:
            validate(value)
        except ValidationError as exc:
            return f"Not tested: the {label} is not allowed ({' '.join(exc.messages)}). Edit the Auth Tenant."
    return ""


def auth_tenant_test_connection(*, actor: Actor, auth_tenant: AuthTenant) -> ConnectionTestResult:
    """Mint and validate a token for each enabled client, then make one cheap read per read scope.

    Token results are stored on each client row; the result says what worked in plain words.
    """
    require(actor, Capability.MANAGE_AUTH_TENANTS)
    unsafe = _unsafe_host_message(auth_tenant)
    if unsafe:
        return ConnectionTestResult(auth_tenant_pk=auth_tenant.pk, clients=(), message=unsafe)
    connection = connection_settings(auth_tenant)
    if not connection.clients:
        return ConnectionTestResult(
            auth_tenant_pk=auth_tenant.pk,
            clients=(),
            message="There is no enabled client to test: add a client first.",
        )
    provider = recording_token_provider()
    outcomes = tuple(_test_client(connection, client, provider) for client in connection.clients)
    working = sum(outcome.ok for outcome in outcomes)
    logger.info(
        "auth tenant connection tested",
        extra={"auth_tenant": auth_tenant.pk, "clients": len(outcomes), "working": working},
    )
    return ConnectionTestResult(
        auth_tenant_pk=auth_tenant.pk,
        clients=outcomes,
        message=f"{working} of {len(outcomes)} clients work.",
    )
