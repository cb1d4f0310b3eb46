"""Members action fixtures: the sandbox team mirrored locally, and forms as a browser sends them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client

from apps.authtenants.models import AuthTenant
from apps.directory import services as directory_services
from apps.directory.models import DirectoryMember, DirectoryTenant
from apps.teamsapi.contract import TeamRole
from tests.fixtures.sandbox import Sandbox

_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(client: Client, url: str) -> str:
    """The one-time token of the form the page at `url` renders."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    found = _TOKEN.search(page.content.decode())
    assert found, f"no form token on {url}"
    return found.group(1)


def submit(client: Client, url: str, data: dict[str, object], token: str | None = None) -> str:
    """POST the form at `url` like a browser (with its token); returns the token used."""
    token = token or form_token(client, url)
    client.post(url, {**data, "form_token": token})
    return token


@dataclass(frozen=True)
class Team:
    auth_tenant: AuthTenant
    sandbox: Sandbox

    def members(self, role: str | None = None) -> list[DirectoryMember]:
        rows = DirectoryMember.objects.filter(auth_tenant=self.auth_tenant, removed_at=None)
        return list(rows.filter(role=role) if role else rows.order_by("email"))

    def tenants(self) -> list[DirectoryTenant]:
        rows = DirectoryTenant.objects.filter(auth_tenant=self.auth_tenant, removed_at=None)
        return list(rows.order_by("tenant_name"))

    def sync(self) -> None:
        directory_services.directory_sync(auth_tenant=self.auth_tenant)

    def api_posts(self, path: str = "/api/members", method: str = "POST") -> int:
        return len(self.sandbox.requests_log(path_contains=path, method=method))

    def one_owner_left(self) -> DirectoryMember:
        """Demote every Team owner but one in Auth0 and in the mirror; returns the last owner."""
        owners = self.members(TeamRole.OWNER)
        for other in owners[1:]:
            response = self.sandbox.api(
                "PATCH", f"/api/members/{other.member_id}", json={"role": TeamRole.CONTRIBUTOR}
            )
            assert response.status_code == 200, response.text
        self.sync()
        return owners[0]


@pytest.fixture
def team(sandbox: Sandbox, auth_tenant: AuthTenant) -> Team:
    """The sandbox team with its directory mirrored, as the pages see it after a sync."""
    mirrored = Team(auth_tenant=auth_tenant, sandbox=sandbox)
    mirrored.sync()
    sandbox.clear_requests_log()
    return mirrored
