"""Events per day for the activity page's chart: one GROUP BY, laid out as SVG bars and a table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from apps.activity import selectors
from apps.teamsapi.contract import ActivityStatus

if TYPE_CHECKING:
    from apps.activity.selectors import ActivityFilters
    from apps.authtenants.models import AuthTenant

DEFAULT_DAYS = 30
# Bounds the GROUP BY and keeps bars wide enough to read.
MAX_DAYS = 92
BAR_WIDTH, BAR_GAP, HEIGHT = 10, 2, 80


@dataclass(frozen=True)
class Day:
    """One day's bar: events by status (drawn stacked) and by type (listed in the table)."""

    day: date
    success: int
    failure: int
    by_type: dict[str, int]
    x: int = 0
    success_y: float = 0
    success_height: float = 0
    failure_y: float = 0
    failure_height: float = 0
    type_counts: tuple[int, ...] = ()  # in DayChart.types order

    @property
    def total(self) -> int:
        return self.success + self.failure


@dataclass(frozen=True)
class DayChart:
    days: list[Day]
    types: list[str]
    width: int
    height: int
    peak: int
    bar_width: int = BAR_WIDTH

    @property
    def total(self) -> int:
        return sum(day.total for day in self.days)


def _span(filters: ActivityFilters) -> tuple[datetime, datetime]:
    end = filters.until or timezone.now()
    start = filters.since or end - timedelta(days=DEFAULT_DAYS)
    return max(start, end - timedelta(days=MAX_DAYS)), end


def day_chart(*, auth_tenant: AuthTenant, filters: ActivityFilters) -> DayChart:
    """Matching events per day over the filter's dates (the last 30 days when none are set)."""
    start, end = _span(filters)
    rows = selectors.activity_per_day(
        auth_tenant=auth_tenant, filters=replace(filters, since=start, until=end), since=start
    )
    first, last = timezone.localdate(start), timezone.localdate(end - timedelta(microseconds=1))
    by_status: dict[date, Counter[str]] = {}
    by_type: dict[date, Counter[str]] = {}
    for row in rows:
        by_status.setdefault(row.day, Counter())[row.status] += row.count
        by_type.setdefault(row.day, Counter())[row.type or "—"] += row.count
    days = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        statuses = by_status.get(day, Counter())
        failure = sum(c for s, c in statuses.items() if s != ActivityStatus.SUCCESS)
        days.append(Day(day, statuses[ActivityStatus.SUCCESS], failure, dict(by_type.get(day, {}))))
    return _laid_out(days)


def _laid_out(days: list[Day]) -> DayChart:
    peak = max((day.total for day in days), default=0)
    types = sorted({name for day in days for name in day.by_type})
    scale = HEIGHT / peak if peak else 0
    placed = []
    for n, day in enumerate(days):
        success_height, failure_height = day.success * scale, day.failure * scale
        placed.append(
            replace(
                day,
                x=n * (BAR_WIDTH + BAR_GAP),
                success_y=HEIGHT - success_height,
                success_height=success_height,
                failure_y=HEIGHT - success_height - failure_height,
                failure_height=failure_height,
                type_counts=tuple(day.by_type.get(name, 0) for name in types),
            )
        )
    width = max(len(days) * (BAR_WIDTH + BAR_GAP), BAR_WIDTH)
    return DayChart(days=placed, types=types, width=width, height=HEIGHT, peak=peak)
