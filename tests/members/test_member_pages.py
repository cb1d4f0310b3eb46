"""The Members pages: search people the API cannot search, see their tenant access and its history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.authtenants.models import AuthTenant
from apps.directory.models import DirectoryMember, Invitation
from tests.factories import AuthTenantFactory
from tests.fixtures.directory import Directory
from tests.urlwalk import path_with


def test_search_finds_members_by_email_name_or_id(
    helpdesk_client: Client, directory: Directory
) -> None:
    url = reverse("members:list")
    assert "Bob Byte" in helpdesk_client.get(url, {"q": "BOB@acme"}).content.decode()
    by_name = helpdesk_client.get(url, {"q": "lovelace"}).content.decode()
    assert "Ada Lovelace" in by_name
    assert "Bob Byte" not in by_name
    assert "Bob Byte" in helpdesk_client.get(url, {"q": "google-oauth2|1234"}).content.decode()


def test_members_who_left_are_not_listed(auditor_client: Client, directory: Directory) -> None:
    page = auditor_client.get(reverse("members:list")).content.decode()
    assert "Lee Left" not in page
    assert "2 members" in page


def test_role_filter(owner_client: Client, directory: Directory) -> None:
    page = owner_client.get(reverse("members:list"), {"role": "teams_owner"}).content.decode()
    assert "Ada Lovelace" in page
    assert "Bob Byte" not in page


def test_results_are_paginated_and_keep_the_search(
    owner_client: Client, directory: Directory
) -> None:
    now = timezone.now() - timedelta(days=1)
    DirectoryMember.objects.bulk_create(
        DirectoryMember(
            auth_tenant=directory.auth_tenant,
            member_id=f"auth0|c{i:023d}",
            name=f"Crowd {i:03d}",
            email=f"crowd{i:03d}@acme.test",
            role="teams_contributor",
            first_seen_at=now,
        )
        for i in range(60)
    )
    first = owner_client.get(reverse("members:list"), {"q": "crowd"}).content.decode()
    assert "60 members" in first
    assert "Page 1 of 2" in first
    assert "crowd049@acme.test" in first
    assert "crowd050@acme.test" not in first
    assert "?q=crowd&amp;page=2" in first
    second = owner_client.get(reverse("members:list"), {"q": "crowd", "page": "2"}).content.decode()
    assert "crowd050@acme.test" in second


def test_member_detail_shows_access_with_roles_and_history(
    auditor_client: Client, directory: Directory
) -> None:
    response = auditor_client.get(reverse("members:detail", args=[directory.bob.member_id]))
    assert response.status_code == 200
    current, _, past = response.content.decode().partition("Past access")
    assert "acme-dev" in current
    assert "Viewer – Config settings" in current
    assert "acme-prod" in past


def _zeta_with_zed() -> AuthTenant:
    """A second Auth Tenant whose one member, Zed, is nowhere in Acme's directory."""
    other: AuthTenant = AuthTenantFactory.create(name="Zeta")
    DirectoryMember.objects.create(
        auth_tenant=other,
        member_id="auth0|z",
        email="zed@zeta.test",
        role="teams_owner",
        first_seen_at=timezone.now(),
    )
    return other


def test_members_of_another_auth_tenant_are_not_shown(
    owner_client: Client, directory: Directory
) -> None:
    other = _zeta_with_zed()
    assert "zed@zeta.test" not in owner_client.get(reverse("members:list")).content.decode()
    switched = owner_client.get(reverse("members:list"), {"auth_tenant": other.pk}).content.decode()
    assert "zed@zeta.test" in switched
    assert "ada@acme.test" not in switched
    # The choice sticks for the next page.
    assert "zed@zeta.test" in owner_client.get(reverse("members:list")).content.decode()


def test_unknown_member_is_a_404(owner_client: Client, directory: Directory) -> None:
    assert owner_client.get(reverse("members:detail", args=["auth0|nobody"])).status_code == 404


@pytest.mark.parametrize("member_id", ["auth0|a\x00b", "x" * 1025])
def test_a_member_id_no_row_can_have_is_a_404(
    owner_client: Client, directory: Directory, member_id: str
) -> None:
    assert owner_client.get(path_with("members:detail", member_id)).status_code == 404


@pytest.mark.parametrize("value", ["²", "9" * 30, "-1", "abc"])
def test_a_malformed_team_switch_keeps_the_team_and_says_so(
    owner_client: Client, directory: Directory, value: str
) -> None:
    response = owner_client.get(reverse("members:list"), {"auth_tenant": value})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The team asked for does not exist or is disabled; showing Acme." in page
    assert "ada@acme.test" in page


def test_a_switch_to_a_disabled_team_shows_the_earlier_one(
    owner_client: Client, directory: Directory
) -> None:
    other = _zeta_with_zed()
    owner_client.get(reverse("members:list"), {"auth_tenant": other.pk})
    other.enabled = False
    other.save(update_fields=["enabled"])
    page = owner_client.get(reverse("members:list"), {"auth_tenant": other.pk}).content.decode()
    assert "does not exist or is disabled; showing Acme." in page
    assert "zed@zeta.test" not in page


def test_the_team_switch_works_from_any_page(owner_client: Client, directory: Directory) -> None:
    other = _zeta_with_zed()
    switched = owner_client.get(reverse("sync:status"), {"auth_tenant": other.pk})
    assert f'<option value="{other.pk}" selected>' in switched.content.decode()
    assert "zed@zeta.test" in owner_client.get(reverse("members:list")).content.decode()


def _queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_invitations_page_lists_tenant_names_in_bounded_queries(
    helpdesk_client: Client, owner: User, directory: Directory
) -> None:
    def invite(n: int) -> None:
        Invitation.objects.create(
            auth_tenant=directory.auth_tenant,
            email=f"p{n}@acme.test",
            team_role="teams_report_viewer",
            tenant_ids=[directory.prod.tenant_id, directory.dev.tenant_id],
            tenant_roles=["viewer-users"],
            invited_by=owner,
            invited_by_username=owner.get_username(),
        )

    url = reverse("members:invitations")
    invite(0)
    few = _queries_for(helpdesk_client, url)
    for n in range(1, 40):
        invite(n)
    assert _queries_for(helpdesk_client, url) == few
    page = helpdesk_client.get(url).content.decode()
    assert "p39@acme.test" in page and "Report viewer" in page
    assert "acme-prod" in page and "Viewer – Users" in page
    assert "40 invitations" in page


def test_member_pages_with_their_actions_render_in_bounded_queries(
    owner_client: Client, directory: Directory
) -> None:
    url = reverse("members:list")
    few = _queries_for(owner_client, url)
    DirectoryMember.objects.bulk_create(
        DirectoryMember(
            auth_tenant=directory.auth_tenant,
            member_id=f"auth0|q{i:023d}",
            email=f"q{i:03d}@acme.test",
            role="teams_contributor",
            first_seen_at=timezone.now(),
        )
        for i in range(40)
    )
    assert _queries_for(owner_client, url) == few
    assert "Invite a member" in owner_client.get(url).content.decode()
