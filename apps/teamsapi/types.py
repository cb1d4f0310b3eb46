"""Frozen dataclasses for Teams API objects, parsed tolerantly (unknown fields, open enums, nulls)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from apps.teamsapi.contract import parse_datetime
from apps.teamsapi.errors import TeamsApiBadResponse

T = TypeVar("T")
U = TypeVar("U")


def _obj(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise TeamsApiBadResponse(f"The Teams API sent a {what} that is not a JSON object.")
    return data


def _str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    """A string field; null, missing or non-string values become the default (§3: tolerate null)."""
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return default


def _required_str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = _str(data, key)
    if not value:
        raise TeamsApiBadResponse(f"The Teams API sent a {what} without `{key}`.")
    return value


def _str_list(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, str | int)]


def _int(value: object, default: int = 0) -> int:
    """An integer that may arrive as a string (§9.1: SDK types `status` as str)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One HTTP page of a paginated list; `next` is the cursor of the following page, or None."""

    items: list[T]
    next: str | None

    def map(self, parse: Callable[[T], U]) -> Page[U]:
        """The same page with each item passed through `parse`."""
        return Page(items=[parse(item) for item in self.items], next=self.next)


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """The API's error body (§9.1); `type` falls back to the beta spec's `code`."""

    status: int
    type: str
    title: str
    details: str

    @classmethod
    def from_api(cls, data: object, *, http_status: int) -> Self:
        body = data if isinstance(data, Mapping) else {}
        details = body.get("details")
        if not isinstance(details, str):
            details = "" if details is None else str(details)
        return cls(
            status=_int(body.get("status"), http_status) or http_status,
            type=_str(body, "type") or _str(body, "code"),
            title=_str(body, "title") or _str(body, "message"),
            details=details,
        )


@dataclass(frozen=True, slots=True)
class Person:
    """Who a member is (§6): the fields TeamMember and TenantMember share."""

    id: str
    name: str
    given_name: str
    family_name: str
    nickname: str
    email: str

    @classmethod
    def _parse(cls, d: Mapping[str, Any], what: str, **own: Any) -> Self:
        """The shared fields from `d`, plus the subclass's `own` fields."""
        return cls(
            id=_required_str(d, "id", what),
            name=_str(d, "name"),
            given_name=_str(d, "given_name"),
            family_name=_str(d, "family_name"),
            nickname=_str(d, "nickname"),
            email=_str(d, "email"),
            **own,
        )

    @property
    def display_name(self) -> str:
        return (
            self.name or " ".join(p for p in (self.given_name, self.family_name) if p) or self.email
        )


@dataclass(frozen=True, slots=True)
class TeamMember(Person):
    """A team member: identity and team role (§6 TeamMember); `role` may be an unknown string."""

    role: str

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "member")
        return cls._parse(d, "member", role=_str(d, "role"))


@dataclass(frozen=True, slots=True)
class Invitation:
    """An invitation created by invite_member (§5.1 (2)); `id` is an invitation id, not a member id."""

    id: str
    email: str
    role: str
    tenant_ids: list[str]
    tenant_roles: list[str]
    client_ids: list[str]

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "invitation")
        return cls(
            id=_str(d, "id"),
            email=_str(d, "email"),
            role=_str(d, "role"),
            tenant_ids=_str_list(d, "tenant_ids"),
            tenant_roles=_str_list(d, "tenant_roles"),
            client_ids=_str_list(d, "client_ids"),
        )


@dataclass(frozen=True, slots=True)
class Tenant:
    """A tenant of the team (§6 TenantItem); `environment_tag` and `created_at` may be absent."""

    tenant_id: str
    tenant_name: str
    environment: str
    environment_tag: str
    domain: str
    locality: str
    created_at: datetime | None

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "tenant")
        return cls(
            tenant_id=_required_str(d, "tenant_id", "tenant"),
            tenant_name=_str(d, "tenant_name"),
            environment=_str(d, "environment"),
            environment_tag=_str(d, "environment_tag"),
            domain=_str(d, "domain"),
            locality=_str(d, "locality"),
            created_at=parse_datetime(d.get("created_at")),
        )


@dataclass(frozen=True, slots=True)
class ManagementClient:
    """Credentials of the M2M app on a new tenant (§5.1 (11)); returned once, never again."""

    client_name: str
    client_id: str
    client_secret: str = field(repr=False)

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = data if isinstance(data, Mapping) else {}
        return cls(
            client_name=_str(d, "client_name"),
            client_id=_str(d, "client_id"),
            client_secret=_str(d, "client_secret"),
        )


@dataclass(frozen=True, slots=True)
class CreatedTenant:
    """The reply to create_tenant: the tenant plus its one-time management client credentials."""

    tenant: Tenant
    management_client: ManagementClient

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "tenant")
        return cls(
            tenant=Tenant.from_api(d),
            management_client=ManagementClient.from_api(d.get("management_client")),
        )


