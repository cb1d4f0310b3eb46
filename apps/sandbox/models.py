"""Sandbox data: simulated teams, Auth Tenants, clients, tenants, members, activity and faults."""

from __future__ import annotations

from typing import Any

from django.db import models


class SandboxAuthTenant(models.Model):
    """A simulated Auth0 tenant that mints tokens; holds its RSA signing key."""

    domain = models.CharField(max_length=255, unique=True)
    kid = models.CharField(max_length=64)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.domain


class SandboxTeam(models.Model):
    """A simulated Auth0 team reachable at /sandbox/teams/<slug>; trusts one Auth Tenant."""

    slug = models.SlugField(max_length=63, unique=True)
    auth_tenant = models.ForeignKey(
        SandboxAuthTenant, on_delete=models.CASCADE, related_name="teams"
    )
    private_cloud_enabled = models.BooleanField(default=True)
    tenant_limit = models.PositiveIntegerField(default=100)
    # Private-cloud spaces: {"acme-dev": "virginia", ...} (environment -> primary locality).
    private_environments = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug


class SandboxClient(models.Model):
    """An M2M application of a simulated Auth Tenant; the secret is kept only as a salted hash."""

    auth_tenant = models.ForeignKey(
        SandboxAuthTenant, on_delete=models.CASCADE, related_name="clients"
    )
    client_id = models.CharField(max_length=64)
    secret_hash = models.CharField(max_length=128)
    name = models.CharField(max_length=200)
    scopes = models.TextField(blank=True)
    token_lifetime = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "client_id"], name="sandbox_client_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.client_id

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class SandboxOidcClient(models.Model):
    """A web application that signs people in through a simulated Auth Tenant (OpenID Connect).

    The secret is kept only as a salted hash; `redirect_uris` are the exact callback URLs it
    may use (a loopback one matches on any port, RFC 8252 section 7.3).
    """

    auth_tenant = models.ForeignKey(
        SandboxAuthTenant, on_delete=models.CASCADE, related_name="oidc_clients"
    )
    client_id = models.CharField(max_length=64)
    secret_hash = models.CharField(max_length=128)
    name = models.CharField(max_length=200)
    redirect_uris = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "client_id"], name="sandbox_oidc_client_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.client_id


class SandboxUser(models.Model):
    """A person who signs in at a simulated Auth Tenant; `roles` go into the ID token."""

    auth_tenant = models.ForeignKey(
        SandboxAuthTenant, on_delete=models.CASCADE, related_name="users"
    )
    user_id = models.CharField(max_length=64)
    email = models.EmailField()
    password_hash = models.CharField(max_length=128)
    name = models.CharField(max_length=200)
    email_verified = models.BooleanField(default=True)
    roles = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "email"], name="sandbox_user_unique_email"
            ),
            models.UniqueConstraint(
                fields=["auth_tenant", "user_id"], name="sandbox_user_unique_id"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class SandboxAuthorizationCode(models.Model):
    """A single-use authorization code, bound to its client, redirect URI and PKCE challenge.

    Only the code's SHA-256 is stored; `used_at` is set by the one exchange that wins.
    """

    code_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(SandboxOidcClient, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=2048)
    code_challenge = models.CharField(max_length=128)
    nonce = models.CharField(max_length=255, blank=True)
    scope = models.CharField(max_length=255)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.client_id}"


class SandboxTenant(models.Model):
    """An Auth0 tenant belonging to a simulated team (public or private cloud)."""

    team = models.ForeignKey(SandboxTeam, on_delete=models.CASCADE, related_name="tenants")
    tenant_id = models.CharField(max_length=36, unique=True)
    tenant_name = models.CharField(max_length=63)
    environment = models.CharField(max_length=64)
    environment_tag = models.CharField(max_length=16, blank=True)
    domain = models.CharField(max_length=255)
    locality = models.CharField(max_length=32)
    private = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "tenant_name"], name="sandbox_tenant_unique_name"
            )
        ]
        indexes = [models.Index(fields=["team", "created_at", "tenant_id"])]

    def __str__(self) -> str:
        return self.tenant_name


