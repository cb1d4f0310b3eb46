"""Which Teams API actions an Auth Tenant's clients can perform, and what to do when one cannot."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from apps.authtenants.connection import client_settings, enabled_clients
from apps.authtenants.models import AuthTenant
from apps.core.errors import ServiceError
from apps.teamsapi.connection import fewest_scope_client
from apps.teamsapi.contract import OPERATIONS, OperationName

FIX_URL_NAME = "authtenants:edit"


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


def action_gates(auth_tenant: AuthTenant) -> dict[OperationName, ScopeGate | None]:
    """For every operation: None when an enabled client holds its scope, else a ScopeGate.

    One query (the enabled clients), picked by the same function and client order the calls
    use, so a button shown enabled is one whose call finds a client.
    """
    clients = [client_settings(client) for client in enabled_clients(auth_tenant)]
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
