"""Enqueueing sync tasks by name, after the current transaction commits.

The tasks are registered by the apps that do the work (under the names in `tasknames`), so
sending by name keeps this app from importing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from celery import current_app
from django.db import transaction

from apps.sync.tasknames import SYNC_TASK_BY_KIND

# Directory first: the pages list tenants and members before anyone reads the activity.
DEFAULT_KINDS = ("directory", "activity")


def task_send(name: str, *args: object) -> None:
    """Queue the task `name` once the transaction commits; a failure to queue is logged.

    `send_task` ignores CELERY_TASK_ALWAYS_EAGER, so in eager mode the registered task runs
    here instead.
    """
    transaction.on_commit(partial(_send, name, args), robust=True)


def _send(name: str, args: tuple[object, ...]) -> None:
    if current_app.conf.task_always_eager:
        current_app.loader.import_default_modules()
        current_app.tasks[name].apply(args=args)
    else:
        current_app.send_task(name, args=args)


def sync_enqueue(*, auth_tenant_id: int, kinds: Iterable[str] = DEFAULT_KINDS) -> None:
    """Queue the syncs of `kinds` ("directory", "activity") for one Auth Tenant."""
    for kind in kinds:
        task_send(SYNC_TASK_BY_KIND[kind], auth_tenant_id)
