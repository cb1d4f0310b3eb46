"""Teams API tenants endpoints (§5 #10-15): list, create, get, delete, tenant members, environments."""

from __future__ import annotations

import secrets
import string
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpResponse

from apps.sandbox import contract, pagination, validation
from apps.sandbox.api.members import team_environments
from apps.sandbox.dispatch import Ctx, now_ms
from apps.sandbox.errors import ApiError, json_response, no_content, validation_error
from apps.sandbox.members import grant
from apps.sandbox.models import SandboxMember, SandboxTenant, SandboxTenantRole

ALNUM_LOWER = string.ascii_lowercase + string.digits
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"


def visible_tenants(ctx: Ctx) -> QuerySet[SandboxTenant]:
    rows = SandboxTenant.objects.filter(team=ctx.team)
    if not ctx.team.private_cloud_enabled:
        rows = rows.filter(private=False)
    return rows


def tenant_json(tenant: SandboxTenant) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tenant_id": tenant.tenant_id,
        "tenant_name": tenant.tenant_name,
        "environment": tenant.environment,
    }
    if tenant.environment_tag and not tenant.private:
        body["environment_tag"] = tenant.environment_tag
    body.update(
        domain=tenant.domain, locality=tenant.locality, created_at=validation.iso(tenant.created_at)
    )
    return body


def get_tenant(ctx: Ctx, tenant_id: str) -> SandboxTenant:
    if not validation.is_uuid(tenant_id):
        raise validation_error("tenantId must be a UUID")
    tenant = visible_tenants(ctx).filter(tenant_id=tenant_id).first()
    if tenant is None:
        raise ApiError(404, "TENANT_NOT_FOUND")
    return tenant


def list_tenants(ctx: Ctx) -> HttpResponse:
    take = pagination.take(ctx.request)
    params = ctx.request.GET
    sort = params.get("sort", contract.TENANT_SORT_DEFAULT)
    if sort not in contract.TENANT_SORTS:
        raise validation_error("sort must match ^created_at:(1|-1)$")
    filters: dict[str, str] = {}
    for name in ("environment", "environment_tag", "locality"):
        if name in params:
            value = params[name]
            if not value:
                raise validation_error(f"{name} must not be empty")
            if name == "environment_tag":
                validation.enum(value, name, contract.ENVIRONMENT_TAGS)
            filters[name] = value
    rows = visible_tenants(ctx).filter(**filters)
    if "environment_tag" in filters:
        rows = rows.filter(private=False)
    ascending = sort == "created_at:1"
    fhash = pagination.filter_hash("tenants", {"team": ctx.team.slug, "sort": sort, **filters})
    raw = pagination.cursor_arg(ctx.request)
    if raw is not None:
        key, last_id = pagination.decode(raw, fhash)
        if key is not None and last_id is not None:
            try:
                when = datetime.fromisoformat(key)
            except ValueError as exc:
                raise validation_error("from: invalid cursor") from exc
            if ascending:
                rows = rows.filter(created_at__gte=when).filter(
                    Q(created_at__gt=when) | Q(created_at=when, tenant_id__gt=last_id)
                )
            else:
                rows = rows.filter(created_at__lte=when).filter(
                    Q(created_at__lt=when) | Q(created_at=when, tenant_id__lt=last_id)
                )
    order = ("created_at", "tenant_id") if ascending else ("-created_at", "-tenant_id")
    page = list(rows.order_by(*order)[: take + 1])
    body: dict[str, Any] = {"tenants": [tenant_json(t) for t in page[:take]]}
    if len(page) > take:
        last = page[take - 1]
        body["next"] = pagination.encode(last.created_at.isoformat(), last.tenant_id, fhash)
    return json_response(body)


def read_tenant(ctx: Ctx, tenant_id: str) -> HttpResponse:
    return json_response(tenant_json(get_tenant(ctx, tenant_id)))


def _tenant_name(data: dict[str, Any]) -> str:
    if "tenant_name" not in data:
        suffix = "".join(
            secrets.choice(ALNUM_LOWER) for _ in range(contract.GENERATED_TENANT_NAME_LENGTH)
        )
        return contract.GENERATED_TENANT_NAME_PREFIX + suffix
    name = data["tenant_name"]
    if (
        not isinstance(name, str)
        or not contract.TENANT_NAME_MIN <= len(name) <= contract.TENANT_NAME_MAX
        or not contract.TENANT_NAME_RE.match(name)
    ):
        raise validation_error(
            "tenant_name must be 3-63 characters matching ^[a-z0-9][-a-z0-9]{1,62}[a-z0-9]$"
        )
    return name


