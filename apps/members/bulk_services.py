"""Bulk invite writes: keep a checked list, start sending it, and the worker that sends it.

Each line goes out through `services.member_invite`, the single invite's path, so it is checked,
audited and kept in the invitation ledger the same way.

Exactly once across crashes: a row is claimed ("sending", committed) before its API call and
marked sent in the transaction that keeps its invitation. A worker that finds a row still
"sending" cannot know whether the API got it, so it reads the team's activity log: a successful
`member_invited` for that email since the claim (less BULK_CLOCK_SKEW) means it was sent and the
row is completed from there; no such entry means it was not, and the row is sent again. When the
log cannot be read the row fails with that reason and is never sent blind.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.authtenants.connection import teams_client
from apps.authtenants.scopes import require_scope
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.directory import follow
from apps.members import bulk, services
from apps.members.models import BulkInvite, BulkInviteRow
from apps.sync import tasknames
from apps.sync.queue import task_send
from apps.teamsapi import types
from apps.teamsapi.contract import ActivityEventName, ActivityStatus, ActivityType, OperationName
from apps.teamsapi.errors import (
    TeamsApiError,
    TeamsApiRateLimited,
    TeamsApiTimeout,
    TeamsApiUnavailable,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

    from apps.authtenants.models import AuthTenant

logger = logging.getLogger(__name__)

# Our clock against Auth0's when looking for a row's invitation in the activity log.
BULK_CLOCK_SKEW = timedelta(minutes=2)
CONFIRMED_FROM_LOG = "Sent before the worker stopped; confirmed in the team's activity log."
UNKNOWN_FATE = (
    "The worker stopped while sending this line and the team's activity log could not be read "
    "({reason}); check Invitations before inviting this person again."
)
MAX_ATTEMPTS = 3
GAVE_UP = (
    f"The Teams API failed {MAX_ATTEMPTS} times and its activity log shows no invitation; "
    "not sent. Invite this person again later."
)
# A 5xx or timeout on the POST may still have created the invitation (§10: never retried).
_FATE_UNKNOWN = (TeamsApiUnavailable, TeamsApiTimeout)


def bulk_invite_preview(
    *, actor: AbstractBaseUser, auth_tenant: AuthTenant, source: str, text: str
) -> BulkInvite:
    """Check every line of a list and keep it unsent; ServiceError when the list is unreadable."""
    require(actor, Capability.INVITE_MEMBER)
    try:
        lines = bulk.check(auth_tenant, bulk.read_lines(text))
    except bulk.ListRefused as refused:
        raise ServiceError(refused.message) from None
    with transaction.atomic():
        job = BulkInvite.objects.create(
            auth_tenant=auth_tenant,
            source=source[:255],
            created_by_id=actor.pk,
        )
        BulkInviteRow.objects.bulk_create(
            [_row(job, line) for line in lines], batch_size=bulk.MAX_ROWS
        )
    return job


def _row(job: BulkInvite, line: bulk.Line) -> BulkInviteRow:
    problems = " ".join(line.problems)
    return BulkInviteRow(
        job=job,
        line=line.line,
        email=line.email,
        team_role=line.team_role,
        tenants_text=line.tenants_text,
        tenant_ids=line.tenant_ids,
        tenant_roles=line.tenant_roles,
        client_ids=line.client_ids,
        state=BulkInviteRow.State.INVALID if problems else BulkInviteRow.State.READY,
        message=problems[:500],
    )


def bulk_invite_send(
    *, actor: AbstractBaseUser, job: BulkInvite, request: HttpRequest | None = None
) -> int:
    """Start sending the list's valid lines in the background; returns how many will go out."""
    require(actor, Capability.INVITE_MEMBER)
    require_scope(job.auth_tenant, OperationName.INVITE_MEMBER)
    ready = job.rows.filter(state=BulkInviteRow.State.READY).count()
    if not ready:
        raise ServiceError("No line of this list can be sent; fix the list and upload it again.")
    with transaction.atomic():
        started = BulkInvite.objects.filter(pk=job.pk, state=BulkInvite.State.PREVIEW).update(
            state=BulkInvite.State.QUEUED,
            started_by=actor,
            started_by_username=actor.get_username(),
            started_at=timezone.now(),
        )
        if not started:
            raise ServiceError("This list is already being sent; nothing was sent twice.")
        audit_record(
            actor=actor,
            auth_tenant=job.auth_tenant,
            action=AuditAction.BULK_INVITE,
            target_type="bulk invite",
            target_id=str(job.pk),
            target_label=job.source,
            parameters={"lines": ready, "refused": job.rows.count() - ready},
            request=request,
        )
        task_send(tasknames.BULK_INVITE_RUN, job.pk)
    return ready


