"""Grant, change and revoke a member's tenant access, for any number of tenants.

Auth0 takes at most 10 tenants per call (§5.1 (6-8)), so a request is sent in batches; each
batch is one audit entry and one mirror update for the tenants it reports as done. A batch
failing as a whole after earlier ones went through ends the run: the tenants not sent are
reported as not done, and what was done stays done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from apps.access import expiry, selectors
from apps.access.models import AccessExpiry
from apps.access.results import AccessResult, TenantOutcome, batch_outcomes, outcome
from apps.access.rules import AccessKind, batches, unique, violations
from apps.audit.models import AuditAction, AuditOutcome
from apps.audit.services import audit_record, audited
from apps.authtenants.connection import teams_client
from apps.authtenants.refusals import plain_refusal
from apps.authtenants.scopes import scope_gate_message
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.directory import follow
from apps.teamsapi.errors import (
    NoClientForScope,
    TeamsApiError,
    TeamsApiForbidden,
    TeamsApiNotFound,
    TeamsApiValidationError,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.authtenants.models import AuthTenant
    from apps.directory.models import DirectoryMember
    from apps.teamsapi.client import TeamsClient
    from apps.teamsapi.types import BulkResult

# API request fields (§5.1 (6-8)) -> the form fields that hold them.
API_FIELDS = {"tenants": "tenants", "roles": "roles", "client_ids": "client_ids"}

Send = Callable[["TeamsClient", list[str]], "BulkResult"]
FollowUp = Callable[[list[str]], int]


@dataclass(frozen=True)
class _Request:
    """One access action as asked for, before it is split into calls."""

    kind: AccessKind
    actor: Any
    auth_tenant: AuthTenant
    member_id: str
    tenant_ids: list[str]
    roles: list[str]
    client_ids: list[str]
    request: HttpRequest | None
    until: datetime | None = None
    # What asked for the action beyond the actor (an access review), named in each audit entry.
    context: Mapping[str, Any] = field(default_factory=dict)


def tenant_access_grant(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_ids: Sequence[str],
    roles: Sequence[str],
    client_ids: Sequence[str] | None = None,
    until: datetime | None = None,
    request: HttpRequest | None = None,
) -> AccessResult:
    """Give the member `roles` on each tenant; owners only. Partial success is a normal result.

    With `until`, the access granted ends on its own then (the scheduled revoke removes it).
    """
    asked = _asked(
        AccessKind.GRANT, actor, auth_tenant, member_id, tenant_ids, roles, client_ids, request
    )
    if until is not None:
        errors = expiry.until_errors(until)
        if errors:
            raise ServiceError(
                "Nothing was sent: please correct the end.", field_errors={"until": errors}
            )
        asked = replace(asked, until=until)
    return _set_roles(asked)


def tenant_access_change(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_ids: Sequence[str],
    roles: Sequence[str],
    client_ids: Sequence[str] | None = None,
    request: HttpRequest | None = None,
    audit_context: Mapping[str, Any] | None = None,
) -> AccessResult:
    """Replace the member's roles on tenants they already access (§5.1 (7)); owners only."""
    asked = _asked(
        AccessKind.CHANGE, actor, auth_tenant, member_id, tenant_ids, roles, client_ids, request
    )
    return _set_roles(_with_context(asked, audit_context))


def tenant_access_revoke(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_ids: Sequence[str],
    request: HttpRequest | None = None,
    audit_context: Mapping[str, Any] | None = None,
) -> AccessResult:
    """End the member's access to each tenant (and any end set for it); owners only."""
    asked = _asked(AccessKind.REVOKE, actor, auth_tenant, member_id, tenant_ids, (), None, request)

    def follow_up(done: list[str]) -> int:
        expiry.expiry_clear(auth_tenant, member_id, done)
        return follow.access_revoked(auth_tenant, member_id, done)

    return _perform(
        _with_context(asked, audit_context),
        send=lambda client, batch: client.remove_member_tenants(member_id, tenant_ids=batch),
        follow_up=follow_up,
    )