def create_tenant(ctx: Ctx) -> HttpResponse:
    data = validation.json_body(
        ctx.request,
        allowed=("tenant_name", "admin_email", "locality", "environment_tag", "environment"),
        required=("admin_email",),
    )
    is_public, is_private = "locality" in data, "environment" in data
    if is_public == is_private:
        raise validation_error(
            "Exactly one of locality (public cloud) or environment (private cloud) is required"
        )
    if is_private and "environment_tag" in data:
        raise validation_error("environment_tag is not allowed for private cloud tenants")
    name = _tenant_name(data)
    ctx.failure_details.update(tenant_name=name)
    admin_email = validation.email(data, "admin_email")
    team = ctx.team
    if is_public:
        locality = data["locality"]
        if (
            not isinstance(locality, str)
            or not contract.PUBLIC_REGION_MIN <= len(locality) <= contract.PUBLIC_REGION_MAX
        ):
            raise validation_error("locality must be 2-5 characters")
        if locality not in contract.PUBLIC_LOCALITY_ENVIRONMENTS:
            raise validation_error(
                f"locality must be one of: {', '.join(contract.PUBLIC_LOCALITY_ENVIRONMENTS)}"
            )
        tag = validation.enum(
            data.get("environment_tag", contract.DEFAULT_ENVIRONMENT_TAG),
            "environment_tag",
            contract.ENVIRONMENT_TAGS,
        )
        environment = contract.PUBLIC_LOCALITY_ENVIRONMENTS[locality]
        domain = contract.PUBLIC_DOMAIN_TEMPLATE.format(tenant_name=name, locality=locality)
    else:
        environment = data["environment"]
        if (
            not isinstance(environment, str)
            or len(environment) > contract.PRIVATE_ENVIRONMENT_MAX
            or not contract.PRIVATE_ENVIRONMENT_RE.match(environment)
        ):
            raise validation_error(
                "environment must match ^[a-z]([-]?[a-z0-9])*$ (1-32 characters)"
            )
        if not team.private_cloud_enabled:
            raise ApiError(403, "PRIVATE_CLOUD_NOT_ENABLED")
        if environment not in team.private_environments:
            raise ApiError(
                404, "ENVIRONMENT_NOT_FOUND", details=f"Unknown environment: {environment}"
            )
        locality, tag = team.private_environments[environment], ""
        domain = contract.PRIVATE_DOMAIN_TEMPLATE.format(tenant_name=name, environment=environment)
    ctx.failure_details.update(environment=environment)
    admin = SandboxMember.objects.filter(team=team, email__iexact=admin_email).first()
    if admin is None:
        raise ApiError(404, "MEMBER_NOT_FOUND", details=f"{admin_email} is not a team member")
    if SandboxTenant.objects.filter(team=team, tenant_name=name).exists():
        raise ApiError(409, "TENANT_ALREADY_EXISTS")
    if SandboxTenant.objects.filter(team=team).count() >= team.tenant_limit:
        raise ApiError(403, "TENANT_LIMIT_REACHED")
    tenant = SandboxTenant.objects.create(
        team=team,
        tenant_id=str(uuid.uuid4()),
        tenant_name=name,
        environment=environment,
        environment_tag=tag,
        domain=domain,
        locality=locality,
        private=is_private,
        created_at=now_ms(),
    )
    grant(admin, tenant, [contract.TENANT_CREATOR_ROLE], [])
    body = tenant_json(tenant)
    body["management_client"] = {
        "client_name": f"{name} (Teams API)",
        "client_id": "".join(
            secrets.choice(ALNUM) for _ in range(contract.MANAGEMENT_CLIENT_ID_LENGTH)
        ),
        "client_secret": "".join(
            secrets.choice(URLSAFE) for _ in range(contract.MANAGEMENT_CLIENT_SECRET_LENGTH)
        ),
    }
    if is_private:
        body.pop("locality", None)
    ctx.record(
        contract.EVENT_TENANT_CREATED,
        {"tenant_id": tenant.tenant_id, "tenant_name": name, "environment": environment},
    )
    return json_response(body, status=201)


def delete_tenant(ctx: Ctx, tenant_id: str) -> HttpResponse:
    tenant = get_tenant(ctx, tenant_id)
    details = {"tenant_id": tenant.tenant_id, "tenant_name": tenant.tenant_name}
    tenant.delete()
    ctx.record(contract.EVENT_TENANT_DELETED, details)
    return no_content()


def tenant_members(ctx: Ctx, tenant_id: str) -> HttpResponse:
    tenant = get_tenant(ctx, tenant_id)
    take = pagination.take(ctx.request)
    fhash = pagination.filter_hash(
        "tenant-members", {"team": ctx.team.slug, "tenant": tenant.tenant_id}
    )
    rows = (
        SandboxMember.objects.filter(tenant_roles__tenant=tenant).distinct().order_by("member_id")
    )
    raw = pagination.cursor_arg(ctx.request)
    if raw is not None:
        _, last_id = pagination.decode(raw, fhash)
        if last_id is not None:
            rows = rows.filter(member_id__gt=last_id)
    page = list(rows[: take + 1])[: take + 1]
    shown = page[:take]
    roles: dict[int, list[str]] = defaultdict(list)
    for member_pk, role in (
        SandboxTenantRole.objects.filter(tenant=tenant, member__in=shown)
        .order_by("role")
        .values_list("member_id", "role")
    ):
        roles[member_pk].append(role)
    members = [
        {
            "id": m.member_id,
            "name": m.name,
            "email": m.email,
            "roles": roles[m.pk],
            "given_name": m.given_name,
            "family_name": m.family_name,
            "nickname": m.nickname,
        }
        for m in shown
    ]
    body: dict[str, Any] = {"members": members}
    if len(page) > take:
        body["next"] = pagination.encode(None, shown[-1].member_id, fhash)
    return json_response(body)


def environments(ctx: Ctx) -> HttpResponse:
    return json_response({"environments": team_environments(ctx)})
