"""Activity log sync: copy new Teams API activity entries into ActivityEvent rows, exactly once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from apps.activity import chain
from apps.activity.bulk import insert_new
from apps.activity.models import ActivityCheckpoint, ActivityEvent, ActivityPrune
from apps.authtenants.connection import teams_client
from apps.core.db import analyze
from apps.core.readahead import ReadAhead
from apps.sync.models import SyncKind, SyncRun
from apps.sync.services import SyncAborted, run_progress, sync_run
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.contract import PAGE_SIZE_MAX
from apps.teamsapi.types import ActivityLogEntry

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant
    from apps.teamsapi.types import Page

STORE_BATCH_PAGES = 10  # pages stored per transaction: fewer commits, a small crash window
READ_AHEAD_PAGES = 2 * STORE_BATCH_PAGES  # fetched while a batch is stored; bounds memory
ANALYZE_AFTER_EVENTS = 10_000
PRUNE_BATCH = 5_000  # events deleted per transaction: short locks on the chain head

WALK_MAX_PAGES = 1_000_000  # 50 million entries

_WALK_FIELDS = ["walk_since", "walk_until", "walk_oldest", "walk_newest", "walk_pages"]

PageHook = Callable[[int], None]


def activity_sync(
    *, auth_tenant: AuthTenant, full: bool = False, on_page: PageHook | None = None
) -> SyncRun:
    """Copy the activity entries the local database lacks; returns the succeeded SyncRun.

    Runs under the Auth Tenant's activity lock: raises SyncSkipped while another run holds it,
    SyncFailed (SyncRetryable when the API is unavailable, slow or rate limiting) when the run
    failed; either carries the recorded run. `full` walks the whole log again (idempotent).
    `on_page` is called after each committed batch of pages.
    """
    with (
        sync_run(auth_tenant=auth_tenant, kind=SyncKind.ACTIVITY, full=full) as run,
        teams_client(auth_tenant) as client,
    ):
        _walk(run=run, client=client, full=full, on_page=on_page)
    return run


def _resume_bound(oldest: datetime) -> datetime:
    # A resumed walk asks `until` (exclusive) just above the oldest stored entry, rounded up to
    # a whole second so entries sharing that timestamp are asked again whatever precision the
    # timestamp is sent with; re-asked entries are already stored and are ignored.
    return oldest.replace(microsecond=0) + timedelta(seconds=1)


def _walk(*, run: SyncRun, client: TeamsClient, full: bool, on_page: PageHook | None) -> None:
    checkpoint, _ = ActivityCheckpoint.objects.get_or_create(auth_tenant=run.auth_tenant)
    # A first backfill of a large log legitimately needs more pages than the client's generic
    # cap; a looping cursor is still caught by the client.
    client.max_pages = WALK_MAX_PAGES
    walk = _Walk(run, run.auth_tenant, checkpoint, client, on_page)
    if checkpoint.walk_until is not None and not full:
        # Finish the interrupted walk first, then walk what arrived since it started.
        walk.run_to_end()
    _start_walk(checkpoint, full=full)
    walk.run_to_end()
    run.requests_made = client.requests_made
    if walk.created >= ANALYZE_AFTER_EVENTS:
        # The pages browsing the log and the next run's lookups are planned from statistics
        # that a large backfill has just made stale.
        analyze(ActivityEvent)


def _start_walk(checkpoint: ActivityCheckpoint, *, full: bool) -> None:
    checkpoint.walk_since = None if full else checkpoint.since
    checkpoint.walk_until = timezone.now()
    checkpoint.walk_oldest = None
    checkpoint.walk_newest = None
    checkpoint.walk_pages = 0
    checkpoint.save(update_fields=[*_WALK_FIELDS, "updated_at"])


@dataclass
class _Walk:
    """One run's walk through the checkpoint's window, with its counters."""

    run: SyncRun
    auth_tenant: AuthTenant
    checkpoint: ActivityCheckpoint
    client: TeamsClient
    on_page: PageHook | None
    pages: int = 0
    created: int = 0
    present: int = 0

    def run_to_end(self) -> None:
        """Page through the checkpoint's walk to its end, storing a few pages per transaction.

        Each transaction stores its pages and records the walk's progress together, so a crash
        loses at most the batch in flight; batching only saves commits (a bounded number of
        pages, and at least once a second so progress stays live on a slow API). The next
        pages are fetched in a thread while a batch is stored; only stored pages move the
        checkpoint.
        """
        since = self.checkpoint.walk_since
        until = self.checkpoint.walk_until
        assert until is not None  # noqa: S101 - a walk is always started or resumed here
        if self.checkpoint.walk_oldest is not None:
            until = min(until, _resume_bound(self.checkpoint.walk_oldest))
        pages = self.client.iter_raw_activity_pages(since=since, until=until, take=PAGE_SIZE_MAX)
        with ReadAhead(pages, depth=READ_AHEAD_PAGES, name="activity-pages") as ahead:
            # Entries are parsed here, not in the reading thread, so that thread sends the
            # next request as soon as a page has arrived: it is the walk's critical path.
            self._store_pages(page.map(ActivityLogEntry.from_api) for page in ahead)

    def _store_pages(self, pages: Iterator[Page[ActivityLogEntry]]) -> None:
        batch: list[ActivityLogEntry] = []
        batch_pages = 0
        flushed_at = time.monotonic()
        for walk_pages, page in enumerate(pages, start=1):
            self.pages += 1
            _check_page(page.items, page_number=walk_pages)
            batch.extend(page.items)
            batch_pages += 1
            last = not page.next
            if not last and batch_pages < STORE_BATCH_PAGES and time.monotonic() - flushed_at < 1.0:
                continue
            with transaction.atomic():
                new_count = _store(self.auth_tenant, batch)
                self.created += new_count
                self.present += len(batch) - new_count
                _advance(self.checkpoint, batch, pages=batch_pages, last=last)
                run_progress(
                    self.run,
                    pages_fetched=self.pages,
                    requests_made=self.client.requests_made,
                    events_created=self.created,
                    events_present=self.present,
                )
            batch, batch_pages, flushed_at = [], 0, time.monotonic()
            if self.on_page is not None:
                self.on_page(self.pages)


def _check_page(entries: Sequence[ActivityLogEntry], *, page_number: int) -> None:
    ids = [entry.id for entry in entries]
    if len(set(ids)) != len(ids):
        raise SyncAborted(
            f"The Teams API sent page {page_number} with the same entry id twice; nothing from "
            "that page was stored and the checkpoint was not moved."
        )


def _store(auth_tenant: AuthTenant, entries: Sequence[ActivityLogEntry]) -> int:
    """Insert the entries not stored yet; returns how many were new."""
    # The same entry can arrive twice within one batch (the inclusive `since` boundary).
    unique: dict[str, ActivityLogEntry] = {}
    for entry in entries:
        unique.setdefault(entry.id, entry)
    return insert_new(auth_tenant, list(unique.values()))


def _advance(
    checkpoint: ActivityCheckpoint, entries: Sequence[ActivityLogEntry], *, pages: int, last: bool
) -> None:
    """Record walk progress; on the last page make the walk's newest entry the durable `since`."""
    if entries:
        oldest = min(entry.created_at for entry in entries)
        newest = max(entry.created_at for entry in entries)
        if checkpoint.walk_oldest is None or oldest < checkpoint.walk_oldest:
            checkpoint.walk_oldest = oldest
        if checkpoint.walk_newest is None or newest > checkpoint.walk_newest:
            checkpoint.walk_newest = newest
    checkpoint.walk_pages += pages
    if last:
        if checkpoint.walk_newest is not None and (
            checkpoint.since is None or checkpoint.walk_newest > checkpoint.since
        ):
            checkpoint.since = checkpoint.walk_newest
        checkpoint.walk_since = None
        checkpoint.walk_until = None
        checkpoint.walk_oldest = None
        checkpoint.walk_newest = None
        checkpoint.walk_pages = 0
    checkpoint.save(update_fields=["since", *_WALK_FIELDS, "updated_at"])