def _with_context(asked: _Request, context: Mapping[str, Any] | None) -> _Request:
    return replace(asked, context=dict(context or {}))


def _set_roles(asked: _Request) -> AccessResult:
    """Grant or change: the same request, sent as the PUT or the PATCH (§5.1 (6-7))."""
    grant = asked.kind is AccessKind.GRANT
    mirror = follow.access_granted if grant else follow.access_changed

    def send(client: TeamsClient, batch: list[str]) -> BulkResult:
        call = client.add_member_tenants if grant else client.update_member_tenants
        return call(
            asked.member_id,
            tenant_ids=batch,
            roles=asked.roles,
            client_ids=asked.client_ids or None,
        )

    def follow_up(done: list[str]) -> int:
        if grant:  # a grant sets its end, or none; changing roles keeps the end as it was
            expiry.expiry_set(
                asked.auth_tenant, asked.member_id, done, asked.until, actor=asked.actor
            )
        return mirror(asked.auth_tenant, asked.member_id, done, asked.roles)

    return _perform(asked, send=send, follow_up=follow_up)


def _asked(
    kind: AccessKind,
    actor: Any,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_ids: Sequence[str],
    roles: Sequence[str],
    client_ids: Sequence[str] | None,
    request: HttpRequest | None,
) -> _Request:
    """The checked request: the capability first, then the contract's rules (nothing sent yet)."""
    require(actor, Capability.MANAGE_TENANT_ACCESS)
    asked = _Request(
        kind,
        actor,
        auth_tenant,
        member_id,
        unique(tenant_ids),
        unique(roles),
        unique(client_ids or ()),
        request,
    )
    errors = violations(
        kind, tenant_ids=asked.tenant_ids, roles=asked.roles, client_ids=asked.client_ids
    )
    if errors:
        raise ServiceError(
            "Nothing was sent: please correct the marked fields.", field_errors=errors
        )
    return asked


def _perform(asked: _Request, *, send: Send, follow_up: FollowUp) -> AccessResult:
    """Send the batches in order and collect every tenant's outcome."""
    names = selectors.tenant_names(auth_tenant=asked.auth_tenant, tenant_ids=asked.tenant_ids)
    member = selectors.member_current(auth_tenant=asked.auth_tenant, member_id=asked.member_id)
    label = selectors.member_label(member, asked.member_id)
    outcomes: list[TenantOutcome] = []
    calls = 0
    with teams_client(asked.auth_tenant) as client:
        for batch in batches(asked.tenant_ids):
            calls += 1
            try:
                reply = _send_batch(asked, batch, client, send, follow_up, label=label, names=names)
            except TeamsApiError as error:
                if not outcomes:
                    raise access_error(asked.kind, error) from error
                outcomes.extend(_not_sent(asked, len(outcomes), names, error))
                break
            outcomes.extend(batch_outcomes(asked.kind, reply, batch, names))
    return AccessResult(
        kind=asked.kind,
        member_id=asked.member_id,
        member_label=label,
        roles=tuple(asked.roles),
        client_ids=tuple(asked.client_ids),
        outcomes=tuple(outcomes),
        calls=calls,
    )


def _send_batch(
    asked: _Request,
    batch: list[str],
    client: TeamsClient,
    send: Send,
    follow_up: FollowUp,
    *,
    label: str,
    names: dict[str, str],
) -> BulkResult:
    """One call: its audit entry and the mirror update for the tenants it reports as done."""
    parameters: dict[str, Any] = {
        "tenant_ids": batch,
        "tenant_names": [names.get(tenant_id, tenant_id) for tenant_id in batch],
    }
    if asked.kind is not AccessKind.REVOKE:
        parameters.update(roles=asked.roles, client_ids=asked.client_ids)
    if asked.until is not None:
        parameters["until"] = asked.until.isoformat()
    parameters.update(asked.context)
    with audited(
        actor=asked.actor,
        auth_tenant=asked.auth_tenant,
        action=asked.kind.audit_action,
        target_type="member",
        target_id=asked.member_id,
        target_label=label,
        parameters=parameters,
        request=asked.request,
    ) as trail:
        reply = send(client, batch)
        with trail.atomic():
            trail.bulk([reply])
            follow_up([tid for tid in reply.succeeded_tenant_ids if tid in batch])
    return reply


