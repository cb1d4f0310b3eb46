"""The Celery app: configured from Django settings (CELERY_ namespace), tasks autodiscovered."""

from __future__ import annotations

import contextlib
import os
from contextvars import Token
from typing import Any

from celery import Celery, signals
from django.conf import settings

from apps.access import tasknames as access_tasknames
from apps.core.requestid import current_request_id
from apps.people import tasknames as people_tasknames
from apps.reviews import tasknames as review_tasks
from apps.sync import tasknames

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamsadmin.settings")

app = Celery("teamsadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _keep_django_logging(**kwargs: Any) -> None:
    """Workers and beat keep Django's LOGGING (set up with Django) instead of Celery's own, so
    their console follows the same rules as the web server's (LOG_FORMAT=json included)."""


_bound: dict[str, Token[str]] = {}


@signals.task_prerun.connect
def _bind_task_id(task_id: str = "", **kwargs: Any) -> None:
    """A task's log lines carry its id where a request's carry the request id."""
    _bound[task_id] = current_request_id.set(task_id)


@signals.task_postrun.connect
def _unbind_task_id(task_id: str = "", **kwargs: Any) -> None:
    token = _bound.pop(task_id, None)
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context: nothing to restore
            current_request_id.reset(token)


app.conf.beat_schedule = {
    "activity-sync-all": {
        "task": tasknames.SYNC_ALL,
        "args": ("activity",),
        "schedule": float(settings.TEAMSADMIN_SYNC_INTERVAL_SECONDS),
    },
    "directory-sync-all": {
        "task": tasknames.SYNC_ALL,
        "args": ("directory",),
        "schedule": float(settings.TEAMSADMIN_DIRECTORY_SYNC_INTERVAL_SECONDS),
    },
    "sync-runs-prune": {
        "task": tasknames.RUNS_PRUNE,
        "schedule": 24 * 60 * 60.0,
    },
    # Time-boxed access must end within a minute of its end; a run left over from a stalled
    # beat is dropped rather than queued behind the next one.
    "access-expired-revoke": {
        "task": access_tasknames.EXPIRED_REVOKE,
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Pages already read old pending invitations as expired; this stores it for exports and SQL.
    "invitations-expire": {
        "task": tasknames.INVITATIONS_EXPIRE,
        "schedule": 60 * 60.0,
    },
    # Does nothing while TEAMSADMIN_ACTIVITY_RETENTION_DAYS is unset (events kept forever).
    "activity-prune": {
        "task": tasknames.ACTIVITY_PRUNE,
        "schedule": 24 * 60 * 60.0,
    },
    # A bulk invite or an offboarding whose worker was killed goes on within a minute of its
    # lease running out (TEAMSADMIN_JOB_LEASE_SECONDS), not when the broker redelivers.
    "bulk-invites-resume": {
        "task": tasknames.BULK_INVITES_RESUME,
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "offboard-resume": {
        "task": people_tasknames.OFFBOARD_RESUME,
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Access reviews: each opens a period's campaign once (a unique period per plan), so a
    # second beat or a redelivered task opens nothing twice.
    "reviews-open-due": {"task": review_tasks.OPEN_DUE, "schedule": 60 * 60.0},
    "reviews-close-due": {"task": review_tasks.CLOSE_DUE, "schedule": 60 * 60.0},
    "reviews-remind": {"task": review_tasks.REMIND, "schedule": 24 * 60 * 60.0},
}
