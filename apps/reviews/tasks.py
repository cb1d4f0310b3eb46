"""Beat's side of access reviews: open each period's campaigns, close the items whose access
ended on its own, close campaigns at the due date (applying decisions when the campaign says so),
retry failed applications, remind reviewers."""

from __future__ import annotations

from celery import shared_task

from apps.reviews import applying, services, tasknames


@shared_task(name=tasknames.OPEN_DUE, acks_late=True, reject_on_worker_lost=True)
def open_due_task() -> int:
    """Open this period's campaign of each recurring plan; safe to run twice at once."""
    return len(services.campaigns_open_due())


@shared_task(name=tasknames.CLOSE_DUE, acks_late=True, reject_on_worker_lost=True)
def close_due_task() -> int:
    """Close items whose access ended on its own and campaigns past their due date, apply those
    set to, retry failed applications."""
    services.campaigns_reconcile()
    closed = services.campaigns_close_due()
    for campaign in closed:
        applying.apply_on_close(campaign=campaign)
    applying.applications_retry()
    return len(closed)


@shared_task(name=tasknames.REMIND)
def remind_task() -> int:
    """Email the reviewers of campaigns that still wait for decisions."""
    return services.reminders_send()
