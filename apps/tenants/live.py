"""Reads straight from the Teams API for the tenant page, and the environments for the form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apps.authtenants.connection import teams_client
from apps.teamsapi.errors import TeamsApiError, TeamsApiNotFound
from apps.teamsapi.types import Tenant, TenantMember

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant


@dataclass(frozen=True)
class LiveTenant:
    """The tenant and its members as Auth0 has them now; `error` says why they are missing."""

    tenant: Tenant | None = None
    members: list[TenantMember] = field(default_factory=list)
    error: str = ""
    gone: bool = False  # Auth0 answered that the tenant does not exist


def tenant_live(*, auth_tenant: AuthTenant, tenant_id: str) -> LiveTenant:
    """get_tenant and list_tenant_members; an API failure is returned as `error`, not raised."""
    try:
        with teams_client(auth_tenant) as client:
            tenant = client.get_tenant(tenant_id)
            members = sorted(
                client.list_tenant_members(tenant_id), key=lambda m: (m.email.lower(), m.id)
            )
    except TeamsApiNotFound as error:
        return LiveTenant(error=error.message, gone=True)
    except TeamsApiError as error:
        return LiveTenant(error=error.message)
    return LiveTenant(tenant=tenant, members=members)


def environments_live(*, auth_tenant: AuthTenant) -> tuple[list[str], str]:
    """The team's environments from the API, and the reason when they could not be listed."""
    try:
        with teams_client(auth_tenant) as client:
            return sorted(client.list_environments()), ""
    except TeamsApiError as error:
        return [], error.message
