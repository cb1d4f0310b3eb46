"""Every fact and best guess about the Teams API contract (CONTRACT.md), one line each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class Scope(StrEnum):
    """Token scopes of the Teams API (§4)."""

    READ_TENANTS = "read:tenants"
    CREATE_TENANTS = "create:tenants"
    DELETE_TENANTS = "delete:tenants"
    READ_MEMBERS = "read:members"
    CREATE_MEMBERS = "create:members"  # §4: documented, bound to no endpoint
    DELETE_MEMBERS = "delete:members"
    UPDATE_MEMBERS = "update:members"
    CREATE_INVITATIONS = "create:invitations"
    READ_TEAM_ACTIVITY = "read:team_activity"


class OperationName(StrEnum):
    """The 16 operations of §5, named like the client methods."""

    LIST_MEMBERS = "list_members"
    INVITE_MEMBER = "invite_member"
    GET_MEMBER = "get_member"
    UPDATE_MEMBER = "update_member"
    REMOVE_MEMBER = "remove_member"
    ADD_MEMBER_TENANTS = "add_member_tenants"
    UPDATE_MEMBER_TENANTS = "update_member_tenants"
    REMOVE_MEMBER_TENANTS = "remove_member_tenants"
    LIST_MEMBER_TENANTS = "list_member_tenants"
    LIST_TENANTS = "list_tenants"
    CREATE_TENANT = "create_tenant"
    GET_TENANT = "get_tenant"
    DELETE_TENANT = "delete_tenant"
    LIST_TENANT_MEMBERS = "list_tenant_members"
    LIST_ENVIRONMENTS = "list_environments"
    LIST_ACTIVITY = "list_activity"


@dataclass(frozen=True, slots=True)
class Operation:
    """One endpoint: HTTP method, path template, required scope, retry safety and what it is for."""

    name: OperationName
    method: str
    path: str
    scope: Scope
    idempotent: bool
    feature: str


def _op(
    name: OperationName, method: str, path: str, scope: Scope, idempotent: bool, feature: str
) -> Operation:
    return Operation(name, method, path, scope, idempotent, feature)


_N = OperationName
_S = Scope
# §5 table (method, path) and §4 (scope). POST is never idempotent (§10); PUT/PATCH on member
# tenants and DELETE converge to the same state when repeated, so they are safe to retry.
OPERATIONS: dict[OperationName, Operation] = {
    op.name: op
    for op in (
        _op(_N.LIST_MEMBERS, "GET", "/api/members", _S.READ_MEMBERS, True, "list team members"),
        _op(_N.INVITE_MEMBER, "POST", "/api/members", _S.CREATE_INVITATIONS, False, "invite members"),
        _op(_N.GET_MEMBER, "GET", "/api/members/{id}", _S.READ_MEMBERS, True, "view a member"),
        _op(_N.UPDATE_MEMBER, "PATCH", "/api/members/{id}", _S.UPDATE_MEMBERS, True, "change member roles"),
        _op(_N.REMOVE_MEMBER, "DELETE", "/api/members/{id}", _S.DELETE_MEMBERS, True, "remove members"),
        _op(_N.ADD_MEMBER_TENANTS, "PUT", "/api/members/{id}/tenants", _S.UPDATE_MEMBERS, True, "grant tenant access"),
        _op(_N.UPDATE_MEMBER_TENANTS, "PATCH", "/api/members/{id}/tenants", _S.UPDATE_MEMBERS, True, "change tenant access"),
        _op(_N.REMOVE_MEMBER_TENANTS, "DELETE", "/api/members/{id}/tenants", _S.UPDATE_MEMBERS, True, "revoke tenant access"),
        _op(_N.LIST_MEMBER_TENANTS, "GET", "/api/members/{id}/tenants/{environment}", _S.READ_MEMBERS, True, "view a member's tenant access"),
        _op(_N.LIST_TENANTS, "GET", "/api/tenants", _S.READ_TENANTS, True, "list tenants"),
        _op(_N.CREATE_TENANT, "POST", "/api/tenants", _S.CREATE_TENANTS, False, "create tenants"),
        _op(_N.GET_TENANT, "GET", "/api/tenants/{tenant_id}", _S.READ_TENANTS, True, "view a tenant"),
        _op(_N.DELETE_TENANT, "DELETE", "/api/tenants/{tenant_id}", _S.DELETE_TENANTS, True, "delete tenants"),
        _op(_N.LIST_TENANT_MEMBERS, "GET", "/api/tenants/{tenant_id}/members", _S.READ_MEMBERS, True, "list a tenant's members"),
        _op(_N.LIST_ENVIRONMENTS, "GET", "/api/environments", _S.READ_MEMBERS, True, "list environments"),  # §4: read:members, not read:tenants
        _op(_N.LIST_ACTIVITY, "GET", "/api/activity/logs", _S.READ_TEAM_ACTIVITY, True, "sync the activity log"),
    )
}  # fmt: skip


class TeamRole(StrEnum):
    """Team roles (§7 TeamMemberRoleEnum; open: unknown values are shown verbatim)."""

    OWNER = "teams_owner"
    CONTRIBUTOR = "teams_contributor"
    REPORT_VIEWER = "teams_report_viewer"
    TENANT_MANAGER = "teams_tenant_manager"  # §7: new in EA


class TenantRole(StrEnum):
    """Tenant dashboard roles (§7 TenantMemberRoleEnum; open)."""

    OWNER = "owner"
    EDITOR_CONNECTIONS = "editor-connections"
    EDITOR_USERS = "editor-users"
    EDITOR_SPECIFIC_APPS = "editor-specific-apps"  # §6: the only role that carries client_ids
    EDITOR_ORGANIZATIONS = "editor-organizations"
    VIEWER_CONFIG = "viewer-config"
    VIEWER_USERS = "viewer-users"
    SUPPORT_ACCESS = "support-access"  # §7: deprecated
    ELEVATED_SUPPORT_ACCESS = "elevated-support-access"
    EDITOR_KMS = "editor-kms"


# §7 and the role notes after it: the names people read; slugs appear only in exports.
TEAM_ROLE_LABELS: dict[str, str] = {
    TeamRole.OWNER: "Team owner",
    TeamRole.TENANT_MANAGER: "Tenant manager",
    TeamRole.REPORT_VIEWER: "Report viewer",
    TeamRole.CONTRIBUTOR: "Contributor",
}
TENANT_ROLE_LABELS: dict[str, str] = {
    TenantRole.OWNER: "Admin",
    TenantRole.EDITOR_CONNECTIONS: "Editor – Connections",
    TenantRole.EDITOR_USERS: "Editor – Users",
    TenantRole.EDITOR_SPECIFIC_APPS: "Editor – Specific apps",
    TenantRole.EDITOR_ORGANIZATIONS: "Editor – Organizations",
    TenantRole.VIEWER_CONFIG: "Viewer – Config settings",
    TenantRole.VIEWER_USERS: "Viewer – Users",
    TenantRole.SUPPORT_ACCESS: "Support access (deprecated)",
    TenantRole.ELEVATED_SUPPORT_ACCESS: "Elevated support access",
    TenantRole.EDITOR_KMS: "Editor – Key management",
}


# §5.1 (2) [guess]: the contract states no invitation lifetime; Auth0's other invitations (e.g.
# Organizations) default to 7 days. TEAMSADMIN_INVITATION_EXPIRY_DAYS overrides this default.
INVITATION_LIFETIME_DAYS = 7


def role_label(role: str) -> str:
    """A team or tenant role as people read it; an unknown role (§7: open enums) verbatim."""
    return TEAM_ROLE_LABELS.get(role) or TENANT_ROLE_LABELS.get(role) or role


class EnvironmentTag(StrEnum):
    """Tenant environment tags (§7 EnvironmentTypeEnum; open)."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"
    STAGING = "staging"


