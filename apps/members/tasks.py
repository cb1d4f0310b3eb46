"""Celery side of bulk invites: the worker that sends a started list, and beat's check that
no started list is left without one."""

from __future__ import annotations

from celery import shared_task

from apps.members import bulk_services
from apps.sync import tasknames


# Late acks: a worker killed mid-list leaves the message to be redelivered, and the run resumes
# from the rows' committed states without sending any line twice.
@shared_task(name=tasknames.BULK_INVITE_RUN, acks_late=True, reject_on_worker_lost=True)
def bulk_invite_run_task(bulk_invite_id: int) -> str:
    """Send the bulk invite's remaining lines; "busy" when another worker holds it."""
    return bulk_services.bulk_invite_run(job_id=bulk_invite_id)


@shared_task(name=tasknames.BULK_INVITES_RESUME)
def bulk_invites_resume_task() -> int:
    """Queue again the lists whose worker stopped (beat, every minute)."""
    return bulk_services.bulk_invites_resume_stalled()
