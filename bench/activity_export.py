"""Export benchmark: a 1,000,000-event activity export as CSV and JSON Lines, next to the database's own dump.

Seeds a throwaway SQLite file and a throwaway PostgreSQL database with --events events of one
Auth Tenant, then POSTs the export through the view with Django's test Client, signed in as an
auditor, and consumes the streamed body. For each format it prints the time to the first data
row, rows per second, the peak memory the export added (RSS sampled every 5 ms) and the chunk
count. The baseline, measured in the same run on the same rows in the same order, is the
database's own dump: `COPY (SELECT …) TO STDOUT` on PostgreSQL, a plain cursor fetch on SQLite.

    python bench/activity_export.py                        # both databases, 1,000,000 events
    python bench/activity_export.py --events 100000 --databases sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pages import run_child  # noqa: E402 - beside this script

# Goals on PostgreSQL.
GOAL_ROWS_PER_SECOND = 150_000
GOAL_RATIO = 4.0  # at most this many times slower than COPY
GOAL_PEAK_MB = 100.0
GOAL_FIRST_ROW_MS = 100.0
SEED_BATCH = 20_000
EXPORT_GOAL = (
    f"Export goal on PostgreSQL: at least {GOAL_ROWS_PER_SECOND:,} rows/s, within "
    f"{GOAL_RATIO:.0f}x of COPY, under {GOAL_PEAK_MB:.0f} MB, first data row within "
    f"{GOAL_FIRST_ROW_MS:.0f} ms."
)


def bench_one(database: str, events: int) -> dict[str, Any]:
    return run_child(database, __file__, [str(events)])


# --- inside the child process (Django set up on the scratch database) ---------------------------


def _rows(auth_tenant_id: int, events: int) -> Iterable[tuple[Any, ...]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    for n in range(events):
        yield (
            auth_tenant_id,
            f"00000000-0000-4000-8000-{n:012d}",
            ("Team Member", "Tenant Activity", "Team Invitation")[n % 3],
            "Success" if n % 7 else "Failure",
            ("member_role_updated", "tenant_created", "member_invited")[n % 3],
            f"auth0|user{n % 5000}",
            "user",
            f"Person {n % 5000}",
            "",
            None,
            "",
            f"203.0.113.{n % 250}",
            "dashboard.example.com",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
            "",
            start + timedelta(seconds=n),
            json.dumps({"member_id": f"auth0|m{n}", "to_role": "admin", "note": "=1+1"}),
            now,
            None,  # outside the archive chain: an export reads rows the same either way
            "",
        )


def _seed(events: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from apps.activity.bulk import FIELDS
    from apps.activity.models import ActivityEvent
    from apps.authtenants.models import AuthTenant
    from apps.core.capabilities import Role
    from apps.core.db import analyze

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    team = AuthTenant.objects.create(name="Bench", team_slug="bench", domain="bench.auth0.com")
    table = ActivityEvent._meta.db_table
    columns = [ActivityEvent._meta.get_field(name).column or name for name in FIELDS]  # type: ignore[union-attr]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in _rows(team.pk, events):
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            insert = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 - our names
            raw = cursor.cursor  # sqlite3's own cursor: qmark parameters, no per-row wrapping
            batch: list[tuple[Any, ...]] = []
            for row in _rows(team.pk, events):
                batch.append(tuple(v.isoformat() if isinstance(v, datetime) else v for v in row))
                if len(batch) == SEED_BATCH:
                    raw.executemany(insert, batch)
                    batch.clear()
            if batch:
                raw.executemany(insert, batch)
    analyze(ActivityEvent)
    auditor = get_user_model().objects.create_user("bench-auditor")
    auditor.groups.add(Group.objects.get_or_create(name=Role.AUDITOR.value)[0])
    return team, auditor


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _PeakRss:
    """The highest resident set size seen while the block runs, sampled every 5 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_bytes())
            self._stop.wait(0.005)

    def __enter__(self) -> _PeakRss:
        self.peak = _rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _through_view(client: Any, export_format: str) -> dict[str, Any]:
    import gc

    gc.collect()
    baseline = _rss_bytes()
    with _PeakRss() as peak:
        started = time.perf_counter()
        response = client.post("/activity/export/", {"export_format": export_format})
        assert response.status_code == 200, response.status_code
        first_row = None
        size = chunks = 0
        for chunk in response.streaming_content:
            if first_row is None and (export_format == "jsonl" or chunks > 0):
                first_row = time.perf_counter() - started  # the CSV header is a chunk of its own
            size += len(chunk)
            chunks += 1
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "first_row_ms": (first_row or seconds) * 1000,
        "mb": size / 1e6,
        "chunks": chunks,
        "peak_mb": (peak.peak - baseline) / 1e6,
    }


