"""Tenant writes: create and delete through the Teams API, recorded and mirrored at once.

The management client credentials a create returns go back to the caller only: they are not
put in the audit entry, the mirror, the session or a log line (the API never returns them again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apps.audit.models import AuditAction
from apps.audit.services import audited
from apps.authtenants.connection import teams_client
from apps.authtenants.refusals import plain_refusal
from apps.authtenants.scopes import require_scope
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.directory import follow, selectors
from apps.teamsapi.contract import OperationName, TenantRole
from apps.teamsapi.errors import (
    TeamsApiConflict,
    TeamsApiError,
    TeamsApiNotFound,
)
from apps.teamsapi.types import CreatedTenant

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.authtenants.models import AuthTenant

# The create form's fields carry the API's body field names, so a 400 lands next to its field.
# API fields of the create call (§5.1 (11)) are the form's field names too.
CREATE_FIELDS = {
    name: name
    for name in ("tenant_name", "admin_email", "locality", "environment", "environment_tag")
}
DUPLICATE_NAME = "A tenant with this name already exists. Choose another name, or leave it empty."
UNKNOWN_ADMIN = "Auth0 does not know this email as a member of the team. Pick a current member."
UNKNOWN_ENVIRONMENT = "Auth0 does not know this environment for the team. Pick one from the list."
ENVIRONMENT_NOT_FOUND = "ENVIRONMENT_NOT_FOUND"  # CONTRACT §5.1 (11): the 404 code for it


def tenant_create(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    admin_email: str,
    tenant_name: str = "",
    locality: str = "",
    environment_tag: str = "",
    environment: str = "",
    request: HttpRequest | None = None,
) -> CreatedTenant:
    """Create a public (`locality`) or private (`environment`) tenant; raises ServiceError.

    Returns the API's reply with the one-time management client credentials.
    """
    require(actor, Capability.CREATE_TENANT)
    require_scope(auth_tenant, OperationName.CREATE_TENANT)
    parameters = {
        "tenant_name": tenant_name,
        "admin_email": admin_email,
        "locality": locality,
        "environment": environment,
        "environment_tag": environment_tag,
    }
    try:
        with audited(
            actor=actor,
            auth_tenant=auth_tenant,
            action=AuditAction.TENANT_CREATE,
            target_type="tenant",
            target_label=tenant_name,
            parameters={k: v for k, v in parameters.items() if v},
            request=request,
        ) as trail:
            with teams_client(auth_tenant) as client:
                created = client.create_tenant(
                    admin_email=admin_email,
                    tenant_name=tenant_name or None,
                    locality=locality or None,
                    environment_tag=environment_tag or None,
                    environment=environment or None,
                )
            trail.target_id = created.tenant.tenant_id
            trail.target_label = created.tenant.tenant_name
            with trail.atomic():
                follow.tenant_added(auth_tenant, created.tenant)
                _admin_access_added(auth_tenant, created.tenant.tenant_id, admin_email)
    except TeamsApiError as error:
        raise service_error(error) from None
    return created


@dataclass(frozen=True)
class Deleted:
    """What a delete did: `already_gone` when Auth0 no longer had the tenant."""

    tenant_id: str
    tenant_name: str
    already_gone: bool
    accesses_ended: int


def tenant_delete(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    tenant_id: str,
    tenant_name: str,
    request: HttpRequest | None = None,
) -> Deleted:
    """Delete the tenant upstream and in the mirror; a tenant already gone is not an error."""
    require(actor, Capability.DELETE_TENANT)
    require_scope(auth_tenant, OperationName.DELETE_TENANT)
    already_gone = False
    try:
        with audited(
            actor=actor,
            auth_tenant=auth_tenant,
            action=AuditAction.TENANT_DELETE,
            target_type="tenant",
            target_id=tenant_id,
            target_label=tenant_name,
            request=request,
        ) as trail:
            with teams_client(auth_tenant) as client:
                try:
                    client.delete_tenant(tenant_id)
                except TeamsApiNotFound:
                    # A second click, or deleted elsewhere: the mirror still has to follow.
                    already_gone = True
                    trail.message = "Auth0 no longer had this tenant; the mirror was updated."
            with trail.atomic():
                ended = follow.tenant_removed(auth_tenant, tenant_id)
    except TeamsApiError as error:
        raise service_error(error) from None
    return Deleted(tenant_id, tenant_name, already_gone, ended)


def _admin_access_added(auth_tenant: AuthTenant, tenant_id: str, admin_email: str) -> None:
    """Mirror the admin's access to the new tenant: the API gives them its admin role
    (CONTRACT §5.1 (11), inferred; the next directory sync confirms or corrects it)."""
    admin = selectors.member_by_email(auth_tenant=auth_tenant, email=admin_email)
    if admin is not None:
        follow.access_granted(auth_tenant, admin.member_id, [tenant_id], [TenantRole.OWNER])


def service_error(error: TeamsApiError) -> ServiceError:
    """The API's refusal in plain words, next to the create form's field it is about."""
    if isinstance(error, TeamsApiConflict):
        return ServiceError(DUPLICATE_NAME, field_errors={"tenant_name": [DUPLICATE_NAME]})
    if isinstance(error, TeamsApiNotFound) and error.code == ENVIRONMENT_NOT_FOUND:
        return ServiceError(
            UNKNOWN_ENVIRONMENT, field_errors={"environment": [UNKNOWN_ENVIRONMENT]}
        )
    if isinstance(error, TeamsApiNotFound):
        return ServiceError(UNKNOWN_ADMIN, field_errors={"admin_email": [UNKNOWN_ADMIN]})
    return plain_refusal(error, fields=CREATE_FIELDS)
