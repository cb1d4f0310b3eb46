"""The Celery app: configured from Django settings (CELERY_ namespace), tasks autodiscovered."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals
from django.conf import settings

from apps.sync import tasknames

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamsadmin.settings")

app = Celery("teamsadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _keep_django_logging(**kwargs: Any) -> None:
    """Workers and beat keep Django's LOGGING (set up with Django) instead of Celery's own, so
    their console follows the same rules as the web server's."""


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
    # Does nothing while TEAMSADMIN_ACTIVITY_RETENTION_DAYS is unset (events kept forever).
    "activity-prune": {
        "task": tasknames.ACTIVITY_PRUNE,
        "schedule": 24 * 60 * 60.0,
    },
}