def activity_prune(
    *, auth_tenant: AuthTenant, older_than_days: int, batch: int = PRUNE_BATCH
) -> ActivityPrune | None:
    """Delete the Auth Tenant's stored events older than the retention, from the start of its
    archive chain, a batch per transaction; returns the run's record (None: nothing went).

    Raises chain.ArchiveBroken, deleting nothing more, when the events about to go do not
    verify.
    """
    older_than = timezone.now() - timedelta(days=older_than_days)
    record: ActivityPrune | None = None
    while True:
        with transaction.atomic():
            pruned = chain.prune_start(auth_tenant, older_than=older_than, limit=batch)
            if pruned is None:
                return record
            record = _record_prune(record, auth_tenant, older_than, pruned)


def _record_prune(
    record: ActivityPrune | None,
    auth_tenant: AuthTenant,
    older_than: datetime,
    pruned: chain.Pruned,
) -> ActivityPrune:
    """Add a batch to the run's record: the chain's kept part now starts after `pruned.end`."""
    if record is None:
        record = ActivityPrune(
            auth_tenant=auth_tenant,
            older_than=older_than,
            first_seq=pruned.first_seq,
            oldest_created_at=pruned.oldest_created_at,
            newest_created_at=pruned.newest_created_at,
        )
    record.count += pruned.count
    record.last_seq, record.last_hash = pruned.end.seq, pruned.end.hash
    record.oldest_created_at = min(record.oldest_created_at, pruned.oldest_created_at)
    record.newest_created_at = max(record.newest_created_at, pruned.newest_created_at)
    record.save()
    return record