class ActivityType(StrEnum):
    """Activity log event types (§7 ActivityLogEventTypeEnum; open)."""

    TEAM_MEMBER = "Team Member"
    TEAM_INVITATION = "Team Invitation"
    SECURITY_POLICY = "Security Policy"
    TEAM_SETTINGS = "Team Settings"
    TOKEN_ACTIVITY = "Token Activity"  # noqa: S105 - an event type, not a secret
    TENANT_ACTIVITY = "Tenant Activity"
    TENANT_MEMBER = "Tenant Member"
    TEAM_ACTIVITY = "Team Activity"
    M2M_ACTIVITY = "Teams API M2M Activity"


class ActivityStatus(StrEnum):
    """Activity log outcome (§7 ActivityLogStatusEnum; open)."""

    SUCCESS = "Success"
    FAILURE = "Failure"


class ActivityEventName(StrEnum):
    """`current_event` of the entries the API's own writes leave (§6 "Activity content"
    [inferred]: the names are not documented; others are displayed verbatim)."""

    MEMBER_INVITED = "member_invited"
    MEMBER_ROLE_UPDATED = "member_role_updated"
    MEMBER_DELETED = "member_deleted"
    TENANT_CREATED = "tenant_created"
    TENANT_DELETED = "tenant_deleted"
    TENANT_MEMBER_ADDED = "tenant_member_added"
    TENANT_MEMBER_UPDATED = "tenant_member_updated"
    TENANT_MEMBER_REMOVED = "tenant_member_removed"


class Subject(StrEnum):
    """What a value in an activity entry's `details` names."""

    MEMBER = "member"
    TENANT = "tenant"
    TENANT_NAME = "tenant_name"
    EMAIL = "email"


