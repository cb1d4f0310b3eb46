"""Storing benchmark: what the activity log's search indexes cost the sync's bulk insert.

Creates a throwaway database, migrates it, then stores N events (bench/activity.py's rows) in
20,000-row batches the way the sync does, once per variant of the indexes: "bare" (neither the
word index nor the target index), "words" (the word index only), "targets" (PostgreSQL: the
target index only) and "as migrated" (both). The table is emptied before each variant, and the
variants take turns round after round, so all share the machine's load. Prints each variant's
best rows/s over the rounds (other work on the machine only ever slows a round) and its ratio to
"bare", measured in the same run.

    python bench/store.py                                  # PostgreSQL, 100,000 events, 3 rounds
    python bench/store.py --databases sqlite,postgres --events 200000 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from activity import event_batches, insert_batch  # noqa: E402 - beside this script
from pages import _drop, _scratch_database, bench_env  # noqa: E402

Build = Callable[[], list[str]]


def _variants(vendor: str) -> dict[str, tuple[list[Build], list[Build]]]:
    """Each variant's (drop, create) statement builders, applied to an empty table."""
    from apps.activity import search, targets

    if vendor == "sqlite":
        return {"bare": ([search.sqlite_drop], []), "words": ([], [search.sqlite_create])}
    words, target = search.postgresql_create, targets.postgresql_create
    drop = [search.postgresql_drop, targets.postgresql_drop]
    return {
        "bare": (drop, []),
        "words": (drop, [words]),
        "targets": (drop, [target]),
        "as migrated": (drop, [words, target]),
    }


def _store(auth_tenant_id: int, events: int, drop: list[Build], create: list[Build]) -> float:
    """Empty the table, set up the variant, store the events; returns rows/s."""
    from django.db import connection

    from apps.activity.models import ActivityEvent

    table = connection.ops.quote_name(ActivityEvent._meta.db_table)
    batches = list(event_batches(auth_tenant_id, events))  # built before the clock starts
    with connection.cursor() as cursor:
        for build in drop:
            for sql in build():
                cursor.execute(sql)
        cursor.execute(
            f"TRUNCATE {table} CASCADE"
            if connection.vendor == "postgresql"
            else f"DELETE FROM {table}"  # noqa: S608 - model's table
        )
        for build in create:
            for sql in build():
                cursor.execute(sql)
    started = time.perf_counter()
    for rows in batches:
        insert_batch(rows)
    return events / (time.perf_counter() - started)


def child(events: int, rounds: int) -> dict[str, Any]:
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.authtenants.models import AuthTenant

    call_command("migrate", verbosity=0)
    team = AuthTenant.objects.create(name="Bench", team_slug="bench", domain="bench.auth0.com")
    variants = _variants(connection.vendor)
    rates: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, (drop, create) in variants.items():
            rates[name].append(_store(team.pk, events, drop, create))
    return {name: max(values) for name, values in rates.items()}


def bench_one(database: str, events: int, rounds: int) -> dict[str, float]:
    url, handle = _scratch_database(database)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(events), str(rounds)],
            env=bench_env(url),
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stderr.decode())
            raise SystemExit(f"bench on {database} failed")
        result: dict[str, float] = json.loads(done.stdout.decode().strip().splitlines()[-1])
        return result
    finally:
        _drop(database, handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for database in args.databases.split(","):
        rates = bench_one(database.strip(), args.events, args.rounds)
        print(f"\n{database}: {args.events:,} events in 20,000-row batches (best of {args.rounds})")
        for name, rate in rates.items():
            print(f"  {name:<12} {rate:9,.0f} rows/s   {rate / rates['bare']:5.2f}x bare")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        main()
