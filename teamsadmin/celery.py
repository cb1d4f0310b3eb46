"""The Celery app: configured from Django settings (CELERY_ namespace), tasks autodiscovered."""

from __future__ import annotations

import os

from celery import Celery
from django.conf import settings

from apps.sync import tasknames

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamsadmin.settings")

app = Celery("teamsadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
}
