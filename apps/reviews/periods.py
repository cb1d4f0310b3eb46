"""Which period a recurring review belongs to: the first day of its month, quarter or half."""

from __future__ import annotations

from datetime import date

from apps.reviews.models import Recurrence

# The months a period may start in, per recurrence.
_PERIOD_MONTHS = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.HALF_YEARLY: 6,
}


def period_start(recurrence: str, today: date) -> date:
    """The first day of the period holding `today`; a one-off review's period is its own day."""
    months = _PERIOD_MONTHS.get(Recurrence(recurrence))
    if months is None:
        return today
    first_month = (today.month - 1) // months * months + 1
    return date(today.year, first_month, 1)
