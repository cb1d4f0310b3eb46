"""The one way the rest of the project gets a Teams API client for a configured Auth Tenant."""

from __future__ import annotations

from apps.authtenants.models import AuthTenant
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.client import teams_client as _teams_client
from apps.teamsapi.tokens import TokenProvider


def teams_client(
    auth_tenant: AuthTenant, *, token_provider: TokenProvider | None = None
) -> TeamsClient:
    """A TeamsClient for the Auth Tenant; use it as a context manager so it is closed."""
    return _teams_client(auth_tenant, token_provider=token_provider)