# §6 "Activity content" [inferred: `details` is free-form]: the keys that name who or what an
# entry is about. A key holds one value or a list of them. The Activity page's target filter
# matches exactly these keys' values.
DETAIL_SUBJECTS: dict[str, Subject] = {
    "member_id": Subject.MEMBER,
    "tenant_id": Subject.TENANT,
    "tenant_ids": Subject.TENANT,
    "tenant_name": Subject.TENANT_NAME,
    "email": Subject.EMAIL,
}


def detail_values(details: object, subject: Subject) -> list[str]:
    """The values an entry's `details` gives for `subject`, in key order, each once."""
    if not isinstance(details, dict):
        return []
    found: list[str] = []
    for key, value in details.items():
        if DETAIL_SUBJECTS.get(key) is not subject:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item and item not in found:
                found.append(item)
    return found


class ActorType(StrEnum):
    """Who acted (§7 ActivityLogActorTypeEnum; open)."""

    USER = "user"
    MACHINE = "machine"


ACTOR_TYPE_LABELS: dict[str, str] = {
    ActorType.USER: "Person",
    ActorType.MACHINE: "Application (machine to machine)",
}


# §5.1 (11) [inferred except us/eu]: public-cloud locality -> environment id.
LOCALITY_ENVIRONMENT: dict[str, str] = {
    "us": "US-3",
    "eu": "EU-1",
    "au": "AU-1",
    "jp": "JP-1",
    "ca": "CA-1",
    "uk": "UK-1",
}
PUBLIC_LOCALITIES = tuple(LOCALITY_ENVIRONMENT)  # §7 PublicCloudRegion
DEFAULT_ENVIRONMENT_TAG = EnvironmentTag.DEVELOPMENT  # §5.1 (11): public payload default

PAGE_SIZE_MAX = 50  # §8.1: take is 1..50, default 50
CURSOR_PARAM = "from"  # §8.1: opaque cursor = previous page's `next`
NEXT_FIELD = "next"  # §8.1: missing, null or "" all mean "last page"
TENANTS_SORT_NEWEST_FIRST = "created_at:-1"  # §8.2: the default sort
TENANTS_SORT_OLDEST_FIRST = "created_at:1"  # §8.2
BULK_TENANTS_MAX = 10  # §5.1 (6-8): at most 10 tenants per member-tenant call
MAX_PAGES = 10_000  # guard, not contract: a looping cursor must not hang a worker

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # §3: clients send RFC 3339 UTC with Z

AUTH0_DEFAULT_TOKEN_LIFETIME = 86400  # §2.2: Auth0's default API token lifetime
DEFAULT_EXPIRES_IN = 3600  # §2.2: the SDK assumes 3600 s when expires_in is absent
SDK_EXPIRY_SKEW_SECONDS = 10  # §2.5; ours is settings.TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS
TOKEN_ALGORITHM = "RS256"  # noqa: S105 - §2.4
TOKEN_GRANT_TYPE = "client_credentials"  # noqa: S105 - §2.1

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})  # §10: retry 408, 429 and 5xx
RATE_LIMIT_REMAINING = "X-RateLimit-Remaining"  # §10
RATE_LIMIT_RESET = "X-RateLimit-Reset"  # §10: UNIX epoch seconds
RETRY_AFTER = "Retry-After"  # §10: seconds, on 429 [inferred]

CLIENT_NAME = "TeamsAdmin"  # §3: sent in User-Agent and the Auth0-Client telemetry header


TOKEN_PATH = "/oauth/token"  # noqa: S105 - §1 table: appended to the Auth Tenant's base URL
JWKS_PATH = "/.well-known/jwks.json"  # §1 table


def auth_base_url_for(domain: str) -> str:
    """Where an Auth Tenant serves TOKEN_PATH and JWKS_PATH (§1)."""
    return f"https://{domain}"


def audience_for(team_slug: str) -> str:
    """The token audience of a team's Teams API (§1: note the trailing slash)."""
    return f"https://{team_slug}.teams.auth0.com/api/"


def api_base_url_for(team_slug: str) -> str:
    """The Teams API base URL of a team (§1); paths in OPERATIONS start with /api/."""
    return f"https://{team_slug}.teams.auth0.com"


def issuer_for(domain: str) -> str:
    """The `iss` claim an Auth Tenant puts in its tokens (§2.4: trailing slash)."""
    return f"https://{domain}/"


def format_datetime(value: datetime) -> str:
    """A datetime as the API expects it in query strings (§3): UTC with Z, whole seconds."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(DATETIME_FORMAT)


def parse_datetime(value: object) -> datetime | None:
    """An API datetime as aware UTC (§3: fractional seconds optional); None when absent or invalid."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
