"""Offboarding against two sandbox teams over HTTP: confirmation, removal, skips, failures, retries."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.directory.models import Invitation
from apps.members import services as members
from apps.people import services
from apps.people.models import OffboardJob, OffboardStep
from apps.people.tasks import offboard_resume_task, offboard_run_task
from teamsadmin.celery import app as celery_app
from tests.fixtures.people import GLOBEX_SLUG, INVITED, LEAVER, Teams, form_token

OFFBOARD = reverse("people:offboard")
CONFIRM = f"{OFFBOARD}?email={LEAVER}"
State = OffboardStep.State


# A step left in progress by a worker whose lease ran out long ago (it was killed).
_LEASE_GONE = timezone.now() - timedelta(hours=1)


def _start(client: Client, confirmation: str = LEAVER, token: str | None = None) -> OffboardJob:
    token = token or form_token(client, CONFIRM)
    response = client.post(
        OFFBOARD, {"email": LEAVER, "confirmation": confirmation, "form_token": token}
    )
    assert response.status_code == 302, response.content.decode()
    return OffboardJob.objects.get()


def _run(job: OffboardJob) -> dict[str, tuple[str, str]]:
    """Run the job's waiting steps; each step's (state, reason) by team and kind."""
    services.offboard_run(job=job)
    return {f"{s.auth_tenant_name}/{s.kind}": (s.state, s.reason) for s in job.steps.all()}


def _deletes(teams: Teams, slug: str) -> int:
    path = f"/teams/{slug}/api/members/auth0%7Cleaver-of-{slug}"
    return len(teams.sandbox.requests_log(path_contains=path, method="DELETE"))


def test_owner_offboards_from_both_teams(owner_client: Client, teams: Teams) -> None:
    page = owner_client.get(CONFIRM).content.decode()
    assert "Acme (sandbox)" in page and "Globex (sandbox)" in page
    assert page.count("Membership as Contributor → removed, with access to:") == 2
    assert "1 pending invitation → withdrawn." in page
    job = _start(owner_client)
    assert (job.email, job.actor_username) == (LEAVER, "owner-user")
    steps = _run(job)
    assert steps == {
        "Acme (sandbox)/membership": (State.DONE, steps["Acme (sandbox)/membership"][1]),
        "Globex (sandbox)/membership": (State.DONE, steps["Globex (sandbox)/membership"][1]),
        "Globex (sandbox)/invitation": (State.DONE, f"Invitation of {INVITED} withdrawn."),
    }
    assert "their access to 2 tenants." in steps["Acme (sandbox)/membership"][1]
    assert not teams.upstream(teams.sandbox.team_slug) and not teams.upstream(GLOBEX_SLUG)
    assert teams.mirrored(teams.acme).removed_at is not None
    assert Invitation.objects.get(email=INVITED).state == Invitation.State.WITHDRAWN
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "outcome"))
    assert actions == [
        (AuditAction.OFFBOARD_START, AuditOutcome.SUCCESS),
        (AuditAction.MEMBER_REMOVE, AuditOutcome.SUCCESS),
        (AuditAction.INVITATION_WITHDRAW, AuditOutcome.SUCCESS),
        (AuditAction.MEMBER_REMOVE, AuditOutcome.SUCCESS),
    ]
    result = owner_client.get(reverse("people:job", args=[job.pk])).content.decode()
    assert "Finished: 3 steps." in result and result.count(">Done</span>") == 3
    assert "hx-trigger" not in result.split('id="offboard-steps"')[1].split(">")[0]


def test_the_email_must_be_typed_to_confirm(owner_client: Client, teams: Teams) -> None:
    token = form_token(owner_client, CONFIRM)
    response = owner_client.post(
        OFFBOARD, {"email": LEAVER, "confirmation": "lee@example.test", "form_token": token}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert escape(services.CONFIRM_MISMATCH) in page
    assert 'value="lee@example.test"' in page
    assert not OffboardJob.objects.exists() and teams.upstream(GLOBEX_SLUG)


def test_a_double_submit_starts_one_offboarding(owner_client: Client, teams: Teams) -> None:
    token = form_token(owner_client, CONFIRM)
    first = _start(owner_client, token=token)
    again = owner_client.post(
        OFFBOARD, {"email": LEAVER, "confirmation": LEAVER, "form_token": token}, follow=True
    )
    assert "This form was already submitted" in again.content.decode()
    assert again.redirect_chain[-1][0] == reverse("people:job", args=[first.pk])
    assert OffboardJob.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.OFFBOARD_START).count() == 1


def test_the_last_owner_is_refused_in_that_team_only(owner_client: Client, teams: Teams) -> None:
    teams.only_owner(teams.acme)
    page = owner_client.get(CONFIRM).content.decode()
    refusal = members.LAST_OWNER.format(name="Lee Leaver")
    assert escape(f"Not removed here: {refusal}") in page
    steps = _run(_start(owner_client))
    assert steps["Acme (sandbox)/membership"] == (State.SKIPPED, refusal)
    assert steps["Globex (sandbox)/membership"][0] == State.DONE
    assert teams.upstream(teams.sandbox.team_slug) and not teams.upstream(GLOBEX_SLUG)
    assert _deletes(teams, teams.sandbox.team_slug) == 0


def test_a_team_missing_the_scope_is_skipped_and_the_scope_named(
    owner_client: Client, teams: Teams
) -> None:
    teams.drop_scope(teams.globex, "delete:members")
    page = owner_client.get(CONFIRM).content.decode()
    assert "Skipped here — missing scope <code>delete:members</code>." in page
    steps = _run(_start(owner_client))
    state, reason = steps["Globex (sandbox)/membership"]
    assert state == State.SKIPPED and "`delete:members`" in reason
    assert steps["Acme (sandbox)/membership"][0] == State.DONE
    # The invitation is withdrawn all the same: that needs no scope.
    assert steps["Globex (sandbox)/invitation"][0] == State.DONE
    assert teams.upstream(GLOBEX_SLUG) and _deletes(teams, GLOBEX_SLUG) == 0
    result = owner_client.get(reverse("people:job", args=[OffboardJob.objects.get().pk]))
    assert ">Skipped</span>" in result.content.decode()
    people = owner_client.get(reverse("people:search")).content.decode()
    assert "Recent offboardings" in people and "2 done, 1 skipped</li>" in people


def test_an_api_failure_fails_the_step_and_retry_succeeds(
    owner_client: Client, teams: Teams
) -> None:
    teams.sandbox.set_faults(error_rate=1.0, error_statuses=[503])
    job = _start(owner_client)
    steps = _run(job)
    assert steps["Acme (sandbox)/membership"][0] == State.FAILED
    assert steps["Globex (sandbox)/membership"][0] == State.FAILED
    assert "The Teams API failed (503)." in steps["Acme (sandbox)/membership"][1]
    job_url = reverse("people:job", args=[job.pk])
    page = owner_client.get(job_url).content.decode()
    assert page.count(">Retry</button>") == 2
    teams.sandbox.clear_faults()
    failed = job.steps.get(auth_tenant=teams.acme, kind=OffboardStep.Kind.MEMBERSHIP)
    retry = reverse("people:step-retry", args=[failed.pk])
    token = form_token(owner_client, job_url)
    response = owner_client.post(retry, {"form_token": token}, follow=True)
    assert "Trying again in Acme (sandbox)." in response.content.decode()
    owner_client.post(retry, {"form_token": token})  # a double click retries once
    assert AuditEntry.objects.filter(action=AuditAction.OFFBOARD_RETRY).count() == 1
    steps = _run(job)
    assert steps["Acme (sandbox)/membership"][0] == State.DONE
    assert steps["Globex (sandbox)/membership"][0] == State.FAILED
    assert not teams.upstream(teams.sandbox.team_slug) and teams.upstream(GLOBEX_SLUG)
    assert job.steps.get(pk=failed.pk).attempts == 2


def test_a_step_left_in_progress_is_checked_before_acting_again(
    owner_client: Client, teams: Teams
) -> None:
    """A worker died mid-job: Acme's removal had happened, Globex's had not been sent."""
    job = _start(owner_client)
    acme_step = job.steps.get(auth_tenant=teams.acme)
    members.member_remove(
        actor=job.actor,  # type: ignore[arg-type]
        auth_tenant=teams.acme,
        member_id=acme_step.member_id,
    )
    job.steps.filter(kind=OffboardStep.Kind.MEMBERSHIP).update(
        state=State.IN_PROGRESS, updated_at=_LEASE_GONE
    )
    teams.sandbox.clear_requests_log()
    steps = _run(job)
    assert steps["Acme (sandbox)/membership"] == (
        State.DONE,
        "Already removed (checked after the job was interrupted).",
    )
    assert _deletes(teams, teams.sandbox.team_slug) == 0
    assert steps["Globex (sandbox)/membership"][0] == State.DONE
    assert _deletes(teams, GLOBEX_SLUG) == 1
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_REMOVE).count() == 2


def test_a_removal_auth0_already_made_is_not_sent_again(owner_client: Client, teams: Teams) -> None:
    """Interrupted after Auth0 removed the member but before the mirror followed."""
    job = _start(owner_client)
    teams.sandbox.api("DELETE", f"/api/members/auth0%7Cleaver-of-{teams.sandbox.team_slug}")
    job.steps.filter(auth_tenant=teams.acme).update(state=State.IN_PROGRESS, updated_at=_LEASE_GONE)
    teams.sandbox.clear_requests_log()
    steps = _run(job)
    assert steps["Acme (sandbox)/membership"][0] == State.DONE
    assert _deletes(teams, teams.sandbox.team_slug) == 0
    assert teams.mirrored(teams.acme).removed_at is not None
    entry = AuditEntry.objects.filter(action=AuditAction.MEMBER_REMOVE).order_by("pk").first()
    assert entry is not None and "when the offboarding resumed" in entry.message


def test_a_step_another_worker_holds_is_left_to_it(owner_client: Client, teams: Teams) -> None:
    """A second run of the job (a retry, a redelivered task) while the first is mid-step."""
    job = _start(owner_client)
    job.steps.filter(auth_tenant=teams.acme).update(state=State.IN_PROGRESS)  # claimed just now
    teams.sandbox.clear_requests_log()
    steps = _run(job)
    assert steps["Acme (sandbox)/membership"][0] == State.IN_PROGRESS
    assert _deletes(teams, teams.sandbox.team_slug) == 0
    assert steps["Globex (sandbox)/membership"][0] == State.DONE
    assert job.steps.get(auth_tenant=teams.acme, kind=OffboardStep.Kind.MEMBERSHIP).attempts == 0


def test_done_steps_are_never_repeated(owner_client: Client, teams: Teams) -> None:
    job = _start(owner_client)
    _run(job)
    teams.sandbox.clear_requests_log()
    offboard_run_task.apply(args=(job.pk,))  # the task, as a redelivered message would run it
    assert teams.sandbox.requests_log() == []
    assert set(job.steps.values_list("attempts", flat=True)) == {1}


def test_helpdesk_and_auditors_cannot_offboard(
    helpdesk_client: Client, auditor_client: Client, teams: Teams
) -> None:
    for client in (helpdesk_client, auditor_client):
        assert client.get(CONFIRM).status_code == 403
        response = client.post(OFFBOARD, {"email": LEAVER, "confirmation": LEAVER})
        assert response.status_code == 403
    assert not OffboardJob.objects.exists() and teams.upstream(GLOBEX_SLUG)


def test_confirming_queues_the_job_for_a_worker(owner_client: Client, teams: Teams) -> None:
    """Celery's eager path: the queued task (its id argument serialised) runs the whole job."""
    celery_app.conf.update(task_always_eager=True)
    try:
        job = _start(owner_client)
    finally:
        celery_app.conf.update(task_always_eager=False)
    assert set(job.steps.values_list("state", flat=True)) == {State.DONE}
    assert not teams.upstream(teams.sandbox.team_slug) and not teams.upstream(GLOBEX_SLUG)


def test_beat_queues_again_a_job_whose_worker_stopped(owner_client: Client, teams: Teams) -> None:
    job = _start(owner_client)
    assert offboard_resume_task.apply().get() == 0  # just queued: its worker has a lease's time
    # Nobody touched the steps for an hour: the worker was killed, or the task was lost.
    job.steps.filter(auth_tenant=teams.acme).update(state=State.IN_PROGRESS, updated_at=_LEASE_GONE)
    job.steps.exclude(auth_tenant=teams.acme).update(updated_at=_LEASE_GONE)

    celery_app.conf.update(task_always_eager=True)
    try:
        assert offboard_resume_task.apply().get() == 1
    finally:
        celery_app.conf.update(task_always_eager=False)

    assert set(job.steps.values_list("state", flat=True)) == {State.DONE}
    assert not teams.upstream(teams.sandbox.team_slug) and not teams.upstream(GLOBEX_SLUG)
