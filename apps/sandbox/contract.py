"""Every fact and guess the sandbox takes from the Teams API contract, in one place."""

from __future__ import annotations

import re

# §1 audience: note the trailing slash
AUDIENCE_TEMPLATE = "https://{team_slug}.teams.auth0.com/api/"
# §1 / §2.4 issuer: the Auth Tenant domain with a trailing slash
ISSUER_TEMPLATE = "https://{domain}/"
# §1 [inferred] team slug is a DNS label
TEAM_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

# §4 the nine documented scopes
SCOPES = (
    "read:tenants",
    "create:tenants",
    "delete:tenants",
    "read:members",
    "create:members",
    "delete:members",
    "update:members",
    "create:invitations",
    "read:team_activity",
)
# §4 / §5 the read-only demo client's grant [inferred: the read scopes the dashboard needs]
READONLY_SCOPES = ("read:tenants", "read:members", "read:team_activity")

# §2.2 default token lifetime in seconds
DEFAULT_EXPIRES_IN = 86400
# §2.4 only RS256 is accepted
JWT_ALG = "RS256"
# §2.4 [inferred] grant type claim
GTY = "client-credentials"
# §2.1 the only grant type
GRANT_TYPE = "client_credentials"

# §7 TeamMemberRoleEnum
TEAM_ROLES = ("teams_owner", "teams_contributor", "teams_report_viewer", "teams_tenant_manager")
# §5.1 #4/#5 [inferred] the role that must never disappear from a team
OWNER_ROLE = "teams_owner"
# §7 TenantMemberRoleEnum
TENANT_ROLES = (
    "owner",
    "editor-connections",
    "editor-users",
    "editor-specific-apps",
    "editor-organizations",
    "viewer-config",
    "viewer-users",
    "support-access",
    "elevated-support-access",
    "editor-kms",
)
# §5.1 #6-8 the role that carries client_ids
SPECIFIC_APPS_ROLE = "editor-specific-apps"
# §5.1 #11 [inferred] the admin_email member's role on a new tenant
TENANT_CREATOR_ROLE = "owner"
# §7 EnvironmentTypeEnum
ENVIRONMENT_TAGS = ("development", "production", "staging")
# §5.1 #11 environment_tag default for public tenants
DEFAULT_ENVIRONMENT_TAG = "development"
# §7 ActivityLogEventTypeEnum
ACTIVITY_TYPES = (
    "Team Member",
    "Team Invitation",
    "Security Policy",
    "Team Settings",
    "Token Activity",
    "Tenant Activity",
    "Tenant Member",
    "Team Activity",
    "Teams API M2M Activity",
)
# §7 ActivityLogStatusEnum
ACTIVITY_STATUSES = ("Success", "Failure")
# §6 [inferred] event schema version sent on every entry
ACTIVITY_VERSION = "1.0"

# §5.1 #11 [inferred except us/eu] public locality -> environment
PUBLIC_LOCALITY_ENVIRONMENTS = {
    "us": "US-3",
    "eu": "EU-1",
    "au": "AU-1",
    "jp": "JP-1",
    "ca": "CA-1",
    "uk": "UK-1",
}
# §5.1 #11 [inferred] domain templates
PUBLIC_DOMAIN_TEMPLATE = "{tenant_name}.{locality}.auth0.com"
PRIVATE_DOMAIN_TEMPLATE = "{tenant_name}.{environment}.auth0app.com"
# §5.1 #11 [inferred] generated tenant name: "dev-" + 12 lowercase alphanumerics
GENERATED_TENANT_NAME_PREFIX = "dev-"
GENERATED_TENANT_NAME_LENGTH = 12
# §5.1 #11 [inferred] management client credential sizes
MANAGEMENT_CLIENT_ID_LENGTH = 32
MANAGEMENT_CLIENT_SECRET_LENGTH = 64
# §6 identifier patterns
TENANT_NAME_RE = re.compile(r"^[a-z0-9][-a-z0-9]{1,62}[a-z0-9]$")
TENANT_NAME_MIN, TENANT_NAME_MAX = 3, 63  # §6 TenantName length (the pattern alone allows 64)
PRIVATE_ENVIRONMENT_RE = re.compile(r"^[a-z]([-]?[a-z0-9])*$")
PRIVATE_ENVIRONMENT_MAX = 32
PUBLIC_REGION_MIN, PUBLIC_REGION_MAX = 2, 5
CLIENT_ID_RE = re.compile(r"^[0-9a-zA-Z\-_@.~]{5,50}$")  # §6 ClientId: enforce 5-50
MEMBER_ID_MAX = 1024  # §6 member id 1-1024 chars
# §6 [inferred] invitation id prefix
INVITATION_ID_PREFIX = "invite_"
# §6 Auth0 user id given to an accepted invitee: auth0|24 hex
USER_ID_PREFIX = "auth0|"

# §8.1 page size bounds
TAKE_DEFAULT, TAKE_MIN, TAKE_MAX = 50, 1, 50
# §8.2 tenants sort values
TENANT_SORTS = ("created_at:-1", "created_at:1")
TENANT_SORT_DEFAULT = "created_at:-1"
# §5.1 #6-8 tenants per bulk call
BULK_MAX_TENANTS = 10

