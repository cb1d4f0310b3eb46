"""Celery side of offboarding: run one job's waiting steps, and beat's check that no job is left
without a worker."""

from __future__ import annotations

from celery import shared_task

from apps.people import services, tasknames
from apps.people.models import OffboardJob


@shared_task(name=tasknames.OFFBOARD_RUN, acks_late=True, reject_on_worker_lost=True)
def offboard_run_task(job_id: int) -> None:
    """Carry out the job's waiting steps; a redelivery after a lost worker resumes, never repeats
    a done step (see services.offboard_run)."""
    job = OffboardJob.objects.filter(pk=job_id).first()
    if job is not None:
        services.offboard_run(job=job)


@shared_task(name=tasknames.OFFBOARD_RESUME)
def offboard_resume_task() -> int:
    """Queue again the jobs whose worker stopped (beat, every minute)."""
    return services.offboard_resume_stalled()
