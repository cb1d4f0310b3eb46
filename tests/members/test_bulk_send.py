"""Sending a bulk invite against the sandbox over HTTP: each valid line exactly once."""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from datetime import timedelta

import pytest
from celery import current_app
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.audit.models import AuditAction, AuditEntry
from apps.directory.models import Invitation
from apps.members import bulk_services
from apps.members.models import BulkInvite, BulkInviteRow
from apps.members.tasks import bulk_invites_resume_task
from apps.sandbox.models import SandboxActivity
from tests.members.conftest import Team, form_token
from tests.members.test_bulk_preview import upload


def invited_per_email() -> Counter[str]:
    """How many invitations the sandbox recorded per test email (its activity log of invites;
    the seeded entries use other domains)."""
    rows = SandboxActivity.objects.filter(current_event="member_invited", status="Success")
    emails = (str(a.details["email"]).casefold() for a in rows)
    return Counter(email for email in emails if email.endswith("@acme.test"))


def started(client: Client, content: str) -> BulkInvite:
    """Upload the list and press Send once; the job is queued, not run."""
    upload(client, content)
    job = BulkInvite.objects.latest("pk")
    url = reverse("members:bulk-detail", args=[job.pk])
    send = reverse("members:bulk-send", args=[job.pk])
    client.post(send, {"form_token": form_token(client, url)})
    job.refresh_from_db()
    return job


