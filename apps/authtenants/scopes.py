"""Which Teams API actions an Auth Tenant's clients can perform, and what to do when one cannot."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.urls import reverse

from apps.authtenants.connection import enabled_clients
from apps.authtenants.models import AuthClient, AuthTenant
from apps.core.db import JSONArrayText, json_array
from apps.core.errors import ServiceError
from apps.teamsapi.connection import fewest_scope_client
from apps.teamsapi.contract import OPERATIONS, OperationName

FIX_URL_NAME = "authtenants:edit"
# The column with the enabled clients' scopes that an Auth Tenant read for a request carries.
_CARRIED = "carried_client_scopes"


@dataclass(frozen=True)
class ScopeGate:
    """Why an action is unavailable: the missing scope, the fix in words, and where to make it.

    Renders as its message, so `{{ gates.delete_tenant }}` shows the sentence.
    """

    scope: str
    message: str
    fix_url: str

    def __str__(self) -> str:
        return self.message


def scope_gate_message(scope: str) -> str:
    """The sentence shown beside a disabled action whose scope no client holds."""
    return (
        f"Needs `{scope}`: grant it to a client of this Auth Tenant in Auth0, "
        "then add the scope here."
    )


@dataclass(frozen=True)
class _Granted:
    """An enabled client as far as a scope check goes: what it was granted."""

    scope_set: frozenset[str]


def with_client_scopes(auth_tenants: QuerySet[AuthTenant]) -> QuerySet[AuthTenant]:
    """The Auth Tenants, each carrying its enabled clients' scopes for `action_gates`: a page's
    buttons then need no query of their own (the request reads its Auth Tenants anyway)."""
    clients = AuthClient.objects.filter(auth_tenant=OuterRef("pk"), enabled=True).order_by()
    scopes = clients.annotate(scopes_json=JSONArrayText("scopes")).values("scopes_json")
    return auth_tenants.annotate(**{_CARRIED: Subquery(scopes, output_field=TextField())})


def _granted(auth_tenant: AuthTenant) -> list[_Granted]:
    """The enabled clients' grants: carried by the Auth Tenant when read for the request, else
    read now."""
    carried = vars(auth_tenant).get(_CARRIED)
    if carried is None:
        return [_Granted(client.scope_set) for client in enabled_clients(auth_tenant)]
    return [_Granted(frozenset(scopes.split())) for scopes in json_array(carried)]


def action_gates(auth_tenant: AuthTenant) -> dict[OperationName, ScopeGate | None]:
    """For every operation: None when an enabled client holds its scope, else a ScopeGate.

    Decided by the same function the calls pick their client with, so a button shown enabled
    is one whose call finds a client.
    """
    clients = _granted(auth_tenant)
    missing = [op for op in OPERATIONS.values() if fewest_scope_client(clients, op) is None]
    fix_url = reverse(FIX_URL_NAME, args=[auth_tenant.pk]) if missing else ""
    gates: dict[OperationName, ScopeGate | None] = dict.fromkeys(OPERATIONS)
    for operation in missing:
        gates[operation.name] = ScopeGate(
            operation.scope, scope_gate_message(operation.scope), fix_url
        )
    return gates


def require_scope(auth_tenant: AuthTenant, operation: OperationName) -> None:
    """Refuse, before any call, an action no client of the Auth Tenant may perform."""
    gate = action_gates(auth_tenant)[operation]
    if gate is not None:
        raise ServiceError(gate.message)
