"""Auth Tenants: the Auth0 tenants and M2M clients the dashboard uses to reach each team's Teams API."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from apps.authtenants import crypto
from apps.authtenants.hosts import validate_base_url, validate_domain
from apps.teamsapi import contract

validate_team_slug = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    "A team slug is a DNS label: lowercase letters, digits and hyphens (not at either end).",
)


class Region(models.TextChoices):
    AU = "AU", "Australia"
    CA = "CA", "Canada"
    EU = "EU", "Europe"
    JP = "JP", "Japan"
    UK = "UK", "United Kingdom"
    US = "US", "United States"


class Cloud(models.TextChoices):
    PUBLIC = "public", "Public cloud"
    PRIVATE = "private", "Private cloud"


class TokenKind(models.TextChoices):
    JWT = "jwt", "JWT"
    OPAQUE = "opaque", "Opaque"


class HealthState(models.TextChoices):
    """How the Auth Tenant's connection has been doing, from its last token mints and calls."""

    UNKNOWN = "unknown", "Not used yet"
    ONLINE = "online", "Online"
    DEGRADED = "degraded", "Degraded"
    OFFLINE = "offline", "Offline"


class AuthTenant(models.Model):
    """One Auth0 tenant whose M2M clients get tokens for one team's Teams API.

    The health_* fields are the connection's state as the last token mints and API calls left
    it (apps.authtenants.health writes them); the last error is a TeamsApiError message.
    """

    name = models.CharField(max_length=100, unique=True)
    team_slug = models.CharField(max_length=63, validators=[validate_team_slug])
    domain = models.CharField(
        max_length=253,
        validators=[validate_domain],
        help_text="The Auth0 tenant's host name, e.g. acme.us.auth0.com.",
    )
    region = models.CharField(max_length=2, choices=Region.choices, default=Region.US)
    cloud = models.CharField(max_length=7, choices=Cloud.choices, default=Cloud.PUBLIC)
    organization = models.CharField(max_length=100, blank=True)
    audience_override = models.CharField(max_length=255, blank=True)
    api_base_url_override = models.CharField(
        max_length=255, blank=True, validators=[validate_base_url]
    )
    auth_base_url_override = models.CharField(
        max_length=255, blank=True, validators=[validate_base_url]
    )
    # Set only by the sandbox set-up (never a form): the origin, e.g. http://127.0.0.1:8000, of
    # the sandbox this Auth Tenant points at, the one loopback address its requests may reach.
    sandbox_origin = models.CharField(max_length=255, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    health_state = models.CharField(
        max_length=8, choices=HealthState.choices, default=HealthState.UNKNOWN, editable=False
    )
    health_error = models.CharField(max_length=500, blank=True, editable=False)
    health_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    health_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    health_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    health_failures = models.PositiveIntegerField(default=0, editable=False)
    # Owners were emailed that it is offline; cleared (and emailed again) when it recovers.
    health_alerted = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return (
            f"<AuthTenant {self.pk}: {self.name!r} team={self.team_slug!r} domain={self.domain!r}>"
        )

    @property
    def audience(self) -> str:
        return self.audience_override or contract.audience_for(self.team_slug)

    @property
    def api_base_url(self) -> str:
        return (self.api_base_url_override or contract.api_base_url_for(self.team_slug)).rstrip("/")

    @property
    def auth_base_url(self) -> str:
        return (self.auth_base_url_override or contract.auth_base_url_for(self.domain)).rstrip("/")

    @property
    def token_url(self) -> str:
        return self.auth_base_url + contract.TOKEN_PATH

    @property
    def jwks_url(self) -> str:
        return self.auth_base_url + contract.JWKS_PATH

    @property
    def issuer(self) -> str:
        return contract.issuer_for(self.domain)


# What the last token attempt of a client said; shown on the Auth Tenants page and in the admin.
TOKEN_STATUS_FIELDS = (
    "token_last_ok_at",
    "token_last_error_at",
    "token_last_error",
    "token_expires_at",
    "token_scopes",
    "token_kind",
)


class AuthClient(models.Model):
    """One M2M application (client credentials) of an Auth Tenant, with its secret encrypted at rest."""

    auth_tenant = models.ForeignKey(AuthTenant, on_delete=models.CASCADE, related_name="clients")
    label = models.CharField(max_length=100)
    client_id = models.CharField(max_length=128)
    secret_encrypted = models.TextField(editable=False)
    scopes = models.CharField(
        max_length=500, blank=True, help_text="Space-separated scopes granted to this client."
    )
    enabled = models.BooleanField(default=True)
    token_last_ok_at = models.DateTimeField(null=True, blank=True)
    token_last_error_at = models.DateTimeField(null=True, blank=True)
    token_last_error = models.CharField(max_length=500, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_scopes = models.CharField(max_length=500, blank=True)
    token_kind = models.CharField(max_length=6, choices=TokenKind.choices, blank=True)

    class Meta:
        ordering = ["auth_tenant", "label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "client_id"], name="authclient_unique_client_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.client_id})"

    def __repr__(self) -> str:
        return f"<AuthClient {self.pk}: {self.label!r} client_id={self.client_id!r} tenant={self.auth_tenant_id}>"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def token_state(self) -> str:
        """ "ok", "error" or "untested", from whichever token attempt happened last."""
        if self.token_last_error_at and (
            self.token_last_ok_at is None or self.token_last_error_at >= self.token_last_ok_at
        ):
            return "error"
        return "ok" if self.token_last_ok_at else "untested"

    @property
    def token_scope_set(self) -> frozenset[str]:
        return frozenset(self.token_scopes.split())

    @staticmethod
    def token_status_cleared() -> dict[str, object]:
        """Field values that forget every token attempt (for update() or setattr)."""
        fields = (AuthClient._meta.get_field(name) for name in TOKEN_STATUS_FIELDS)
        return {f.name: f.get_default() for f in fields if isinstance(f, models.Field)}

    def get_secret(self) -> str:
        """The plain client secret; raises crypto.SecretKeyError when no configured key opens it."""
        return crypto.decrypt(self.secret_encrypted)

    def set_secret(self, secret: str) -> None:
        """Encrypt and store the secret on the instance (the caller saves)."""
        self.secret_encrypted = crypto.encrypt(secret)