def _database_dump(auth_tenant_id: int) -> dict[str, Any]:
    """The same rows in the same order, as the database hands them out on its own."""
    from django.db import connection

    select = (
        "SELECT created_at, external_id, type, status, current_event, actor_type, actor_id, "
        "actor_name, ip, hostname, user_agent, details FROM activity_activityevent "
        "WHERE auth_tenant_id = %s ORDER BY created_at DESC, external_id DESC"
    )
    started = time.perf_counter()
    size = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY ({select}) TO STDOUT (FORMAT csv)", [auth_tenant_id]
            ) as copy:
                while data := copy.read():
                    size += len(data)
        else:
            raw = cursor.cursor
            raw.execute(select.replace("%s", "?"), [auth_tenant_id])
            while rows := raw.fetchmany(2000):
                size += len(rows)
    return {"seconds": time.perf_counter() - started, "mb": size / 1e6}


def export_figures(client: Any, auth_tenant_id: int) -> dict[str, Any]:
    """The database's own dump, then each format through the view, after a warm-up."""
    _database_dump(auth_tenant_id)  # also warms the table into the page cache
    dump = _database_dump(auth_tenant_id)
    for fmt in ("csv", "jsonl"):  # warm-up, as a running server is: code paths, session, plans
        warm = client.post("/activity/export/", {"export_format": fmt, "since": "2100-01-01"})
        body = b"".join(warm.streaming_content)
        assert body.count(b"\n") <= 1, body[:200]
    return {"dump": dump, "exports": {fmt: _through_view(client, fmt) for fmt in ("csv", "jsonl")}}


def child(events: int) -> dict[str, Any]:
    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.test import Client

    seeded = time.perf_counter()
    team, auditor = _seed(events)
    seed_seconds = time.perf_counter() - seeded
    client = Client()
    client.force_login(auditor)
    return {"events": events, "seed_seconds": seed_seconds, **export_figures(client, team.pk)}


def report_exports(database: str, events: int, figures: dict[str, Any]) -> bool:
    """Print each format's figures next to the dump's; whether PostgreSQL met the goal."""
    dump_rate = events / figures["dump"]["seconds"]
    baseline = "COPY … TO STDOUT" if database.startswith("postgres") else "cursor fetch"
    print(f"  export of {events:,} events; {baseline}: {dump_rate:,.0f} rows/s")
    met = True
    for fmt, run in figures["exports"].items():
        rate = events / run["seconds"]
        ratio = dump_rate / rate
        ok = (
            rate >= GOAL_ROWS_PER_SECOND
            and ratio <= GOAL_RATIO
            and run["peak_mb"] < GOAL_PEAK_MB
            and run["first_row_ms"] < GOAL_FIRST_ROW_MS
        )
        if database.startswith("postgres"):
            met = met and ok
        print(
            f"  {fmt:<5} first row {run['first_row_ms']:7.1f} ms   {rate:9,.0f} rows/s   "
            f"{ratio:4.1f}x the baseline's time   peak +{run['peak_mb']:5.1f} MB   "
            f"{run['mb']:6.1f} MB in {run['chunks']:,} chunks   "
            f"{'ok' if ok else 'MISSED' if database.startswith('postgres') else ''}"
        )
    return met


def report(result: dict[str, Any]) -> bool:
    print(f"\n{result['database']}: seeded in {result['seed_seconds']:.1f} s")
    return report_exports(result["database"], result["events"], result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    print(EXPORT_GOAL)
    met = True
    for database in args.databases.split(","):
        result = bench_one(database.strip(), args.events)
        result["database"] = "postgresql" if database.strip() == "postgres" else "sqlite"
        met = report(result) and met
    print(f"\nGoal {'met' if met else 'NOT met'}.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        main()
