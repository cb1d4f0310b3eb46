"""Teams API members endpoints (§5 #1-9): list, invite, get, role change, remove, tenant access."""

from __future__ import annotations

import secrets
from collections import defaultdict
from typing import Any

from django.http import HttpResponse

from apps.sandbox import contract, pagination, validation
from apps.sandbox.dispatch import Ctx, now_ms
from apps.sandbox.errors import ApiError, json_response, no_content, validation_error
from apps.sandbox.members import grant, member_json
from apps.sandbox.models import SandboxInvitation, SandboxMember, SandboxTenant, SandboxTenantRole


def get_member(ctx: Ctx, member_id: str) -> SandboxMember:
    if not member_id or len(member_id) > contract.MEMBER_ID_MAX:
        raise validation_error("id must be 1-1024 characters")
    member = SandboxMember.objects.filter(team=ctx.team, member_id=member_id).first()
    if member is None:
        raise ApiError(404, "MEMBER_NOT_FOUND")
    return member


def list_members(ctx: Ctx) -> HttpResponse:
    take = pagination.take(ctx.request)
    fhash = pagination.filter_hash("members", {"team": ctx.team.slug})
    raw = pagination.cursor_arg(ctx.request)
    rows = SandboxMember.objects.filter(team=ctx.team).order_by("member_id")
    if raw is not None:
        _, last_id = pagination.decode(raw, fhash)
        if last_id is not None:
            rows = rows.filter(member_id__gt=last_id)
    page = list(rows[: take + 1])
    body: dict[str, Any] = {"members": [member_json(m) for m in page[:take]]}
    if len(page) > take:
        body["next"] = pagination.encode(None, page[take - 1].member_id, fhash)
    return json_response(body)


def invite_member(ctx: Ctx) -> HttpResponse:
    data = validation.json_body(
        ctx.request,
        allowed=("email", "role", "tenant_ids", "tenant_roles", "client_ids"),
        required=("email", "role"),
    )
    email = validation.email(data, "email")
    ctx.failure_details.update(email=email)
    role = validation.enum(data["role"], "role", contract.TEAM_ROLES)
    ctx.failure_details.update(role=role)
    tenant_ids = validation.uuid_list(data, "tenant_ids")
    tenant_roles = validation.role_list(data, "tenant_roles")
    client_ids = validation.client_id_list(data, "client_ids")
    if ("tenant_ids" in data or "tenant_roles" in data) and not (tenant_ids and tenant_roles):
        raise validation_error(
            "tenant_ids and tenant_roles must be given together and be non-empty"
        )
    validation.roles_and_clients(tenant_roles, client_ids)
    known = set(
        SandboxTenant.objects.filter(team=ctx.team, tenant_id__in=tenant_ids).values_list(
            "tenant_id", flat=True
        )
    )
    unknown = [t for t in tenant_ids if t not in known]
    if unknown:
        raise ApiError(404, "TENANT_NOT_FOUND", details=f"Unknown tenant: {unknown[0]}")
    if SandboxMember.objects.filter(team=ctx.team, email__iexact=email).exists():
        raise ApiError(400, "MEMBER_ALREADY_EXISTS", details=f"{email} is already a member")
    SandboxInvitation.objects.filter(team=ctx.team, email__iexact=email).delete()
    invitation = SandboxInvitation.objects.create(
        team=ctx.team,
        invitation_id=contract.INVITATION_ID_PREFIX + secrets.token_hex(10),
        email=email,
        role=role,
        tenant_ids=tenant_ids,
        tenant_roles=tenant_roles,
        client_ids=client_ids,
        created_at=now_ms(),
    )
    body: dict[str, Any] = {"id": invitation.invitation_id, "email": email, "role": role}
    details: dict[str, Any] = {"email": email, "role": role}
    if tenant_ids:
        body.update(tenant_ids=tenant_ids, tenant_roles=tenant_roles)
        details.update(tenant_ids=tenant_ids, tenant_roles=tenant_roles)
    if client_ids:
        body["client_ids"] = client_ids
    ctx.record(contract.EVENT_INVITE, details)
    return json_response(body, status=201)


def read_member(ctx: Ctx, member_id: str) -> HttpResponse:
    return json_response(member_json(get_member(ctx, member_id)))


def _other_owners(ctx: Ctx, member: SandboxMember) -> bool:
    return (
        SandboxMember.objects.filter(team=ctx.team, role=contract.OWNER_ROLE)
        .exclude(pk=member.pk)
        .exists()
    )