def test_helpdesk_sends_a_list_and_each_valid_line_is_invited_once(
    helpdesk_client: Client, helpdesk: User, team: Team
) -> None:
    tenant = team.tenants()[0]
    job = started(
        helpdesk_client,
        "email,team role,tenants,tenant roles\n"
        "one@acme.test,Report viewer\n"
        "bad-address,Contributor\n"
        f"two@acme.test,Contributor,{tenant.tenant_name},Viewer – Config settings\n",
    )
    # A list with tenant access asks for the same confirmation as the invite form.
    assert job.state == BulkInvite.State.PREVIEW
    url = reverse("members:bulk-detail", args=[job.pk])
    send = reverse("members:bulk-send", args=[job.pk])
    token = form_token(helpdesk_client, url)
    helpdesk_client.post(send, {"form_token": token, "tenant_order_confirmed": "on"})
    job.refresh_from_db()
    assert (job.state, job.started_by, job.started_by_username) == (
        BulkInvite.State.QUEUED,
        helpdesk,
        "helpdesk-user",
    )
    # The second click of the same form sends nothing more.
    again = helpdesk_client.post(
        send, {"form_token": token, "tenant_order_confirmed": "on"}, follow=True
    )
    assert "already submitted; nothing was sent twice" in again.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.BULK_INVITE).count() == 1

    assert bulk_services.bulk_invite_run(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert job.state == BulkInvite.State.DONE
    rows = {row.email: row for row in job.rows.all()}
    assert [rows[e].state for e in ("one@acme.test", "bad-address", "two@acme.test")] == [
        "sent",
        "invalid",
        "sent",
    ]
    assert invited_per_email() == Counter({"one@acme.test": 1, "two@acme.test": 1})
    two = Invitation.objects.get(email="two@acme.test")
    assert (two.tenant_ids, two.tenant_roles, two.invited_by) == (
        [tenant.tenant_id],
        ["viewer-config"],
        helpdesk,
    )
    assert rows["two@acme.test"].invitation == two
    invites = AuditEntry.objects.filter(action=AuditAction.MEMBER_INVITE)
    assert sorted(invites.values_list("target_label", flat=True)) == [
        "one@acme.test",
        "two@acme.test",
    ]
    page = helpdesk_client.get(url).content.decode()
    assert "Finished: 2 of 2 done" in page
    assert "Download the results (CSV)" in page


def test_the_results_download_is_a_csv_safe_for_spreadsheets(
    owner_client: Client, team: Team
) -> None:
    job = started(owner_client, "=HYPERLINK(1),Contributor\nok@acme.test,Contributor\n")
    bulk_services.bulk_invite_run(job_id=job.pk)
    response = owner_client.get(reverse("members:bulk-results", args=[job.pk]))
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[0] == ["line", "email", "team_role", "tenants", "result", "message"]
    assert lines[1][:2] == ["1", "'=HYPERLINK(1)"]  # neutralised, never evaluated
    assert lines[1][4] == "Not sent: fix the line"
    assert lines[2][1:5] == ["ok@acme.test", "Contributor", "", "Sent"]


def test_a_progress_poll_returns_the_bar_and_refreshes_the_page_when_done(
    owner_client: Client, team: Team
) -> None:
    job = started(owner_client, "a@acme.test\nb@acme.test\n")
    url = reverse("members:bulk-detail", args=[job.pk])
    poll = owner_client.get(url, headers={"HX-Request": "true"})
    text = poll.content.decode()
    assert text.lstrip().startswith('<section id="bulk-progress"')
    assert 'hx-trigger="every 1s"' in text and "0 of 2 done" in text
    assert "HX-Refresh" not in poll
    bulk_services.bulk_invite_run(job_id=job.pk)
    done = owner_client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "2 of 2 done" in done.content.decode()


def _stranded(job: BulkInvite, email: str) -> BulkInviteRow:
    """Leave the row as a worker killed during its API call would: claimed, "sending"."""
    row = job.rows.get(email=email)
    row.state, row.claimed_at, row.attempts = "sending", timezone.now() - timedelta(seconds=1), 1
    row.save(update_fields=["state", "claimed_at", "attempts"])
    return row


def test_a_row_left_sending_is_resolved_from_the_activity_log_not_resent(
    owner_client: Client, team: Team
) -> None:
    job = started(owner_client, "reached@acme.test\nlost@acme.test\n")
    BulkInvite.objects.filter(pk=job.pk).update(state="running")
    _stranded(job, "reached@acme.test")
    _stranded(job, "lost@acme.test")
    # The API got the first call before the worker died; the second never left.
    reply = team.sandbox.api(
        "POST", "/api/members", json={"email": "reached@acme.test", "role": "teams_contributor"}
    )
    assert reply.status_code == 201, reply.text
    team.sandbox.clear_requests_log()

    assert bulk_services.bulk_invite_run(job_id=job.pk) == "done"
    assert invited_per_email() == Counter({"reached@acme.test": 1, "lost@acme.test": 1})
    assert team.api_posts() == 1  # only the line the API never got was sent
    reached = job.rows.get(email="reached@acme.test")
    assert (reached.state, reached.message) == ("sent", bulk_services.CONFIRMED_FROM_LOG)
    assert reached.invitation is not None and reached.invitation.state == "pending"
    assert job.rows.get(email="lost@acme.test").state == "sent"
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_INVITE).count() == 2


def test_a_row_whose_fate_cannot_be_read_fails_instead_of_being_resent(
    owner_client: Client, team: Team, settings: SettingsWrapper
) -> None:
    job = started(owner_client, "unsure@acme.test\n")
    BulkInvite.objects.filter(pk=job.pk).update(state="running")
    _stranded(job, "unsure@acme.test")
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    team.sandbox.set_faults(error_rate=1.0)
    bulk_services.bulk_invite_run(job_id=job.pk)
    row = job.rows.get()
    assert row.state == "failed"
    assert "check Invitations before inviting this person again" in row.message
    assert team.api_posts() == 0


