"""Celery side of time-boxed access: the scheduled revoke, run by beat every half minute."""

from __future__ import annotations

from celery import shared_task

from apps.access import scheduled, tasknames


@shared_task(name=tasknames.EXPIRED_REVOKE, ignore_result=True)
def access_expired_revoke_task() -> dict[str, int]:
    """Revoke access whose end has passed; failures stay due with a backoff (no task retry)."""
    return scheduled.access_expired_revoke().as_data()