# --- the worker --------------------------------------------------------------------------------


def _lease(job_id: int, holder: str) -> bool:
    """Take or renew the job's lease; False while another live worker holds it."""
    now = timezone.now()
    until = now + timedelta(seconds=settings.TEAMSADMIN_JOB_LEASE_SECONDS)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_holder=holder)
    return bool(
        BulkInvite.objects.filter(free, pk=job_id)
        .filter(state__in=[BulkInvite.State.QUEUED, BulkInvite.State.RUNNING])
        .update(state=BulkInvite.State.RUNNING, lease_until=until, lease_holder=holder)
    )


def bulk_invite_run(*, job_id: int) -> str:
    """Send the job's remaining lines one at a time; returns "done", "busy" or "gone".

    Rows left "sending" by a stopped worker are resolved first (see the module docstring).
    """
    holder = secrets.token_hex(8)
    if not _lease(job_id, holder):
        exists = BulkInvite.objects.filter(pk=job_id, state__in=["queued", "running"]).exists()
        return "busy" if exists else "gone"
    job = BulkInvite.objects.select_related("auth_tenant", "started_by").get(pk=job_id)
    for stranded in job.rows.filter(state=BulkInviteRow.State.SENDING):
        _resolve(job, stranded)
    renewed = time.monotonic()
    while (row := _next_row(job)) is not None:
        if time.monotonic() - renewed > _renew_every():  # well before it lapses
            if not _lease(job_id, holder):
                return "busy"  # it lapsed after all and another worker took over
            renewed = time.monotonic()
        _send(job, row)
    BulkInvite.objects.filter(pk=job_id, lease_holder=holder).update(
        state=BulkInvite.State.DONE, finished_at=timezone.now(), lease_until=None
    )
    return "done"


def bulk_invites_resume_stalled() -> int:
    """Queue again every started list that no live worker holds: its worker was killed, or its
    task never reached the broker. Waiting for the broker to redeliver can take an hour (Redis's
    visibility timeout); this is beat's every minute. The run's lease keeps each list to one
    worker even when the old task comes back too. Returns how many were queued."""
    now = timezone.now()
    lapsed = now - timedelta(seconds=settings.TEAMSADMIN_JOB_LEASE_SECONDS)
    stalled = BulkInvite.objects.filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, started_at__lt=lapsed),
        state__in=[BulkInvite.State.QUEUED, BulkInvite.State.RUNNING],
    ).values_list("pk", flat=True)
    job_ids = list(stalled)
    for job_id in job_ids:
        logger.warning("bulk invite resumed", extra={"bulk_invite": job_id})
        task_send(tasknames.BULK_INVITE_RUN, job_id)
    return len(job_ids)


def _renew_every() -> float:
    return float(settings.TEAMSADMIN_JOB_LEASE_SECONDS) / 3


def _next_row(job: BulkInvite) -> BulkInviteRow | None:
    return job.rows.filter(state=BulkInviteRow.State.READY).order_by("line").first()


