"""Two teams on the sandbox, each with its own Auth Tenant and mirror, and one person in both."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apps.authtenants.features import KNOWN_SCOPES
from apps.authtenants.models import AuthClient, AuthTenant
from apps.directory import services as directory_services
from apps.directory.models import DirectoryMember, Invitation
from apps.sandbox import control
from apps.sandbox.members import grant
from apps.sandbox.models import SandboxMember, SandboxTeam, SandboxTenant
from apps.teamsapi.contract import TeamRole
from tests.factories import READ_SCOPES, AuthClientFactory, AuthTenantFactory
from tests.fixtures.sandbox import Sandbox

GLOBEX_SLUG = "globex"
GLOBEX_DOMAIN = "globex.us.auth0.com"
LEAVER = "lee.leaver@example.test"
_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(client: Client, url: str) -> str:
    """The first one-time form token on the page at `url`."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    found = _TOKEN.search(page.content.decode())
    assert found, f"no form token on {url}"
    return found.group(1)


@dataclass(frozen=True)
class Teams:
    sandbox: Sandbox
    acme: AuthTenant
    globex: AuthTenant

    def sync(self) -> None:
        for auth_tenant in (self.acme, self.globex):
            directory_services.directory_sync(auth_tenant=auth_tenant)

    def upstream(self, slug: str) -> bool:
        """Whether the sandbox team `slug` still has the leaver as a member."""
        return SandboxMember.objects.filter(team__slug=slug, email=LEAVER).exists()

    def mirrored(self, auth_tenant: AuthTenant) -> DirectoryMember:
        return DirectoryMember.objects.get(auth_tenant=auth_tenant, email=LEAVER)

    def drop_scope(self, auth_tenant: AuthTenant, scope: str) -> None:
        """Take `scope` away from every client of the Auth Tenant."""
        for client in AuthClient.objects.filter(auth_tenant=auth_tenant):
            client.scopes = " ".join(s for s in client.scopes.split() if s != scope)
            client.save(update_fields=["scopes"])

    def only_owner(self, auth_tenant: AuthTenant) -> None:
        """Make the leaver the team's only Team owner, in the mirror."""
        current = DirectoryMember.objects.filter(auth_tenant=auth_tenant, removed_at=None)
        current.filter(role=TeamRole.OWNER).update(role=TeamRole.CONTRIBUTOR)
        current.filter(email=LEAVER).update(role=TeamRole.OWNER)


def _auth_tenant(sandbox: Sandbox, name: str, slug: str, domain: str) -> AuthTenant:
    auth_tenant = AuthTenantFactory.create(
        name=name,
        team_slug=slug,
        domain=domain,
        api_base_url_override=f"{sandbox.url}/sandbox/teams/{slug}",
        auth_base_url_override=f"{sandbox.url}/sandbox/auth/{domain}",
        sandbox_origin=sandbox.url,
    )
    AuthClientFactory.create(
        auth_tenant=auth_tenant,
        label="Owner actions",
        client_id=sandbox.owner_client_id,
        secret=sandbox.owner_client_secret,
        scopes=" ".join(sorted(KNOWN_SCOPES)),
    )
    AuthClientFactory.create(
        auth_tenant=auth_tenant,
        label="Read-only sync",
        client_id=sandbox.readonly_client_id,
        secret=sandbox.readonly_client_secret,
        scopes=READ_SCOPES,
    )
    return auth_tenant


def _add_leaver(slug: str, tenants: int) -> None:
    """The leaver joins the sandbox team `slug` as a Contributor with roles on `tenants` tenants."""
    team = SandboxTeam.objects.get(slug=slug)
    member = SandboxMember.objects.create(
        team=team,
        member_id=f"auth0|leaver-of-{slug}",
        name="Lee Leaver",
        email=LEAVER,
        role=TeamRole.CONTRIBUTOR,
    )
    for tenant in SandboxTenant.objects.filter(team=team).order_by("tenant_id")[:tenants]:
        grant(member, tenant, ["viewer-config"], [])


@pytest.fixture
def teams(sandbox: Sandbox, owner: User) -> Teams:
    """Acme and Globex, mirrored; the leaver is in both and has a pending invitation to Globex."""
    control.seed(
        team_slug=GLOBEX_SLUG, auth_domain=GLOBEX_DOMAIN, tenants=3, members=5, activity=1, seed=2
    )
    acme = _auth_tenant(sandbox, "Acme (sandbox)", sandbox.team_slug, sandbox.auth_domain)
    globex = _auth_tenant(sandbox, "Globex (sandbox)", GLOBEX_SLUG, GLOBEX_DOMAIN)
    _add_leaver(sandbox.team_slug, tenants=2)
    _add_leaver(GLOBEX_SLUG, tenants=1)
    both = Teams(sandbox=sandbox, acme=acme, globex=globex)
    both.sync()
    Invitation.objects.create(
        auth_tenant=globex,
        email=LEAVER.upper(),
        team_role=TeamRole.REPORT_VIEWER,
        invited_by=owner,
        invited_by_username=owner.username,
        api_invitation_id="invite_pending_leaver",
    )
    sandbox.clear_requests_log()
    return both
