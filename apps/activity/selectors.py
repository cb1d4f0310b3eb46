"""Reads over the local activity copy: filtered, keyset-paged lists for auditors, and the archive check.

How each filter stays fast at a million events (EXPLAIN on SQLite and PostgreSQL):
- Pages are keyset pages on (created_at, external_id), newest first. `activity_tenant_created`
  (auth_tenant, -created_at, -external_id) returns a page by reading 51 index entries from the
  cursor on, at any depth; an offset would read and discard every row before it.
- The cursor condition is written `created_at <= t AND NOT (created_at = t AND external_id >= id)`:
  the first half is a range on the index, the second only drops the cursor's own timestamp. The
  same condition as one OR is not a range, and the scan would start at the newest event.
- Type and status ride `activity_tenant_type` / `activity_tenant_status` (auth_tenant, field,
  -created_at): equality then created_at order, with only ties on created_at left to sort.
  Combined with other filters, the planner takes the most selective of these and checks the rest
  row by row, reading about 51 / selectivity entries.
- Free text goes through the word index (apps/activity/search.py): the index narrows to events
  holding the words. A word nobody wrote costs one index probe instead of a scan of the log.
- Actor looks the text up among the log's actors, then reads `activity_tenant_actor`
  (auth_tenant, actor_id, -created_at) for those ids (apps/activity/actors.py).
- Counts stop at COUNT_CAP and at COUNT_BUDGET_MS. On PostgreSQL the planner's estimate comes
  first (EXPLAIN, no rows read): past ESTIMATE_FROM the page says "about N" rather than spend
  the budget counting a common word's bitmap to learn only "10,000+".
- Target goes through its own index on PostgreSQL (apps/activity/targets.py): one probe reads
  only the events whose details name the value.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import OperationalError, connection, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from apps.activity import actors, chain, search, targets
from apps.activity.models import ActivityEvent
from apps.core import hashchain
from apps.core.hashchain import ChainReport

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

PAGE_SIZE = 50
# Counting stops here: an exact count of a million rows would cost more than the page itself.
COUNT_CAP = 10_000
# Past this many matches by the planner's estimate the page gives the estimate, uncounted.
ESTIMATE_FROM = 10 * COUNT_CAP
# Counting 10,000 sparse matches (a rare type and status, found one in sixty rows) reads most of
# the log. The count gets this long; past it the page says "many" instead of a number.
COUNT_BUDGET_MS = 10
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ActivityFilters:
    """What an auditor narrows the log by; empty values mean "any"."""

    type: str = ""
    status: str = ""
    actor: str = ""
    actor_type: str = ""
    target: str = ""
    q: str = ""
    since: datetime | None = None
    until: datetime | None = None


class InvalidCursor(ValueError):
    """A page cursor that this page did not write (edited, truncated or from elsewhere)."""


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first order: an event's (created_at, external_id)."""

    created_at: datetime
    external_id: str

    @classmethod
    def of(cls, event: ActivityEvent) -> Cursor:
        return cls(event.created_at, event.external_id)

    def encode(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        raw = f"{micros}:{self.external_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Parse an encoded cursor; raises InvalidCursor for anything `encode` cannot produce."""
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            micros, external_id = raw.split(":", 1)
            created_at = _EPOCH + timedelta(microseconds=int(micros))
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
            raise InvalidCursor(value) from exc
        if not external_id or len(external_id) > 64 or "\x00" in external_id:
            raise InvalidCursor(value)
        return cls(created_at, external_id)


@dataclass(frozen=True)
class ActivityPage:
    """One page of events and the cursors that lead away from it."""

    events: list[ActivityEvent]
    newer: Cursor | None  # ?after= for the next newer page; None on the newest page
    older: Cursor | None  # ?before= for the next older page; None on the oldest page
    count: int | None  # matching events, counted up to COUNT_CAP + 1; None: not counted
    is_newest: bool
    estimate: int | None = None  # the planner's figure, when too many to count (PostgreSQL)

    @property
    def count_text(self) -> str:
        """How many match: "1 event", "1,234 events", "10,000+ events" past the cap, "about
        500,000 events" from the planner, or "many"."""
        if self.count is None and self.estimate is not None:
            return f"About {_two_figures(self.estimate):,} events (estimated)"
        if self.count is None:
            return "Many events (too many to count quickly)"
        if self.count > COUNT_CAP:
            return f"{COUNT_CAP:,}+ events"
        return f"{self.count:,} event{'' if self.count == 1 else 's'}"


def activity_list(
    *, auth_tenant: AuthTenant, filters: ActivityFilters | None = None
) -> QuerySet[ActivityEvent]:
    """The Auth Tenant's stored activity, newest first, narrowed by the filters."""
    filters = filters or ActivityFilters()
    events = ActivityEvent.objects.filter(auth_tenant=auth_tenant)
    exact = {
        "type": filters.type,
        "status": filters.status,
        "actor_type": filters.actor_type,
        "created_at__gte": filters.since,
        "created_at__lt": filters.until,
    }
    events = events.filter(**{key: value for key, value in exact.items() if value})
    if filters.actor:
        events = events.filter(actors.matches(auth_tenant.pk, filters.actor))
    if filters.target:
        events = events.filter(targets.names(filters.target))
    if filters.q:
        events = events.filter(search.matches(filters.q))
    return events.order_by("-created_at", "-external_id")


def older_than(events: QuerySet[ActivityEvent], cursor: Cursor) -> QuerySet[ActivityEvent]:
    """The events before the cursor in the log's order, written as a range on the index."""
    return events.filter(created_at__lte=cursor.created_at).exclude(
        created_at=cursor.created_at, external_id__gte=cursor.external_id
    )


def newer_than(events: QuerySet[ActivityEvent], cursor: Cursor) -> QuerySet[ActivityEvent]:
    """The events after the cursor in the log's order, written as a range on the index."""
    return events.filter(created_at__gte=cursor.created_at).exclude(
        created_at=cursor.created_at, external_id__lte=cursor.external_id
    )


def activity_page(
    *,
    auth_tenant: AuthTenant,
    filters: ActivityFilters,
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> ActivityPage:
    """The page of matching events just older than `before`, just newer than `after`, or the newest.

    Pages are keyset pages, so events stored between two page loads never shift a walk: following
    `older` from the newest page reaches every event present at the start exactly once.
    """
    events = activity_list(auth_tenant=auth_tenant, filters=filters)
    if after is not None:
        rows = list(newer_than(events, after).reverse()[: size + 1])
        if len(rows) <= size:  # fewer than a page is newer: that is the newest page
            return activity_page(auth_tenant=auth_tenant, filters=filters, size=size)
        rows = rows[:size][::-1]
        has_older = True
    else:
        rows = list((events if before is None else older_than(events, before))[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
    is_newest = after is None and before is None
    # The newest page with nothing older holds every match: no count query needed.
    count, estimate = (len(rows), None) if is_newest and not has_older else _count(events)
    return ActivityPage(
        events=rows,
        newer=Cursor.of(rows[0]) if rows and not is_newest else None,
        older=Cursor.of(rows[-1]) if rows and has_older else None,
        count=count,
        is_newest=is_newest,
        estimate=estimate,
    )


def _count(events: QuerySet[ActivityEvent]) -> tuple[int | None, int | None]:
    """(count, estimate): the count up to the cap within the budget, or, when the planner
    expects far more matches than the cap, its estimate instead of a count that would spend
    the whole budget to say "10,000+" (a common word's count is cut off at 10 ms)."""
    events = events.order_by()
    estimate = _planner_estimate(events)
    if estimate is not None and estimate >= ESTIMATE_FROM:
        return None, estimate
    return _count_within(events[: COUNT_CAP + 1], COUNT_BUDGET_MS), None


def _planner_estimate(events: QuerySet[ActivityEvent]) -> int | None:
    """PostgreSQL's estimate of the rows `events` holds (from its statistics; no rows are read)."""
    if connection.vendor != "postgresql":
        return None
    sql, params = events.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _two_figures(number: int) -> int:
    """`number` rounded to two significant figures (an estimate claims no more)."""
    return round(number, 2 - len(str(number)))


def _count_within(events: QuerySet[ActivityEvent], budget_ms: int) -> int | None:
    """The number of rows, or None when counting takes longer than the budget (then stopped)."""
    # Outside a transaction the block below is one: its settings end with it, nothing to restore.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic(), _time_limit(budget_ms, restore=nested):
            return events.count()
    except OperationalError:  # cancelled by the limit; the savepoint undoes the failed statement
        return None


_LIMITS_PG = (
    "SELECT set_config('statement_timeout', %s, true), "
    "set_config('max_parallel_workers_per_gather', %s, true)"
)


@contextmanager
def _time_limit(ms: int, *, restore: bool) -> Iterator[None]:
    """Cancel the statements of the block that run past `ms` (use inside atomic()).

    PostgreSQL: a transaction-local statement_timeout, and no parallel workers (starting and
    cancelling them outlasts a short budget). With `restore` (the block is a savepoint in a
    longer transaction) the previous values are put back after it; a cancelled block's savepoint
    rollback puts them back too. SQLite: a progress handler that interrupts.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            previous = None
            if restore:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), "
                    "current_setting('max_parallel_workers_per_gather')"
                )
                previous = cursor.fetchone()
            cursor.execute(_LIMITS_PG, [f"{ms}ms", "0"])
        yield
        if previous is not None:
            with connection.cursor() as cursor:
                cursor.execute(_LIMITS_PG, previous)
    elif connection.vendor == "sqlite":
        deadline = time.perf_counter() + ms / 1000
        raw = connection.connection
        raw.set_progress_handler(lambda: int(time.perf_counter() > deadline), 10_000)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)
    else:
        yield


@dataclass(frozen=True)
class DayCount:
    """How many matching events one day holds, per type and status."""

    day: date
    type: str
    status: str
    count: int


def activity_per_day(
    *, auth_tenant: AuthTenant, filters: ActivityFilters, since: datetime
) -> list[DayCount]:
    """Matching events per day, type and status from `since` on: one GROUP BY, oldest day first."""
    events = activity_list(auth_tenant=auth_tenant, filters=filters).filter(created_at__gte=since)
    rows = (
        events.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day", "type", "status")
        .annotate(count=Count("id"))
        .order_by("day", "type", "status")
    )
    return [DayCount(r["day"], r["type"], r["status"], r["count"]) for r in rows]


def archive_verify(*, auth_tenant: AuthTenant) -> list[ChainReport]:
    """Recompute the Auth Tenant's archive chains (activity log, dashboard actions)."""
    return hashchain.verify_archive(auth_tenant.pk)


def archive_head(*, auth_tenant: AuthTenant) -> str:
    """The hash of the Auth Tenant's latest stored event: what an export can carry."""
    return chain.chain_head(auth_tenant)
