"""People writes: start an offboarding, run its steps one at a time, retry a failed step.

Each step's state is committed before and after its action, so a worker that dies mid-job is
picked up where it stopped: done steps stay done, and a step found in progress is checked
against the mirror and Auth0 before it is tried again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record, audited
from apps.authtenants.connection import teams_client
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.directory import follow
from apps.directory import selectors as mirror
from apps.members import services as members
from apps.people import selectors, tasknames
from apps.people.models import OffboardJob, OffboardStep
from apps.sync.queue import task_send
from apps.teamsapi.contract import OperationName
from apps.teamsapi.errors import TeamsApiError, TeamsApiNotFound

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

State = OffboardStep.State
CONFIRM_MISMATCH = "Type the email address exactly as shown to confirm."
NOTHING_TO_DO = "{email} is in no team and has no pending invitation: there is nothing to offboard."


def _steps(job: OffboardJob, plan: selectors.OffboardPlan) -> list[OffboardStep]:
    steps = []
    for team_plan in plan.teams:
        team, auth_tenant = team_plan.team, team_plan.team.auth_tenant
        common = {"job": job, "auth_tenant": auth_tenant, "auth_tenant_name": auth_tenant.name}
        if team.member is not None:
            state, reason = State.PENDING, ""
            if team_plan.skip_reason or team_plan.refused:
                state, reason = State.SKIPPED, team_plan.skip_reason or team_plan.refused
            steps.append(
                OffboardStep(
                    **common,
                    kind=OffboardStep.Kind.MEMBERSHIP,
                    member_id=team.member.member_id,
                    state=state,
                    reason=reason,
                )
            )
        steps.extend(
            OffboardStep(**common, kind=OffboardStep.Kind.INVITATION, invitation=invitation)
            for invitation in team.invitations
        )
    return steps


def offboard_start(
    *,
    actor: AbstractBaseUser,
    email: str,
    confirmation: str,
    request: HttpRequest | None = None,
) -> OffboardJob:
    """Record an offboarding of `email` from every team, one step per team and invitation,
    and queue it; the typed confirmation must repeat the email (any case)."""
    require(actor, Capability.REMOVE_MEMBER)
    email = email.strip()
    if confirmation.strip().lower() != email.lower():
        raise ServiceError(CONFIRM_MISMATCH, field_errors={"confirmation": [CONFIRM_MISMATCH]})
    plan = selectors.offboard_plan(email=email)
    if not plan.has_work:
        raise ServiceError(NOTHING_TO_DO.format(email=email))
    teams = [team_plan.team.auth_tenant.name for team_plan in plan.teams]
    with (
        audited(
            actor=actor,
            auth_tenant=None,
            action=AuditAction.OFFBOARD_START,
            target_type="person",
            target_label=email,
            parameters={"teams": teams},
            request=request,
        ) as trail,
        trail.atomic(),
    ):
        job = OffboardJob.objects.create(
            email=email, actor_id=actor.pk, actor_username=actor.get_username()
        )
        OffboardStep.objects.bulk_create(_steps(job, plan))
        trail.target_id = str(job.pk)
        task_send(tasknames.OFFBOARD_RUN, job.pk)
    return job


def offboard_step_retry(
    *, actor: AbstractBaseUser, step: OffboardStep, request: HttpRequest | None = None
) -> OffboardStep:
    """Put a failed step back in the queue and run its job again."""
    require(actor, Capability.REMOVE_MEMBER)
    with (
        audited(
            actor=actor,
            auth_tenant=step.auth_tenant,
            action=AuditAction.OFFBOARD_RETRY,
            target_type="person",
            target_id=str(step.job_id),
            target_label=step.job.email,
            parameters={"step": step.get_kind_display()},
            request=request,
        ) as trail,
        trail.atomic(),
    ):
        failed = OffboardStep.objects.filter(pk=step.pk, state=State.FAILED)
        if not failed.update(state=State.PENDING, reason="", updated_at=timezone.now()):
            raise ServiceError("This step is not failed any more; nothing to retry.")
        task_send(tasknames.OFFBOARD_RUN, step.job_id)
    step.state, step.reason = State.PENDING, ""
    return step


def offboard_run(*, job: OffboardJob) -> None:
    """Carry out every waiting step of the job, in order, committing each step's outcome."""
    for step in job.steps.filter(state__in=[State.PENDING, State.IN_PROGRESS]).select_related(
        "auth_tenant", "invitation", "job__actor"
    ):
        recovering = step.state == State.IN_PROGRESS
        if not _claim(step):
            continue  # another worker took it
        try:
            state, reason = _carry_out(step, recovering=recovering)
        except (ServiceError, PermissionDenied) as error:
            state, reason = State.FAILED, str(error)
        _finish(step, state, reason)