def _not_sent(
    asked: _Request, done: int, names: dict[str, str], error: TeamsApiError
) -> list[TenantOutcome]:
    """The tenants from the failed batch on, each marked not done with the call's reason."""
    reason = f"Not done: {access_error(asked.kind, error).message}"
    return [outcome(tid, names, ok=False, reason=reason) for tid in asked.tenant_ids[done:]]


def access_error(kind: AccessKind, error: TeamsApiError) -> ServiceError:
    """A whole call's failure in plain words, with the API's field errors on the form's fields."""
    if isinstance(error, NoClientForScope):
        return ServiceError(f"Cannot {kind.feature}. {scope_gate_message(error.scope)}")
    if isinstance(error, TeamsApiForbidden):
        needed = scope_gate_message(error.scope) if error.scope else error.message
        return ServiceError(f"Auth0 refused to {kind.feature}. {needed}")
    if isinstance(error, TeamsApiNotFound):
        return ServiceError(
            "Auth0 has no team member with this id; they may have left the team. Nothing changed."
        )
    if isinstance(error, TeamsApiValidationError):
        refusal = plain_refusal(error, fields=API_FIELDS)
        others = [m for k, v in error.field_errors.items() if k not in API_FIELDS for m in v]
        message = " ".join(["Auth0 rejected the request:", *(others or [error.message])])
        return ServiceError(message, field_errors=refusal.field_errors)
    return plain_refusal(error)


def access_expiry_extend(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_id: str,
    until: datetime,
    request: HttpRequest | None = None,
) -> AccessExpiry:
    """Move the end of a time-boxed access to `until`; owners only. Nothing is sent to Auth0."""
    require(actor, Capability.MANAGE_TENANT_ACCESS)
    row = _expiring(auth_tenant, member_id, tenant_id)
    errors = expiry.until_errors(until)
    if errors:
        raise ServiceError("The end was not changed.", field_errors={"until": errors})
    with _expiry_audited(
        actor, auth_tenant, row, AuditAction.TENANT_ACCESS_EXTEND, request
    ) as trail:
        trail.parameters["until"] = until.isoformat()
        with trail.atomic():
            row.ends_at, row.attempts, row.retry_at, row.last_error = until, 0, None, ""
            row.set_by_username = actor.get_username()
            row.save(
                update_fields=["ends_at", "attempts", "retry_at", "last_error", "set_by_username"]
            )
    return row


def access_expiry_remove(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_id: str,
    request: HttpRequest | None = None,
) -> None:
    """Make a time-boxed access permanent (forget its end); owners only."""
    require(actor, Capability.MANAGE_TENANT_ACCESS)
    row = _expiring(auth_tenant, member_id, tenant_id)
    with (
        _expiry_audited(
            actor, auth_tenant, row, AuditAction.TENANT_ACCESS_PERMANENT, request
        ) as trail,
        trail.atomic(),
    ):
        row.delete()


def _expiring(auth_tenant: AuthTenant, member_id: str, tenant_id: str) -> AccessExpiry:
    row = expiry.expiry_get(auth_tenant, member_id, tenant_id)
    if row is None:
        raise ServiceError("This access has no end set (any more): nothing to change.")
    return row


