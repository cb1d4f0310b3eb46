"""Celery side of offboarding: run one job's waiting steps."""

from __future__ import annotations

from celery import shared_task

from apps.people import services
from apps.people.models import OffboardJob


@shared_task(name="people.offboard_run", acks_late=True, reject_on_worker_lost=True)
def offboard_run_task(job_id: int) -> None:
    """Carry out the job's waiting steps; a redelivery after a lost worker resumes, never repeats
    a done step (see services.offboard_run)."""
    job = OffboardJob.objects.filter(pk=job_id).first()
    if job is not None:
        services.offboard_run(job=job)