def offboard_resume_stalled() -> int:
    """Queue again every job with a step nobody has touched for a lease: its worker was killed,
    or its task never reached the broker (beat, every minute, instead of waiting up to an hour
    for the broker to redeliver). A step a live worker holds stays its own (see _claim).
    Returns how many jobs were queued."""
    lapsed = timezone.now() - timedelta(seconds=settings.TEAMSADMIN_JOB_LEASE_SECONDS)
    waiting = OffboardStep.objects.filter(
        state__in=[State.PENDING, State.IN_PROGRESS], updated_at__lt=lapsed
    )
    job_ids = sorted(set(waiting.values_list("job_id", flat=True)))
    for job_id in job_ids:
        logger.warning("offboarding resumed", extra={"offboard_job": job_id})
        task_send(tasknames.OFFBOARD_RUN, job_id)
    return len(job_ids)


def _claim(step: OffboardStep) -> bool:
    """Mark the step in progress, committed, before acting; False when it changed meanwhile.

    A step another worker holds stays its own until that worker's lease runs out (it was
    killed), so a second run of the job (a retry, a redelivered task) never acts on it too.
    """
    now = timezone.now()
    unchanged = OffboardStep.objects.filter(pk=step.pk, state=step.state)
    if step.state == State.IN_PROGRESS:
        lease = timedelta(seconds=settings.TEAMSADMIN_JOB_LEASE_SECONDS)
        unchanged = unchanged.filter(updated_at__lte=now - lease)
    claimed = unchanged.update(state=State.IN_PROGRESS, attempts=F("attempts") + 1, updated_at=now)
    return bool(claimed)


def _finish(step: OffboardStep, state: str, reason: str) -> None:
    OffboardStep.objects.filter(pk=step.pk).update(
        state=state, reason=reason, updated_at=timezone.now()
    )
    step.state, step.reason = state, reason


def _carry_out(step: OffboardStep, *, recovering: bool) -> tuple[str, str]:
    actor = step.job.actor
    if actor is None:
        raise ServiceError("The owner who started this offboarding no longer has an account.")
    if step.auth_tenant is None:
        raise ServiceError(f"The Auth Tenant {step.auth_tenant_name} was deleted.")
    if step.kind == OffboardStep.Kind.INVITATION:
        return _withdraw(step, actor)
    return _remove(step, actor, recovering=recovering)


def _withdraw(step: OffboardStep, actor: AbstractBaseUser) -> tuple[str, str]:
    invitation = step.invitation
    if invitation is None or invitation.state != invitation.State.PENDING:
        return State.DONE, "The invitation was no longer pending."
    members.invitation_withdraw(actor=actor, invitation=invitation, reason="offboarding")
    return State.DONE, f"Invitation of {invitation.email} withdrawn."


def _remove(step: OffboardStep, actor: AbstractBaseUser, *, recovering: bool) -> tuple[str, str]:
    auth_tenant = step.auth_tenant
    assert auth_tenant is not None  # noqa: S101 -- checked by _carry_out
    scope = selectors.missing_scope(auth_tenant, OperationName.REMOVE_MEMBER)
    if scope:
        return State.SKIPPED, selectors.skip_message(auth_tenant, scope)
    if recovering and _already_gone(step, actor):
        return State.DONE, "Already removed (checked after the job was interrupted)."
    removal = members.member_remove(actor=actor, auth_tenant=auth_tenant, member_id=step.member_id)
    ended = removal.accesses_ended
    tenants = f"{ended} tenant{pluralize(ended)}"
    return State.DONE, f"Removed from the team with their access to {tenants}."


def _already_gone(step: OffboardStep, actor: AbstractBaseUser) -> bool:
    """Whether an interrupted removal already happened: the mirror says so, or Auth0 does."""
    auth_tenant = step.auth_tenant
    assert auth_tenant is not None  # noqa: S101 -- checked by _carry_out
    member = mirror.member_get(auth_tenant=auth_tenant, member_id=step.member_id)
    if member is None or member.removed_at is not None:
        return True
    try:
        with teams_client(auth_tenant) as client:
            client.get_member(step.member_id)
    except TeamsApiNotFound:
        with transaction.atomic():
            follow.member_removed(auth_tenant, step.member_id)
            audit_record(
                actor=actor,
                auth_tenant=auth_tenant,
                action=AuditAction.MEMBER_REMOVE,
                target_type="member",
                target_id=step.member_id,
                target_label=member.email,
                message="Auth0 no longer had this member when the offboarding resumed.",
            )
        return True
    except TeamsApiError as error:
        raise ServiceError(f"Could not check the member in Auth0: {error.message}") from error
    return False
