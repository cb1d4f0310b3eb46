"""Page benchmark: the members list, members search and tenants list at 10,000 members, and an
access review's queue of about 5,000 items.

Seeds a throwaway database (a SQLite file under var/, or a PostgreSQL database of its own) with
10,000 mirrored members, 1,000 tenants and their access, and opens an access review of the
tenants holding about 5,000 of those grants (through the service, snapshot included), then times each page in-process with
Django's test Client, signed in as an owner, after a warm-up. The baseline, measured in the same
run, is Django's admin changelist of the same table (with its full count); each round requests
the page and then the changelist, so a busy machine slows both alike. Prints median and
p95 server time, the ratio to the admin, and whether the goal is met.

    python bench/pages.py                         # SQLite
    python bench/pages.py --databases sqlite,postgres
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432"
GOAL_P95_MS = 30.0
GOAL_RATIO = 2.0
ACCESS_PER_MEMBER = 3
# Each page next to the admin changelist of the same table (the baseline).
PAGES = {
    "members list": ("/members/", "/admin/directory/directorymember/"),
    "members search": ("/members/?q=ann", "/admin/directory/directorymember/?q=ann"),
    "tenants list": ("/tenants/", "/admin/directory/directorytenant/"),
    # A middle page of every item, as a reviewer pages through a big review.
    "review queue": ("/reviews/{campaign}/?show=all&page=50", "/admin/reviews/reviewitem/"),
}
# The pages the goal is about; the others are measured for their figures.
GOAL_PAGES = frozenset({"members list", "members search", "tenants list"})
REVIEW_ITEMS = 5_000


def _scratch_database(database: str) -> tuple[str, str]:
    """A fresh database URL and what to drop afterwards (a file path or a database name)."""
    tag = uuid.uuid4().hex[:8]
    if database == "sqlite":
        path = ROOT / "var" / f"bench-{tag}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        return f"sqlite:///{path}", str(path)
    import psycopg

    name = f"teamsadmin_bench_{tag}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_URL}/{name}", name


def _drop(database: str, handle: str) -> None:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(handle + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{handle}" WITH (FORCE)')


def bench_env(url: str) -> dict[str, str]:
    """The environment of a bench child process: the scratch database, settings as deployed."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",  # as deployed: DEBUG also records every SQL statement
        "SECURE_SSL_REDIRECT": "false",  # the test client asks over plain HTTP
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "testserver",
        "TEAMSADMIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("CACHE_URL", "REDIS_URL"):
        env.pop(name, None)
    return env


