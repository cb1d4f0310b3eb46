"""Command line run inside worker processes of the process-level sync tests (kill, race, drop).

Usage: python -m tests.sync.syncctl <command> [options]; prints one JSON object on stdout.
The process uses whatever DATABASE_URL its environment names (a scratch database).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamsadmin.settings")
django.setup()

from django.db import close_old_connections, connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.activity import services  # noqa: E402
from apps.activity.models import ActivityCheckpoint, ActivityEvent  # noqa: E402
from apps.authtenants.management.commands._actor import command_actor  # noqa: E402
from apps.authtenants.models import AuthTenant  # noqa: E402
from apps.authtenants.sandbox import SANDBOX_DOMAIN, SANDBOX_TEAM, sandbox_auth_tenant_setup  # noqa: E402
from apps.sandbox import control  # noqa: E402
from apps.sandbox.models import SandboxActivity  # noqa: E402
from apps.sync.models import SyncRun  # noqa: E402
from apps.sync.services import SyncNotCompleted  # noqa: E402

AUTH_TENANT = "sandbox-procs"


def _auth_tenant() -> AuthTenant:
    return AuthTenant.objects.get(name=AUTH_TENANT)


def prepare(url: str, entries: int, latency_ms: int) -> dict[str, Any]:
    """Fresh sandbox data with `entries` activity entries and a local Auth Tenant pointing at it."""
    control.reset()
    control.seed(
        team_slug=SANDBOX_TEAM, auth_domain=SANDBOX_DOMAIN, tenants=3, members=10, activity=entries
    )
    if latency_ms:
        control.set_faults(latency_ms=latency_ms)
    AuthTenant.objects.filter(name=AUTH_TENANT).delete()  # and its stored activity
    auth_tenant, _ = sandbox_auth_tenant_setup(
        actor=command_actor(), root=f"{url}/sandbox", name=AUTH_TENANT, owner_client=False
    )
    return {"auth_tenant": auth_tenant.pk, "upstream": SandboxActivity.objects.count()}


def _synced(auth_tenant: AuthTenant, **options: Any) -> SyncRun:
    """The run activity_sync recorded, whether it succeeded, was skipped or failed."""
    try:
        return services.activity_sync(auth_tenant=auth_tenant, **options)
    except SyncNotCompleted as stopped:
        return stopped.run


def sync(*, full: bool, close_between_pages: bool, announce_pages: bool) -> dict[str, Any]:
    def after_page(page: int) -> None:
        if announce_pages:
            # Tells a killing test that the walk is under way (pages are being stored).
            print(f"page {page}", flush=True)  # noqa: T201
        if close_between_pages:
            # A real disconnect: the next statement has to open a new connection.
            connection.close()

    run = _synced(_auth_tenant(), full=full, on_page=after_page)
    return _run_json(run)


EVENTS_TABLE = f'INTO "{ActivityEvent._meta.db_table}"'


def _inserts_events(sql: str) -> bool:
    return sql.startswith("INSERT") and EVENTS_TABLE in sql  # INSERT OR IGNORE INTO on SQLite


def _drop_connection() -> None:
    """Cut the database connection under Django, as a restarted server or a network fault would."""
    if connection.vendor == "postgresql":
        import psycopg

        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        admin_params = {
            key: params[key]
            for key in ("host", "port", "user", "password", "dbname")
            if key in params
        }
        with psycopg.connect(**admin_params, autocommit=True) as admin:
            # The timeout makes it wait until that server process is gone.
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    else:
        # SQLite has no server: closing the handle discards the open transaction the same way.
        connection.connection.close()


def _dropping_in_batch(batch_number: int) -> Callable[..., Any]:
    """An execute wrapper that drops the connection inside the n-th batch's transaction, right
    after its insert of events (one statement a batch): rows written, checkpoint not moved,
    nothing committed."""
    batches = 0

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        nonlocal batches
        result = execute(sql, params, many, context)
        if _inserts_events(sql):
            batches += 1
            if batches == batch_number:
                _drop_connection()
        return result

    return wrapper


def drops(count: int, seed: int) -> dict[str, Any]:
    """`count` syncs whose connection drops mid-batch; what each left behind."""
    rng = random.Random(seed)  # noqa: S311 - reproducible drop points
    auth_tenant = _auth_tenant()
    outcomes = []
    for _ in range(count):
        before = ActivityEvent.objects.filter(auth_tenant=auth_tenant).count()
        batch_number = rng.randint(1, 3)
        with connection.execute_wrapper(_dropping_in_batch(batch_number)):
            run = _synced(auth_tenant)
        close_old_connections()
        after = ActivityEvent.objects.filter(auth_tenant=auth_tenant).count()
        outcomes.append(
            {**_run_json(run), "dropped_in_batch": batch_number, "stored": after - before}
        )
    return {"outcomes": outcomes}


def _run_json(run: SyncRun) -> dict[str, Any]:
    return {
        "status": run.status,
        "error": run.error,
        "pages": run.pages_fetched,
        "requests": run.requests_made,
        "created": run.events_created,
        "present": run.events_present,
    }


def race(trials: int) -> dict[str, Any]:
    """Start two syncs together `trials` times; report how many of each outcome every trial had."""
    auth_tenant = _auth_tenant()
    outcomes: list[list[str]] = []
    # Each sync then holds the lock for at least one slow request, so "together" stays true
    # even when a busy machine starts one thread a little later than the other.
    control.set_faults(latency_ms=100)
    for _ in range(trials):
        barrier = threading.Barrier(2)
        statuses: list[str] = []

        def contender(barrier: threading.Barrier, statuses: list[str]) -> None:
            try:
                barrier.wait()
                statuses.append(_synced(auth_tenant).status)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=contender, args=(barrier, statuses)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append(sorted(statuses))
    control.clear_faults()
    return {"outcomes": outcomes}


def compare() -> dict[str, Any]:
    """Local ids versus sandbox ids: counts of missing, extra and duplicated entries."""
    auth_tenant = _auth_tenant()
    local = list(
        ActivityEvent.objects.filter(auth_tenant=auth_tenant).values_list("external_id", flat=True)
    )
    upstream = set(
        SandboxActivity.objects.filter(team__slug=SANDBOX_TEAM).values_list("id", flat=True)
    )
    checkpoint = ActivityCheckpoint.objects.filter(auth_tenant=auth_tenant).first()
    return {
        "local": len(local),
        "upstream": len(upstream),
        "missing": len(upstream - set(local)),
        "extra": len(set(local) - upstream),
        "duplicates": len(local) - len(set(local)),
        "walk_in_progress": bool(checkpoint and checkpoint.walk_in_progress),
    }


def add(count: int) -> dict[str, Any]:
    """New upstream entries, all created a moment ago (so at one identical timestamp)."""
    moment = timezone.now() - timedelta(seconds=1)
    return {"added": control.add_activity(team_slug=SANDBOX_TEAM, count=count, created_at=moment)}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="syncctl")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--url", required=True)
    p.add_argument("--entries", type=int, required=True)
    p.add_argument("--latency-ms", type=int, default=0)
    p = sub.add_parser("sync")
    p.add_argument("--full", action="store_true")
    p.add_argument("--close-between-pages", action="store_true")
    p.add_argument("--announce-pages", action="store_true")
    p = sub.add_parser("drops")
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("race")
    p.add_argument("--trials", type=int, default=100)
    sub.add_parser("compare")
    p = sub.add_parser("add")
    p.add_argument("--count", type=int, required=True)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        result = prepare(args.url, args.entries, args.latency_ms)
    elif args.command == "sync":
        result = sync(
            full=args.full,
            close_between_pages=args.close_between_pages,
            announce_pages=args.announce_pages,
        )
    elif args.command == "drops":
        result = drops(args.count, args.seed)
    elif args.command == "race":
        result = race(args.trials)
    elif args.command == "compare":
        result = compare()
    else:
        result = add(args.count)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
