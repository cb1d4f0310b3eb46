"""Every beat entry names a task a worker has registered: a typo in a task name would otherwise
be dropped by the worker as an unknown message, and the job it stands for would never run."""

from __future__ import annotations

from teamsadmin.celery import app


def test_every_beat_entry_runs_a_registered_task() -> None:
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule

    unknown = {
        name: entry["task"] for name, entry in schedule.items() if entry["task"] not in app.tasks
    }

    assert unknown == {}
    # Stalled jobs are looked for well within a lease (180 s by default).
    assert schedule["bulk-invites-resume"]["schedule"] == 60
    assert schedule["offboard-resume"]["schedule"] == 60
