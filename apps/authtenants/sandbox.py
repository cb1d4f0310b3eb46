"""Auth Tenants pointing at the built-in sandbox: the demo's, and those of benchmarks and tests."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from apps.authtenants import services
from apps.authtenants.features import KNOWN_SCOPES
from apps.authtenants.models import AuthTenant, Cloud, Region
from apps.teamsapi.contract import Scope

SANDBOX_TEAM = "acme"
SANDBOX_DOMAIN = "acme.us.auth0.com"
READ_ONLY_SCOPES = (Scope.READ_TENANTS, Scope.READ_MEMBERS, Scope.READ_TEAM_ACTIVITY)


def sandbox_auth_tenant_setup(
    *, actor: services.Actor, root: str, name: str, owner_client: bool = True
) -> tuple[AuthTenant, bool]:
    """Create or update Auth Tenant `name` for the sandbox served at `root` (".../sandbox").

    It gets the sandbox's read-only client and, unless `owner_client` is off, the client with
    every scope. Returns (row, created); raises ServiceError like auth_tenant_setup.
    """
    data = services.AuthTenantInput(
        name=name,
        team_slug=SANDBOX_TEAM,
        domain=SANDBOX_DOMAIN,
        region=Region.US,
        cloud=Cloud.PUBLIC,
        api_base_url_override=f"{root}/teams/{SANDBOX_TEAM}",
        auth_base_url_override=f"{root}/auth/{SANDBOX_DOMAIN}",
    )
    clients = [
        services.AuthClientInput(
            label="Read-only sync",
            client_id=settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID,
            scopes=" ".join(READ_ONLY_SCOPES),
            secret=settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET,
        )
    ]
    if owner_client:
        clients.insert(
            0,
            services.AuthClientInput(
                label="Owner actions",
                client_id=settings.TEAMSADMIN_SANDBOX_CLIENT_ID,
                scopes=" ".join(KNOWN_SCOPES),
                secret=settings.TEAMSADMIN_SANDBOX_CLIENT_SECRET,
            ),
        )
    # One transaction: work queued on commit (a new Auth Tenant's first sync) must find the
    # origin already set, or its connections to the loopback sandbox would be refused.
    with transaction.atomic():
        auth_tenant, created = services.auth_tenant_setup(actor=actor, data=data, clients=clients)
        # The one loopback origin this Auth Tenant may reach; its URLs above are all under it.
        origin = urlsplit(root)
        auth_tenant.sandbox_origin = f"{origin.scheme}://{origin.netloc}"
        auth_tenant.save(update_fields=["sandbox_origin"])
    return auth_tenant, created