def update_member(ctx: Ctx, member_id: str) -> HttpResponse:
    data = validation.json_body(ctx.request, allowed=("role",), required=("role",))
    role = validation.enum(data["role"], "role", contract.TEAM_ROLES)
    member = get_member(ctx, member_id)
    if (
        member.role == contract.OWNER_ROLE
        and role != contract.OWNER_ROLE
        and not _other_owners(ctx, member)
    ):
        raise ApiError(400, "LAST_OWNER")
    previous = member.role
    member.role = role
    member.save(update_fields=["role"])
    ctx.record(
        contract.EVENT_ROLE_UPDATED,
        {"member_id": member.member_id, "from_role": previous, "to_role": role},
    )
    return json_response(member_json(member))


def delete_member(ctx: Ctx, member_id: str) -> HttpResponse:
    member = get_member(ctx, member_id)
    if member.role == contract.OWNER_ROLE and not _other_owners(ctx, member):
        raise ApiError(400, "LAST_OWNER")
    details = {"member_id": member.member_id, "email": member.email}
    member.delete()
    ctx.record(contract.EVENT_MEMBER_DELETED, details)
    return no_content()


def _bulk_reply(
    success: list[dict[str, Any]], failure: list[dict[str, Any]], total: int
) -> HttpResponse:
    if not failure:
        return no_content()
    return json_response(
        {
            "status_code": 200,
            "message": contract.BULK_PARTIAL_MESSAGE,
            "summary": {
                "total_count": total,
                "success_count": total - len(failure),
                "failure_count": len(failure),
            },
            "success": success,
            "failure": failure,
        }
    )


def _failure(tenant_id: str, reason: tuple[int, str, str]) -> dict[str, Any]:
    status, type_, title = reason
    return {"tenant_id": tenant_id, "status": status, "title": title, "type": type_}


def _tenant_access_body(
    ctx: Ctx, *, allow_delete: bool = False
) -> tuple[list[str], list[str], list[str]]:
    if allow_delete:
        data = validation.json_body(ctx.request, allowed=("tenants",), required=("tenants",))
        tenants = validation.uuid_list(
            data, "tenants", min_items=1, max_items=contract.BULK_MAX_TENANTS
        )
        return tenants, [], []
    data = validation.json_body(
        ctx.request, allowed=("tenants", "roles", "client_ids"), required=("tenants", "roles")
    )
    tenants = validation.uuid_list(
        data, "tenants", min_items=1, max_items=contract.BULK_MAX_TENANTS
    )
    roles = validation.role_list(data, "roles", min_items=1)
    client_ids = validation.client_id_list(data, "client_ids")
    validation.roles_and_clients(roles, client_ids)
    return tenants, roles, client_ids


def _accessible(member: SandboxMember) -> set[str]:
    return set(
        SandboxTenantRole.objects.filter(member=member).values_list("tenant__tenant_id", flat=True)
    )


def _team_tenants(ctx: Ctx, tenant_ids: list[str]) -> dict[str, SandboxTenant]:
    return {
        t.tenant_id: t
        for t in SandboxTenant.objects.filter(team=ctx.team, tenant_id__in=tenant_ids)
    }


def _success_item(tenant_id: str, roles: list[str], client_ids: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"tenant_id": tenant_id, "roles": roles}
    if client_ids:
        item["client_ids"] = client_ids
    return item


def add_member_tenants(ctx: Ctx, member_id: str) -> HttpResponse:
    tenant_ids, roles, client_ids = _tenant_access_body(ctx)
    member = get_member(ctx, member_id)
    tenants, accessible = _team_tenants(ctx, tenant_ids), _accessible(member)
    success, failure = [], []
    for tenant_id in dict.fromkeys(tenant_ids):
        details = {"member_id": member.member_id, "tenant_id": tenant_id, "roles": roles}
        tenant = tenants.get(tenant_id)
        reason = (
            contract.BULK_NOT_IN_TEAM
            if tenant is None
            else (contract.BULK_ALREADY_ADDED if tenant_id in accessible else None)
        )
        if reason is not None or tenant is None:
            failure.append(_failure(tenant_id, reason or contract.BULK_NOT_IN_TEAM))
            ctx.record(
                contract.EVENT_ACCESS_ADDED,
                {**details, "error": failure[-1]["type"]},
                status="Failure",
            )
            continue
        grant(member, tenant, roles, client_ids)
        success.append(_success_item(tenant_id, roles, client_ids))
        ctx.record(contract.EVENT_ACCESS_ADDED, details)
    return _bulk_reply(success, failure, len(success) + len(failure))