class SandboxMember(models.Model):
    """A member of a simulated team, identified by an Auth0 user id."""

    team = models.ForeignKey(SandboxTeam, on_delete=models.CASCADE, related_name="members")
    member_id = models.CharField(max_length=255)
    name = models.CharField(max_length=200, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    nickname = models.CharField(max_length=100, blank=True)
    email = models.EmailField()
    role = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "member_id"], name="sandbox_member_unique_id"),
            models.UniqueConstraint(fields=["team", "email"], name="sandbox_member_unique_email"),
        ]

    def __str__(self) -> str:
        return self.member_id


class SandboxTenantRole(models.Model):
    """One tenant role a member holds on a tenant; client_ids only for editor-specific-apps."""

    member = models.ForeignKey(SandboxMember, on_delete=models.CASCADE, related_name="tenant_roles")
    tenant = models.ForeignKey(SandboxTenant, on_delete=models.CASCADE, related_name="member_roles")
    role = models.CharField(max_length=32)
    client_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "tenant", "role"], name="sandbox_tenant_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.tenant_id}:{self.role}"


class SandboxInvitation(models.Model):
    """A pending invitation; it becomes a member when accepted."""

    team = models.ForeignKey(SandboxTeam, on_delete=models.CASCADE, related_name="invitations")
    invitation_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    role = models.CharField(max_length=32)
    tenant_ids = models.JSONField(default=list)
    tenant_roles = models.JSONField(default=list)
    client_ids = models.JSONField(default=list)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.invitation_id


class SandboxActivity(models.Model):
    """One activity log entry of a simulated team."""

    id = models.CharField(max_length=36, primary_key=True)
    team = models.ForeignKey(SandboxTeam, on_delete=models.CASCADE, related_name="activity")
    created_at = models.DateTimeField()
    type = models.CharField(max_length=40)
    status = models.CharField(max_length=16)
    current_event = models.CharField(max_length=64)
    actor = models.JSONField()
    details = models.JSONField(default=dict)
    ip = models.CharField(max_length=64, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["team", "created_at", "id"], name="sandbox_act_order")]

    def __str__(self) -> str:
        return self.id


class SandboxRequest(models.Model):
    """One HTTP request the sandbox served: what tests inspect to count calls."""

    method = models.CharField(max_length=10)
    path = models.CharField(max_length=1024)
    client_id = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class SandboxFaults(models.Model):
    """The fault switches (a single row), shared by every process that serves the sandbox."""

    latency_ms = models.PositiveIntegerField(default=0)
    error_rate = models.FloatField(default=0.0)
    error_statuses = models.JSONField(default=list)
    rate_limit_burst = models.PositiveIntegerField(default=0)
    # None follows settings.TEAMSADMIN_SANDBOX_RATE_LIMIT.
    rate_limit = models.BooleanField(null=True, default=None)
    rate_limit_bucket = models.PositiveIntegerField(null=True, default=None)
    rate_limit_window = models.PositiveIntegerField(null=True, default=None)
    token_outage = models.BooleanField(default=False)
    malformed = models.CharField(max_length=16, blank=True)
    token_lifetime_seconds = models.PositiveIntegerField(null=True, default=None)
    duplicate_id_in_page = models.BooleanField(default=False)
    looping_next = models.BooleanField(default=False)
    # What is wrong with the next ID tokens ("" for nothing): see faults.ID_TOKEN_FAULTS.
    id_token_fault = models.CharField(max_length=24, blank=True)

    def __str__(self) -> str:
        return "sandbox faults"

    def as_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "error_statuses": list(self.error_statuses),
            "rate_limit_burst": self.rate_limit_burst,
            "rate_limit": self.rate_limit,
            "rate_limit_bucket": self.rate_limit_bucket,
            "rate_limit_window": self.rate_limit_window,
            "token_outage": self.token_outage,
            "malformed": self.malformed,
            "token_lifetime_seconds": self.token_lifetime_seconds,
            "duplicate_id_in_page": self.duplicate_id_in_page,
            "looping_next": self.looping_next,
            "id_token_fault": self.id_token_fault,
        }
