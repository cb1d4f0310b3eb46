"""Page benchmark: the Activity history at 1,000,000 events, next to the admin changelist.

Seeds a throwaway database (a SQLite file under var/, or a PostgreSQL database of its own) with
N events straight through the sync's bulk insert (not the API), then times the history page
in-process with Django's test Client, signed in as a superuser, at the first page, 100 pages
deep and 10,000 pages deep (the cursor of the event at that depth in the whole log), with each
filter and with free text. The baseline, measured in the same run, is Django's admin changelist
of ActivityEvent (offset pages and a full count) at the same depths (?p=N). Prints median and
p95 server time, the ratio to the admin, and whether the goals are met. Then exports the whole
log as CSV and JSON Lines through the view: time to the first row, rows per second and peak
memory, next to the database's own dump of the same rows (`COPY … TO STDOUT` on PostgreSQL).

    python bench/activity.py                               # SQLite, 1,000,000 events
    python bench/activity.py --databases sqlite,postgres --events 100000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from activity_export import EXPORT_GOAL, export_figures, report_exports  # noqa: E402
from pages import _time, run_child  # noqa: E402 - beside this script

GOAL_P95_MS = 50.0
GOAL_RATIO = 20.0  # against the admin at the deepest depth
DEPTHS = (0, 100, 10_000)  # pages of 50 skipped
PAGE_SIZE = 50
# Sections of the report, each a function of the seeded child: the history page, then the
# export of the whole log (bench/activity_export.py's figures, on this seed).
SECTIONS = ["history", "export"]


def _cases(actor_name: str, member_id: str) -> dict[str, dict[str, str]]:
    return {
        "no filter": {},
        "type": {"type": "Tenant Member"},
        "type + status": {"type": "Team Member", "status": "Failure"},
        "actor": {"actor": actor_name},
        "machines": {"actor_type": "machine"},
        "target": {"target": member_id},
        "text (common)": {"q": "owner"},
        "text (rare)": {"q": "invitee77@example"},
        "last 7 days": {"range": "7d"},
    }


def event_batches(auth_tenant_id: int, events: int, batch: int = 20_000) -> Iterator[list[Any]]:
    """N events over 90 days as row tuples of bulk.FIELDS, oldest first, `batch` at a time.

    Chain places are numbered as the sync would; the hash is a placeholder (nothing here
    verifies the chain, and hashing is the sync's cost, not the database's)."""
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(7)
    members = [f"auth0|{n:024d}" for n in range(2000)]
    tenants = [(str(uuid.UUID(int=rng.getrandbits(128))), f"tenant-{n:04d}") for n in range(1000)]
    users = [(m, f"User {n}", "user") for n, m in enumerate(members[:200])]
    machines = [(f"client{n:04d}", f"Job {n}", "machine") for n in range(20)]
    kinds: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
        ("Team Invitation", "member_invited", lambda: {"email": f"invitee{rng.randint(1, 9999)}@example.com", "role": "teams_owner"}),
        ("Team Member", "member_role_updated", lambda: {"member_id": rng.choice(members), "from_role": "teams_contributor", "to_role": "teams_owner"}),
        ("Team Member", "member_deleted", lambda: {"member_id": rng.choice(members), "email": "gone@example.com"}),
        ("Tenant Activity", "tenant_created", lambda: dict(zip(("tenant_id", "tenant_name"), rng.choice(tenants), strict=True))),
        ("Tenant Member", "tenant_member_added", lambda: {"member_id": rng.choice(members), "tenant_id": rng.choice(tenants)[0], "roles": ["owner"]}),
        ("Security Policy", "mfa_policy_updated", lambda: {"source": "dashboard", "setting": "mfa_policy"}),
    ]  # fmt: skip
    pg = connection.vendor == "postgresql"
    ops = connection.ops
    now = timezone.now()
    stamp = (lambda v: v) if pg else ops.adapt_datetimefield_value
    as_json = json.dumps if pg else (lambda v: ops.adapt_json_value(v, None))
    stored_at = stamp(now)
    offsets = sorted(rng.randrange(90 * 86400 * 1000) for _ in range(events))
    for start in range(0, events, batch):
        rows = []
        for seq, offset in enumerate(offsets[start : start + batch], start + 1):
            type_, name, details = rng.choice(kinds)
            actor_id, actor_name, actor_type = rng.choice(machines if rng.random() < 0.3 else users)
            rows.append(
                (
                    auth_tenant_id, str(uuid.UUID(int=rng.getrandbits(128), version=4)), type_,
                    "Failure" if rng.random() < 0.05 else "Success", name, actor_id, actor_type,
                    actor_name, "", actor_type == "user", "", f"203.0.{rng.randrange(256)}.{rng.randrange(256)}",
                    "bench.teams.auth0.com", "bench", "1", stamp(now - timedelta(milliseconds=offset)),
                    as_json(details()), stored_at, seq, f"{seq:064x}",
                )
            )  # fmt: skip
        yield rows


def insert_batch(rows: list[Any]) -> int:
    """Store one batch the way the sync does (COPY on PostgreSQL, executemany elsewhere)."""
    from django.db import connection, transaction

    from apps.activity import bulk

    insert = bulk._copy_insert if connection.vendor == "postgresql" else bulk._executemany_insert
    with transaction.atomic():
        return insert(rows)


def _seed(events: int) -> tuple[Any, str, str]:
    """N events over 90 days; returns a superuser, an actor's name and a member id."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from apps.authtenants.models import AuthTenant

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    team = AuthTenant.objects.create(name="Bench", team_slug="bench", domain="bench.auth0.com")
    for rows in event_batches(team.pk, events):
        insert_batch(rows)
    with connection.cursor() as cursor:  # planner statistics, as a running database has them
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    owner = get_user_model().objects.create_superuser("bench-owner", "owner@example.com", "x")
    return owner, "User 0", f"auth0|{0:024d}"