def test_a_live_worker_keeps_the_job_to_itself(owner_client: Client, team: Team) -> None:
    job = started(owner_client, "a@acme.test\n")
    BulkInvite.objects.filter(pk=job.pk).update(
        state="running", lease_holder="other", lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert bulk_services.bulk_invite_run(job_id=job.pk) == "busy"
    assert job.rows.get().state == "ready"


@pytest.mark.slow
def test_five_hundred_lines_go_out_once_each_under_the_rate_limit(
    owner_client: Client, team: Team
) -> None:
    # The sandbox's bucket of 50, refilled over 2 s instead of 10 s so the test stays short, and
    # its first 5 calls refused with 429 whatever the bucket holds, so the waits are exercised.
    team.sandbox.set_faults(
        rate_limit=True, rate_limit_bucket=50, rate_limit_window=2, rate_limit_burst=5
    )
    emails = [f"person{n:03d}@acme.test" for n in range(500)]
    job = started(owner_client, "\n".join(emails) + "\n")
    began = time.monotonic()
    assert bulk_services.bulk_invite_run(job_id=job.pk) == "done"
    elapsed = time.monotonic() - began
    assert invited_per_email() == Counter(dict.fromkeys(emails, 1))
    assert job.rows.filter(state="sent").count() == 500
    assert Invitation.objects.filter(auth_tenant=team.auth_tenant).count() == 500
    # 500 calls at 25 a second after the first 50: at least 18 s.
    assert elapsed >= 17, elapsed
    calls = team.sandbox.requests_log(path_contains="/api/members", method="POST")
    throttled = sum(r.status == 429 for r in calls)
    assert 5 <= throttled < 50, throttled
    assert len(calls) - throttled == 500


def test_send_queues_the_registered_task_which_sends_the_list(
    owner_client: Client, team: Team
) -> None:
    current_app.conf.update(task_always_eager=True)
    try:
        job = started(owner_client, "eager@acme.test\n")
    finally:
        current_app.conf.update(task_always_eager=False)
    assert job.state == BulkInvite.State.DONE
    assert invited_per_email() == Counter({"eager@acme.test": 1})


def test_a_second_tab_cannot_send_the_same_list_again(owner_client: Client, team: Team) -> None:
    upload(owner_client, "once@acme.test\n")
    job = BulkInvite.objects.get()
    url = reverse("members:bulk-detail", args=[job.pk])
    send = reverse("members:bulk-send", args=[job.pk])
    first, second = form_token(owner_client, url), form_token(owner_client, url)
    owner_client.post(send, {"form_token": first})
    again = owner_client.post(send, {"form_token": second})
    assert again.status_code == 400
    assert "nothing was sent twice" in again.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.BULK_INVITE).count() == 1


def test_beat_queues_again_a_list_whose_worker_stopped_and_only_that_one(
    owner_client: Client, team: Team
) -> None:
    dead = started(owner_client, "dead1@acme.test\ndead2@acme.test\n")
    lost = started(owner_client, "lost@acme.test\n")
    live = started(owner_client, "live@acme.test\n")
    fresh = started(owner_client, "fresh@acme.test\n")
    long_ago = timezone.now() - timedelta(hours=1)
    # A worker took the first list and was killed: its lease ran out. The second's task never
    # reached a worker. A live worker holds the third; the fourth was queued just now.
    BulkInvite.objects.filter(pk=dead.pk).update(
        state="running", lease_holder="killed", lease_until=timezone.now() - timedelta(seconds=1)
    )
    BulkInvite.objects.filter(pk=lost.pk).update(started_at=long_ago)
    BulkInvite.objects.filter(pk=live.pk).update(
        state="running", lease_holder="alive", lease_until=timezone.now() + timedelta(minutes=1)
    )

    current_app.conf.update(task_always_eager=True)
    try:
        assert bulk_invites_resume_task.apply().get() == 2
    finally:
        current_app.conf.update(task_always_eager=False)

    states = dict(BulkInvite.objects.values_list("pk", "state"))
    assert states == {dead.pk: "done", lost.pk: "done", live.pk: "running", fresh.pk: "queued"}
    assert invited_per_email() == Counter(["dead1@acme.test", "dead2@acme.test", "lost@acme.test"])
