"""Against the sandbox over HTTP: an invitation sent through the dashboard, once the activity
log is synced, shows on the Auth0 event's page as asked for in this dashboard, and the other way."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse

from apps.activity import services as activity_services
from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction, AuditEntry
from apps.authtenants.models import AuthTenant
from tests.members.conftest import submit


def test_an_invitation_sent_here_is_named_on_its_auth0_event(
    helpdesk_client: Client, auditor_client: Client, auth_tenant: AuthTenant
) -> None:
    submit(
        helpdesk_client,
        reverse("members:invite"),
        {"email": "grace@acme.test", "role": "teams_contributor"},
    )
    sent = AuditEntry.objects.get(action=AuditAction.MEMBER_INVITE)
    # A sync reads up to the current whole second (§3 sends seconds): let the invitation's
    # second pass so this sync, not the next one, brings its event.
    time.sleep(1.02 - time.time() % 1)
    activity_services.activity_sync(auth_tenant=auth_tenant)
    logged = ActivityEvent.objects.get(
        auth_tenant=auth_tenant, current_event="member_invited", details__email="grace@acme.test"
    )

    page = auditor_client.get(reverse("activity:detail", args=[logged.pk])).content.decode()
    assert (
        "Asked for in this dashboard by <strong>helpdesk-user</strong> — "
        f'<a href="/audit/{sent.pk}/">Invite member</a> at' in page
    )
    entry_page = auditor_client.get(reverse("audit:detail", args=[sent.pk])).content.decode()
    assert f'href="/activity/events/{logged.pk}/">Member invited</a>' in entry_page
    listed = auditor_client.get(reverse("audit:list")).content.decode()
    assert f'href="/activity/events/{logged.pk}/">Member invited</a>' in listed
    seeded = ActivityEvent.objects.filter(auth_tenant=auth_tenant).exclude(pk=logged.pk).first()
    assert seeded is not None
    other = auditor_client.get(reverse("activity:detail", args=[seeded.pk])).content.decode()
    assert "Asked for in this dashboard" not in other