def _expiry_audited(
    actor: Any,
    auth_tenant: AuthTenant,
    row: AccessExpiry,
    action: AuditAction,
    request: HttpRequest | None,
) -> Any:
    """The audit block of a change to an access's end, naming the member and the tenant."""
    member = selectors.member_current(auth_tenant=auth_tenant, member_id=row.member_id)
    names = selectors.tenant_names(auth_tenant=auth_tenant, tenant_ids=[row.tenant_id])
    return audited(
        actor=actor,
        auth_tenant=auth_tenant,
        action=action,
        target_type="member",
        target_id=row.member_id,
        target_label=selectors.member_label(member, row.member_id),
        parameters={
            "tenant_id": row.tenant_id,
            "tenant_name": names.get(row.tenant_id, row.tenant_id),
            "previous_end": row.ends_at.isoformat(),
        },
        request=request,
    )


def tenant_access_copy(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    member_id: str,
    colleague_id: str,
    request: HttpRequest | None = None,
) -> AccessResult:
    """Give the member the colleague's tenant access (adding only); owners only.

    The plan is worked out again from the mirror, then sent through the grant and change
    services (one call per ten tenants with the same roles). One entry records the copy as a
    whole beside each call's own entry.
    """
    require(actor, Capability.MANAGE_TENANT_ACCESS)
    member = selectors.member_current(auth_tenant=auth_tenant, member_id=member_id)
    colleague = selectors.member_current(auth_tenant=auth_tenant, member_id=colleague_id)
    if member is None or colleague is None or member.pk == colleague.pk:
        raise ServiceError("Pick a colleague who is a current member of the team.")
    plan = selectors.copy_plan(member=member, colleague=colleague)
    if plan.empty:
        raise ServiceError(
            "Nothing to copy: this member already has all of the colleague's access."
        )
    outcomes: list[TenantOutcome] = []
    calls = 0
    for call, steps in ((tenant_access_grant, plan.add), (tenant_access_change, plan.change)):
        for roles, tenant_ids in _by_roles(steps).items():
            try:
                done = call(
                    actor=actor,
                    auth_tenant=auth_tenant,
                    member_id=member_id,
                    tenant_ids=tenant_ids,
                    roles=roles,
                    request=request,
                )
            except ServiceError as error:
                names = {s.tenant_id: s.tenant_name for s in steps}
                reason = f"Not done: {error.message}"
                outcomes += [outcome(tid, names, ok=False, reason=reason) for tid in tenant_ids]
                continue
            outcomes += done.outcomes
            calls += done.calls
    result = AccessResult(
        kind=AccessKind.GRANT,
        member_id=member_id,
        member_label=selectors.member_label(member, member_id),
        roles=(),
        client_ids=(),
        outcomes=tuple(outcomes),
        calls=calls,
    )
    _record_copy(actor, auth_tenant, result, colleague, request)
    return result


def _by_roles(steps: Sequence[selectors.CopyStep]) -> dict[tuple[str, ...], list[str]]:
    """Tenant ids grouped by the roles they get, so each group is one request."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for step in steps:
        groups.setdefault(step.roles, []).append(step.tenant_id)
    return groups


def _record_copy(
    actor: Any,
    auth_tenant: AuthTenant,
    result: AccessResult,
    colleague: DirectoryMember,
    request: HttpRequest | None,
) -> None:
    done, failed = result.succeeded, result.failed
    audit_outcome = (
        AuditOutcome.SUCCESS
        if not failed
        else AuditOutcome.PARTIAL
        if done
        else AuditOutcome.FAILURE
    )
    audit_record(
        actor=actor,
        auth_tenant=auth_tenant,
        action=AuditAction.TENANT_ACCESS_COPY,
        target_type="member",
        target_id=result.member_id,
        target_label=result.member_label,
        parameters={
            "colleague_id": colleague.member_id,
            "colleague": selectors.member_label(colleague, colleague.member_id),
            "tenant_names": [o.tenant_name for o in done],
            "failed_tenant_names": [o.tenant_name for o in failed],
        },
        outcome=audit_outcome,
        message=result.summary if failed else "",
        request=request,
    )