@dataclass(frozen=True, slots=True)
class TenantMember(Person):
    """A member with access to one tenant and their tenant roles (§6 TenantMember)."""

    roles: list[str]

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "tenant member")
        return cls._parse(d, "tenant member", roles=_str_list(d, "roles"))


@dataclass(frozen=True, slots=True)
class TenantRoleAssignment:
    """One tenant role, with client ids only for editor-specific-apps (§6)."""

    role: str
    client_ids: list[str]


@dataclass(frozen=True, slots=True)
class MemberTenantItem:
    """A tenant a member can access in one environment, with their roles there (§6)."""

    tenant_id: str
    domain: str
    roles: list[TenantRoleAssignment]

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "member tenant")
        roles: list[TenantRoleAssignment] = []
        for item in _list(d, "roles"):
            if isinstance(item, Mapping):
                roles.append(
                    TenantRoleAssignment(_str(item, "role"), _str_list(item, "client_ids"))
                )
            elif isinstance(item, str):
                roles.append(TenantRoleAssignment(item, []))
        return cls(tenant_id=_str(d, "tenant_id"), domain=_str(d, "domain"), roles=roles)


@dataclass(frozen=True, slots=True)
class MemberTenants:
    """A member's tenant access in one environment (§5.1 (9))."""

    environment: str
    tenants: list[MemberTenantItem]

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "member tenant list")
        return cls(
            environment=_str(d, "environment"),
            tenants=[MemberTenantItem.from_api(item) for item in _list(d, "tenants")],
        )


@dataclass(frozen=True, slots=True)
class BulkFailure:
    """One tenant a bulk member-tenant call could not change (§6 MembersTenantsFailureItem)."""

    tenant_id: str
    status: int
    title: str
    type: str


@dataclass(frozen=True, slots=True)
class BulkResult:
    """Outcome of a member-tenant bulk call (§5.1 (6-8)): 204 means all succeeded, 200 lists failures."""

    total_count: int
    success_count: int
    failure_count: int
    succeeded_tenant_ids: list[str]
    failures: list[BulkFailure]
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures and self.failure_count == 0

    @classmethod
    def all_succeeded(cls, tenant_ids: list[str]) -> Self:
        return cls(len(tenant_ids), len(tenant_ids), 0, list(tenant_ids), [])

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "bulk result")
        succeeded: list[str] = []
        for item in _list(d, "success"):
            if isinstance(item, Mapping):
                if "tenant_id" in item:
                    succeeded.append(_str(item, "tenant_id"))
                succeeded.extend(_str_list(item, "tenant_ids"))  # §6: DELETE's shape
        failures = [
            BulkFailure(
                tenant_id=_str(item, "tenant_id"),
                status=_int(item.get("status")),
                title=_str(item, "title"),
                type=_str(item, "type") or _str(item, "code"),
            )
            for item in _list(d, "failure")
            if isinstance(item, Mapping)
        ]
        summary = d.get("summary")
        s = summary if isinstance(summary, Mapping) else {}
        return cls(
            total_count=_int(s.get("total_count"), len(succeeded) + len(failures)),
            success_count=_int(s.get("success_count"), len(succeeded)),
            failure_count=_int(s.get("failure_count"), len(failures)),
            succeeded_tenant_ids=succeeded,
            failures=failures,
            message=_str(d, "message"),
        )


@dataclass(frozen=True, slots=True)
class ActivityActor:
    """Who caused an activity entry (§6 ActivityLogActor: camelCase `isMember`/`teamRole` on the wire)."""

    id: str
    type: str
    name: str
    picture: str
    is_member: bool | None
    team_role: str

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = data if isinstance(data, Mapping) else {}
        is_member = d.get("isMember", d.get("is_member"))
        return cls(
            id=_str(d, "id"),
            type=_str(d, "type"),
            name=_str(d, "name"),
            picture=_str(d, "picture"),
            is_member=is_member if isinstance(is_member, bool) else None,
            team_role=_str(d, "teamRole") or _str(d, "team_role"),
        )


@dataclass(frozen=True, slots=True)
class ActivityLogEntry:
    """One activity log entry (§6); `type` and `status` may hold values newer than our enums."""

    id: str
    type: str
    status: str
    current_event: str
    created_at: datetime
    actor: ActivityActor
    details: dict[str, Any]
    ip: str
    hostname: str
    user_agent: str
    version: str

    @classmethod
    def from_api(cls, data: object) -> Self:
        d = _obj(data, "activity entry")
        created_at = parse_datetime(d.get("created_at"))
        if created_at is None:
            raise TeamsApiBadResponse("The Teams API sent an activity entry without a valid date.")
        details = d.get("details")
        return cls(
            id=_required_str(d, "id", "activity entry"),
            type=_str(d, "type"),
            status=_str(d, "status"),
            current_event=_str(d, "current_event"),
            created_at=created_at,
            actor=ActivityActor.from_api(d.get("actor")),
            details=dict(details) if isinstance(details, Mapping) else {},
            ip=_str(d, "ip"),
            hostname=_str(d, "hostname"),
            user_agent=_str(d, "user_agent"),
            version=_str(d, "version"),
        )