def run_child(database: str, script: str, args: list[str]) -> dict[str, Any]:
    """Run `script --child args` on a scratch database of its own; its last stdout line is JSON."""
    url, handle = _scratch_database(database)
    try:
        done = subprocess.run(
            [sys.executable, script, "--child", *args],
            env=bench_env(url),
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        sys.stderr.write(done.stderr.decode())  # the SQL listing with BENCH_SHOW_SQL=1
        if done.returncode != 0:
            raise SystemExit(f"{Path(script).name} on {database} failed")
        result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
        return {"database": database, **result}
    finally:
        _drop(database, handle)


def bench_one(database: str, members: int, tenants: int, rounds: int) -> dict[str, Any]:
    return run_child(database, __file__, [str(members), str(tenants), str(rounds)])


def _seed(members: int, tenants: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from apps.authtenants.models import AuthTenant
    from apps.directory.models import (
        DirectoryAccess,
        DirectoryMember,
        DirectorySnapshot,
        DirectoryTenant,
    )

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    now = timezone.now()
    team = AuthTenant.objects.create(name="Bench", team_slug="bench", domain="bench.auth0.com")
    roles = ("owner", "admin", "contributor", "reporting_viewer")
    names = ("ann", "bob", "cid", "dee", "eve", "fay", "gus", "hal")
    DirectoryMember.objects.bulk_create(
        (
            DirectoryMember(
                auth_tenant=team,
                member_id=f"auth0|{i:08d}",
                name=f"{names[i % len(names)].capitalize()} Member{i}",
                nickname=f"{names[i % len(names)]}{i}",
                email=f"{names[i % len(names)]}.{i}@example.com",
                role=roles[i % len(roles)],
                first_seen_at=now,
            )
            for i in range(members)
        ),
        batch_size=2000,
    )
    DirectoryTenant.objects.bulk_create(
        (
            DirectoryTenant(
                auth_tenant=team,
                tenant_id=f"ten_{i:06d}",
                tenant_name=f"tenant-{i:04d}",
                environment=("US-3", "EU-1", "AU-1")[i % 3],
                environment_tag=("development", "production", "staging", "")[i % 4],
                domain=f"tenant-{i:04d}.us.auth0.com",
                locality="us",
                created_at=now,
                first_seen_at=now,
            )
            for i in range(tenants)
        ),
        batch_size=2000,
    )
    member_pks = list(DirectoryMember.objects.values_list("pk", flat=True))
    tenant_pks = list(DirectoryTenant.objects.values_list("pk", flat=True))
    DirectoryAccess.objects.bulk_create(
        (
            DirectoryAccess(
                auth_tenant=team,
                member_id=pk,
                tenant_id=tenant_pks[(n * 7 + k * 131) % len(tenant_pks)],
                roles=["admin"],
                first_seen_at=now,
            )
            for n, pk in enumerate(member_pks)
            for k in range(ACCESS_PER_MEMBER)
        ),
        batch_size=5000,
    )
    DirectorySnapshot.objects.create(
        auth_tenant=team, taken_at=now, strategy="per_tenant", tenants=tenants, members=members
    )
    # Planner statistics, as a database that has been running a while has them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    # A superuser: an owner on the dashboard who may also open the admin changelist.
    owner = get_user_model().objects.create_superuser("bench-owner", "owner@example.com", "x")
    return owner, _open_review(team, owner, tenants)


def _open_review(team: Any, owner: Any, tenants: int) -> int:
    """An access review of the tenants holding about REVIEW_ITEMS grants; its id."""
    from apps.reviews import services

    per_tenant = ACCESS_PER_MEMBER * len(team.directory_members.all()) // max(tenants, 1)
    chosen = list(
        team.directory_tenants.order_by("tenant_id").values_list("tenant_id", flat=True)[
            : REVIEW_ITEMS // max(per_tenant, 1)
        ]
    )
    plan = services.PlanRequest(name="Bench review", scope_kind="chosen", tenant_ids=chosen)
    return services.plan_create(actor=owner, auth_tenant=team, plan=plan).pk


def _time(client: Any, urls: dict[str, str], rounds: int) -> dict[str, dict[str, float]]:
    """Median and p95 of each URL, requested in turn round after round, so that both sides of a
    comparison run under the same load on a shared machine."""
    for url in urls.values():
        for _ in range(5):  # warm-up: templates compiled, connections open, caches filled
            assert client.get(url).status_code == 200, url
    samples: dict[str, list[float]] = {key: [] for key in urls}
    for _ in range(rounds):
        for key, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            samples[key].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
    return {key: _summary(times) for key, times in samples.items()}


def _summary(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"median": statistics.median(samples), "p95": p95}


class _Recorder:
    """Counts and times the statements of one request (DEBUG is off, as deployed)."""

    def __init__(self, into: list[tuple[float, str]]) -> None:
        self.into = into

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.into.append(((time.perf_counter() - started) * 1000, sql))


def child(members: int, tenants: int, rounds: int) -> dict[str, Any]:
    import django

    # Static files are not collected for the bench; whitenoise's note about it is noise here.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    # Static URLs without collectstatic's manifest (the pages' server time is what counts).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    owner, campaign = _seed(members, tenants)
    client = Client()
    client.force_login(owner)
    pages: dict[str, Any] = {}
    for label, (ours, admin) in PAGES.items():
        ours = ours.format(campaign=campaign)
        timings = _time(client, {"ours": ours, "admin": admin}, rounds)
        queries: list[tuple[float, str]] = []  # one more, warm request: its statements
        with connection.execute_wrapper(_Recorder(queries)):
            client.get(ours)
        if os.environ.get("BENCH_SHOW_SQL"):
            for ms, sql in sorted(queries, reverse=True):
                print(f"{ms:7.2f} ms  {sql[:300]}", file=sys.stderr)
        pages[label] = {
            **timings,
            "queries": len(queries),
            "sql_ms": sum(ms for ms, _ in queries),
        }
    return {"members": members, "tenants": tenants, "pages": pages}


def report(result: dict[str, Any]) -> bool:
    print(
        f"\n{result['database']}: {result['members']:,} members, {result['tenants']:,} tenants "
        f"(median / p95 ms; admin changelist as the baseline)"
    )
    met = True
    for label, page in result["pages"].items():
        ours, admin = page["ours"], page["admin"]
        ratio = admin["p95"] / ours["p95"]
        ok = ours["p95"] < GOAL_P95_MS and ratio >= GOAL_RATIO
        verdict = "no goal" if label not in GOAL_PAGES else "ok" if ok else "MISSED"
        met = met and (ok or label not in GOAL_PAGES)
        print(
            f"  {label:<15} {ours['median']:6.1f} / {ours['p95']:6.1f}   "
            f"admin {admin['median']:6.1f} / {admin['p95']:6.1f}   "
            f"{ratio:4.1f}x faster   {page['queries']} queries ({page['sql_ms']:.1f} ms)   "
            f"{verdict}"
        )
    return met


def machine_speed() -> float:
    """Seconds this machine takes for ten million additions in a Python loop: absolute times
    scale with it, ratios against the admin (measured alongside) do not."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite", help="comma-separated: sqlite,postgres")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    print(
        f"Goal: every list and search under {GOAL_P95_MS:.0f} ms p95 and at least "
        f"{GOAL_RATIO:.0f}x faster than the admin changelist."
    )
    print(f"This machine: ten million additions in a Python loop take {machine_speed():.2f} s.")
    met = True
    for database in args.databases.split(","):
        met = report(bench_one(database.strip(), args.members, args.tenants, args.rounds)) and met
    print(f"\nGoal {'met' if met else 'NOT met'}.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        members, tenants, rounds = (int(v) for v in sys.argv[2:5])
        print(json.dumps(child(members, tenants, rounds)))
    else:
        main()