def _cursor_at(depth: int) -> str:
    from apps.activity.models import ActivityEvent
    from apps.activity.selectors import Cursor

    event = ActivityEvent.objects.order_by("-created_at", "-external_id")[depth * PAGE_SIZE]
    return Cursor.of(event).encode()


def history(client: Any, rounds: int, seeded: tuple[Any, str, str]) -> dict[str, Any]:
    from urllib.parse import urlencode

    from apps.activity.models import ActivityEvent

    _, actor_name, member_id = seeded
    # A smaller log (--events) has no pages that deep: those depths are left out.
    stored = ActivityEvent.objects.count()
    depths = [depth for depth in DEPTHS if depth * PAGE_SIZE < stored]
    cursors = {depth: _cursor_at(depth) if depth else "" for depth in depths}
    rows = []
    for depth in depths:
        # The admin takes seconds a page at depth: fewer rounds, timed on its own.
        admin_url = f"/admin/activity/activityevent/?p={depth + 1}"
        admin = _time(client, {"admin": admin_url}, max(5, rounds // 3))["admin"]
        for label, query in _cases(actor_name, member_id).items():
            params = {**query, **({"before": cursors[depth]} if depth else {})}
            ours = _time(client, {"ours": "/activity/?" + urlencode(params)}, rounds)["ours"]
            rows.append({"depth": depth, "case": label, "ours": ours, "admin": admin})
    return {"rows": rows}


def export(client: Any, rounds: int, seeded: tuple[Any, str, str]) -> dict[str, Any]:
    from apps.authtenants.models import AuthTenant

    return export_figures(client, AuthTenant.objects.get().pk)


def child(events: int, rounds: int) -> dict[str, Any]:
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    seeded = _seed(events)
    client = Client()
    client.force_login(seeded[0])
    sections = {"history": history, "export": export}
    return {"events": events, **{name: sections[name](client, rounds, seeded) for name in SECTIONS}}


def bench_one(database: str, events: int, rounds: int) -> dict[str, Any]:
    return run_child(database, __file__, [str(events), str(rounds)])


def report(result: dict[str, Any]) -> bool:
    print(f"\n{result['database']}: {result['events']:,} events (median / p95 ms)")
    met = True
    for row in result["history"]["rows"]:
        ours, admin = row["ours"], row["admin"]
        ratio = admin["p95"] / ours["p95"]
        ok = ours["p95"] < GOAL_P95_MS and (row["depth"] < max(DEPTHS) or ratio >= GOAL_RATIO)
        met = met and ok
        print(
            f"  depth {row['depth']:>6,}  {row['case']:<14} {ours['median']:7.1f} / {ours['p95']:7.1f}"
            f"   admin ?p={row['depth'] + 1:<6} {admin['median']:7.1f} / {admin['p95']:7.1f}"
            f"   {ratio:6.1f}x   {'ok' if ok else 'MISSED'}"
        )
    if "export" in result:
        met = report_exports(result["database"], result["events"], result["export"]) and met
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite", help="comma-separated: sqlite,postgres")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(
        f"Goal: p95 under {GOAL_P95_MS:.0f} ms at every depth and filter; at least "
        f"{GOAL_RATIO:.0f}x faster than the admin changelist {max(DEPTHS):,} pages deep.\n"
        + EXPORT_GOAL
    )
    met = True
    for database in args.databases.split(","):
        met = report(bench_one(database.strip(), args.events, args.rounds)) and met
    print(f"\nGoal {'met' if met else 'NOT met'}.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        main()