# §10 [inferred] sandbox default buckets: (size, window seconds)
API_RATE_LIMIT = (50, 10)
TOKEN_RATE_LIMIT = (30, 60)

# §9.2 error titles
TITLES = {
    "VALIDATION_ERROR": "Invalid payload",
    "UNAUTHORIZED": "Unauthorized",
    "TENANT_LIMIT_REACHED": "You have reached the limit for tenants in your current plan",
    "TENANT_NOT_FOUND": "The tenant was not found",
    "TENANT_ALREADY_EXISTS": "A tenant with the same name already exists",
    "TOO_MANY_REQUESTS": "Too many requests",
    "UNKNOWN_ERROR": "An unknown error occurred",
    "INSUFFICIENT_SCOPE": "Insufficient scope",
    "MEMBER_NOT_FOUND": "The member was not found",
    "ENVIRONMENT_NOT_FOUND": "The environment was not found",
    "MEMBER_ALREADY_EXISTS": "The member already exists",
    "LAST_OWNER": "The team must keep at least one owner",
    "PRIVATE_CLOUD_NOT_ENABLED": "Private cloud is not enabled for this team",
    "METHOD_NOT_ALLOWED": "Method not allowed",
    "NOT_FOUND": "Not found",
}
# §9.1 [inferred] title for a 502/503 injected by the error-rate switch
FAULT_TITLES = {500: "An unknown error occurred", 502: "Bad gateway", 503: "Service unavailable"}

# §5.1 #6-8 bulk failure items
BULK_NOT_IN_TEAM = (404, "NOT_FOUND", "Tenant not found")
BULK_ALREADY_ADDED = (409, "TENANT_ALREADY_EXISTS", "This tenant is already added")
BULK_NO_ACCESS = (404, "NOT_FOUND", "Member has no access to this tenant")  # [inferred title]
# §5.1 #6-8 [inferred] bulk partial-success message
BULK_PARTIAL_MESSAGE = "Operation completed with errors"

# §5.1 #16 datetime validation detail
DATETIME_DETAIL = "must be in ISO 8601 date format"

# §6 activity content per write operation: (type, current_event) [inferred]
EVENT_INVITE = ("Team Invitation", "member_invited")
EVENT_ROLE_UPDATED = ("Team Member", "member_role_updated")
EVENT_MEMBER_DELETED = ("Team Member", "member_deleted")
EVENT_TENANT_CREATED = ("Tenant Activity", "tenant_created")
EVENT_TENANT_DELETED = ("Tenant Activity", "tenant_deleted")
EVENT_ACCESS_ADDED = ("Tenant Member", "tenant_member_added")
EVENT_ACCESS_UPDATED = ("Tenant Member", "tenant_member_updated")
EVENT_ACCESS_REMOVED = ("Tenant Member", "tenant_member_removed")

# §2.3 token endpoint error descriptions
TOKEN_ERR_WRONG_SECRET = (401, "access_denied", "Unauthorized")
TOKEN_ERR_UNKNOWN_CLIENT = (401, "invalid_client", "Unknown client.")
TOKEN_ERR_SERVICE = (403, "access_denied", "Service not enabled within domain: {audience}")
TOKEN_ERR_NO_GRANT = (
    403,
    "access_denied",
    'Client is not authorized to access "{audience}". You need to create a "client-grant" associated to this API.',
)
TOKEN_ERR_SCOPES = (403, "access_denied", "Client has not been granted scopes: {scopes}")
TOKEN_ERR_RATE = (429, "too_many_requests", "Too many requests")

# §6 [inferred] events seeded for the types that come from outside the API: type -> current_event values
SEED_ONLY_EVENTS = {
    "Security Policy": ("mfa_policy_updated", "session_policy_updated"),
    "Team Settings": ("team_settings_updated", "private_cloud_settings_viewed"),
    "Token Activity": ("token_issued", "client_secret_rotated"),
    "Team Activity": ("member_logged_in", "report_downloaded"),
    "Teams API M2M Activity": ("m2m_client_created", "m2m_client_scopes_updated"),
}
# §6 [inferred] seeded private-cloud spaces: name suffix -> primary locality
SEED_PRIVATE_SPACES = {"dev": "virginia", "prod": "frankfurt"}

# OpenID Connect sign-in at the simulated Auth Tenant (Auth0's shape; not part of the Teams API)
OIDC_GRANT_TYPE = "authorization_code"
# The namespaced claim the sandbox puts each person's roles in (Auth0 Actions need a namespace);
# the same values also go into `groups`.
OIDC_ROLES_CLAIM = "https://teamsadmin.example/roles"
OIDC_CODE_LIFETIME_SECONDS = 120
OIDC_ID_TOKEN_LIFETIME_SECONDS = 3600
OIDC_SCOPES = ("openid", "profile", "email")
TOKEN_ERR_BAD_CODE = (400, "invalid_grant", "Invalid authorization code")
TOKEN_ERR_BAD_VERIFIER = (400, "invalid_grant", "Failed to verify code verifier")
TOKEN_ERR_BAD_REDIRECT = (
    400,
    "invalid_grant",
    "The redirect_uri does not match the one of the authorization request",
)