def _finish(row: BulkInviteRow, state: str, message: str = "") -> None:
    row.state, row.message, row.finished_at = state, message[:500], timezone.now()
    row.save(update_fields=["state", "message", "finished_at", "invitation"])


def _send(job: BulkInvite, row: BulkInviteRow) -> None:
    if row.attempts >= MAX_ATTEMPTS:
        _finish(row, BulkInviteRow.State.FAILED, GAVE_UP)
        return
    now = timezone.now()
    claimed = BulkInviteRow.objects.filter(pk=row.pk, state=BulkInviteRow.State.READY).update(
        state=BulkInviteRow.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return
    row.state, row.claimed_at, row.attempts = BulkInviteRow.State.SENDING, now, row.attempts + 1

    def sent(invitation: object) -> None:
        row.invitation = invitation  # type: ignore[assignment]
        _finish(row, BulkInviteRow.State.SENT)

    try:
        services.member_invite(
            actor=job.started_by,  # type: ignore[arg-type]
            auth_tenant=job.auth_tenant,
            invite=services.InviteRequest(
                email=row.email,
                role=row.team_role,
                tenant_ids=row.tenant_ids,
                tenant_roles=row.tenant_roles,
                client_ids=row.client_ids,
            ),
            on_recorded=sent,
        )
    except ServiceError as error:
        cause = error.__cause__
        if isinstance(cause, TeamsApiRateLimited):
            # Refused before anything was done: wait as asked and send it again.
            BulkInviteRow.objects.filter(pk=row.pk).update(state=BulkInviteRow.State.READY)
            time.sleep(min(cause.retry_after or 1.0, 60.0))
        elif isinstance(cause, _FATE_UNKNOWN):
            _resolve(job, row)
        else:
            _finish(row, BulkInviteRow.State.FAILED, error.message)
    except PermissionDenied as error:
        _finish(row, BulkInviteRow.State.FAILED, str(error))


def _invited_since(job: BulkInvite, row: BulkInviteRow) -> bool:
    """Whether the activity log holds a successful invitation of the row's email since its claim."""
    since = (row.claimed_at or timezone.now()) - BULK_CLOCK_SKEW
    email = row.email.casefold()
    with teams_client(job.auth_tenant) as client:
        for entry in client.iter_activity(
            since=since, type=ActivityType.TEAM_INVITATION, status=ActivityStatus.SUCCESS
        ):
            if entry.current_event != ActivityEventName.MEMBER_INVITED:
                continue
            if str(entry.details.get("email", "")).casefold() == email:
                return True
    return False


def _resolve(job: BulkInvite, row: BulkInviteRow) -> None:
    """Settle a row whose API call may or may not have gone through (see the module docstring)."""
    try:
        invited = _invited_since(job, row)
    except TeamsApiError as error:
        _finish(row, BulkInviteRow.State.FAILED, UNKNOWN_FATE.format(reason=error))
        return
    if not invited:
        BulkInviteRow.objects.filter(pk=row.pk).update(state=BulkInviteRow.State.READY)
        return
    upstream = types.Invitation(
        id="",  # the activity log does not name the invitation id
        email=row.email,
        role=row.team_role,
        tenant_ids=row.tenant_ids,
        tenant_roles=row.tenant_roles,
        client_ids=row.client_ids,
    )
    with transaction.atomic():
        row.invitation = follow.invitation_recorded(
            job.auth_tenant, upstream, invited_by=job.started_by
        )
        audit_record(
            actor=job.started_by,
            auth_tenant=job.auth_tenant,
            action=AuditAction.MEMBER_INVITE,
            target_type="invitation",
            target_label=row.email,
            parameters={"email": row.email, "role": row.team_role, "bulk_invite": job.pk},
            message=CONFIRMED_FROM_LOG,
        )
        _finish(row, BulkInviteRow.State.SENT, CONFIRMED_FROM_LOG)
    logger.info("bulk invite row confirmed from the activity log", extra={"job": job.pk})
