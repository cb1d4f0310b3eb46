"""Time-boxed access in the pages: the grant form's end, the member page's countdown, the list
of every end, and extending or making permanent, with no way in for helpdesk or auditors."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.access import services
from apps.access.models import AccessExpiry
from apps.audit.models import AuditAction, AuditEntry
from apps.authtenants.models import AuthTenant
from apps.teamsapi.contract import TenantRole
from tests.access.conftest import Target, pick

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
ROLES = [TenantRole.VIEWER_CONFIG.value]


def _token(client: Client, url: str) -> str:
    found = TOKEN.search(client.get(url).content.decode())
    assert found is not None
    return found.group(1)


def _time_boxed(owner: User, target: Target, hours: int = 2) -> str:
    tenant_id = target.free[0].tenant_id
    services.tenant_access_grant(
        actor=owner,
        auth_tenant=target.auth_tenant,
        member_id=target.member_id,
        tenant_ids=[tenant_id],
        roles=ROLES,
        until=timezone.now() + timedelta(hours=hours, minutes=20),
    )
    return tenant_id


def test_grant_form_takes_an_end_in_the_display_time_zone(
    owner_client: Client, synced: AuthTenant, settings: object
) -> None:
    target = pick(synced)
    url = reverse("access:grant", args=[target.member_id])
    tenant = target.free[0]
    until = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)

    response = owner_client.post(
        url,
        {
            "tenants": [tenant.tenant_id],
            "roles": ROLES,
            "until": until.strftime("%Y-%m-%dT%H:%M"),
            "form_token": _token(owner_client, url),
        },
        follow=True,
    )

    assert response.status_code == 200
    assert AccessExpiry.objects.get().ends_at == until


def test_grant_form_refuses_a_past_end_and_keeps_the_input(
    owner_client: Client, synced: AuthTenant
) -> None:
    target = pick(synced)
    url = reverse("access:grant", args=[target.member_id])
    typed = "2001-02-03T04:05"

    response = owner_client.post(
        url,
        {
            "tenants": [target.free[0].tenant_id],
            "roles": ROLES,
            "until": typed,
            "form_token": _token(owner_client, url),
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Pick an end at least a minute from now." in page
    assert f'value="{typed}"' in page
    assert not AccessExpiry.objects.exists()


def test_member_page_shows_the_countdown_with_the_exact_end(
    owner_client: Client, helpdesk_client: Client, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    tenant_id = _time_boxed(owner, target, hours=1)
    url = reverse("members:detail", args=[target.member_id])

    for client in (owner_client, helpdesk_client):
        page = client.get(url).content.decode()
        assert re.search(
            r'title="Ends \d{4}-\d\d-\d\d \d\d:\d\d UTC">expires in 1 h (19|20) min', page
        )
    assert (
        reverse("access:end", args=[target.member_id, tenant_id])
        in owner_client.get(url).content.decode()
    )
    assert "Extend or make permanent" not in helpdesk_client.get(url).content.decode()


def test_expiring_list_puts_this_week_first_and_is_read_only_for_auditors(
    owner_client: Client, auditor_client: Client, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=2)
    _time_boxed(owner, target, hours=3)
    services.tenant_access_grant(
        actor=owner,
        auth_tenant=synced,
        member_id=target.member_id,
        tenant_ids=[target.free[1].tenant_id],
        roles=ROLES,
        until=timezone.now() + timedelta(days=30),
    )

    page = owner_client.get(reverse("access:expiring")).content.decode()
    week, later = page.split("Expires this week (1)")[1].split("Later (1)")
    assert target.free[0].tenant_name in week and target.free[1].tenant_name not in week
    assert target.free[1].tenant_name in later
    assert "Extend or make permanent" in page
    read_only = auditor_client.get(reverse("access:expiring")).content.decode()
    assert target.free[0].tenant_name in read_only
    assert "Extend or make permanent" not in read_only
    assert reverse("access:expiring") in owner_client.get(reverse("access:as-of")).content.decode()


def test_extend_then_make_permanent_from_the_end_page(
    owner_client: Client, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    tenant_id = _time_boxed(owner, target)
    url = reverse("access:end", args=[target.member_id, tenant_id])
    later = timezone.localtime(timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)

    extended = owner_client.post(
        url,
        {"until": later.strftime("%Y-%m-%dT%H:%M"), "form_token": _token(owner_client, url)},
        follow=True,
    )
    assert "The access now ends at" in extended.content.decode()
    assert AccessExpiry.objects.get().ends_at == later

    made = owner_client.post(
        url, {"permanent": "1", "form_token": _token(owner_client, url)}, follow=True
    )
    assert "The access is permanent now" in made.content.decode()
    assert not AccessExpiry.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.TENANT_ACCESS_EXTEND, AuditAction.TENANT_ACCESS_PERMANENT} <= actions
    assert owner_client.get(url).status_code == 404  # nothing left to extend


def test_extend_refuses_a_bad_end_with_the_reason(
    owner_client: Client, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    tenant_id = _time_boxed(owner, target)
    url = reverse("access:end", args=[target.member_id, tenant_id])
    before = AccessExpiry.objects.get().ends_at

    response = owner_client.post(
        url, {"until": "not a date", "form_token": _token(owner_client, url)}
    )

    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()
    assert AccessExpiry.objects.get().ends_at == before
    assert not AuditEntry.objects.filter(action=AuditAction.TENANT_ACCESS_EXTEND).exists()


def test_helpdesk_cannot_make_access_permanent(
    helpdesk_client: Client, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    tenant_id = _time_boxed(owner, target)

    response = helpdesk_client.post(
        reverse("access:end", args=[target.member_id, tenant_id]), {"permanent": "1"}
    )

    assert response.status_code == 403
    assert AccessExpiry.objects.count() == 1