def update_member_tenants(ctx: Ctx, member_id: str) -> HttpResponse:
    tenant_ids, roles, client_ids = _tenant_access_body(ctx)
    if client_ids and len(tenant_ids) > 1:
        raise validation_error("tenants must hold at most 1 item when client_ids is non-empty")
    member = get_member(ctx, member_id)
    tenants, accessible = _team_tenants(ctx, tenant_ids), _accessible(member)
    success, failure = [], []
    for tenant_id in dict.fromkeys(tenant_ids):
        details = {"member_id": member.member_id, "tenant_id": tenant_id, "roles": roles}
        tenant = tenants.get(tenant_id)
        if tenant is None or tenant_id not in accessible:
            reason = contract.BULK_NOT_IN_TEAM if tenant is None else contract.BULK_NO_ACCESS
            failure.append(_failure(tenant_id, reason))
            ctx.record(
                contract.EVENT_ACCESS_UPDATED, {**details, "error": reason[1]}, status="Failure"
            )
            continue
        SandboxTenantRole.objects.filter(member=member, tenant=tenant).delete()
        grant(member, tenant, roles, client_ids)
        success.append(_success_item(tenant_id, roles, client_ids))
        ctx.record(contract.EVENT_ACCESS_UPDATED, details)
    return _bulk_reply(success, failure, len(success) + len(failure))


def remove_member_tenants(ctx: Ctx, member_id: str) -> HttpResponse:
    tenant_ids, _, _ = _tenant_access_body(ctx, allow_delete=True)
    member = get_member(ctx, member_id)
    tenants, accessible = _team_tenants(ctx, tenant_ids), _accessible(member)
    removed: list[str] = []
    failure = []
    for tenant_id in dict.fromkeys(tenant_ids):
        details = {"member_id": member.member_id, "tenant_id": tenant_id}
        tenant = tenants.get(tenant_id)
        if tenant is None or tenant_id not in accessible:
            reason = contract.BULK_NOT_IN_TEAM if tenant is None else contract.BULK_NO_ACCESS
            failure.append(_failure(tenant_id, reason))
            ctx.record(
                contract.EVENT_ACCESS_REMOVED, {**details, "error": reason[1]}, status="Failure"
            )
            continue
        SandboxTenantRole.objects.filter(member=member, tenant=tenant).delete()
        removed.append(tenant_id)
        ctx.record(contract.EVENT_ACCESS_REMOVED, details)
    success = [{"tenant_ids": removed}] if removed else []
    return _bulk_reply(success, failure, len(removed) + len(failure))


def team_environments(ctx: Ctx) -> list[str]:
    """Environments where the team has visible tenants (§5.1 #15)."""
    rows = SandboxTenant.objects.filter(team=ctx.team)
    if not ctx.team.private_cloud_enabled:
        rows = rows.filter(private=False)
    return sorted(set(rows.values_list("environment", flat=True)))


def member_tenants(ctx: Ctx, member_id: str, environment: str) -> HttpResponse:
    member = get_member(ctx, member_id)
    if not environment:
        raise validation_error("environment must not be empty")
    if environment not in team_environments(ctx):
        raise ApiError(404, "ENVIRONMENT_NOT_FOUND", details=f"Unknown environment: {environment}")
    roles = (
        SandboxTenantRole.objects.filter(member=member, tenant__environment=environment)
        .select_related("tenant")
        .order_by("tenant__created_at", "tenant__tenant_id", "role")
    )
    grouped: dict[str, dict[str, Any]] = {}
    assignments: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in roles:
        tenant = row.tenant
        grouped.setdefault(
            tenant.tenant_id, {"tenant_id": tenant.tenant_id, "domain": tenant.domain}
        )
        assignment: dict[str, Any] = {"role": row.role}
        if row.role == contract.SPECIFIC_APPS_ROLE:
            assignment["client_ids"] = list(row.client_ids)
        assignments[tenant.tenant_id].append(assignment)
    items = [{**item, "roles": assignments[tid]} for tid, item in grouped.items()]
    return json_response({"environment": environment, "tenants": items})
