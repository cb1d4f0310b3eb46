"""Benchmark: a full activity backfill from the sandbox into SQLite and PostgreSQL.

Seeds N entries in the sandbox (latency 0, rate limit off), served by gunicorn on a scratch
database, then times `activity_sync` in a separate worker process and reports entries/s, activity
requests made against the floor ceil(N/50), and the worker's peak memory. The baseline, measured
first in the same run into a second Auth Tenant, is the same sync without reading ahead (each
page fetched only after the previous one is stored).

    python bench/sync.py                      # 1,000,000 entries, SQLite then PostgreSQL
    python bench/sync.py --entries 100000 --databases postgres
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _processes import free_port, run_child, wait_for_sandbox
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgres://postgres@127.0.0.1:5432"
AUTH_TENANTS = {"baseline": "bench-baseline", "read-ahead": "bench"}


def _scratch_postgres() -> tuple[str, str]:
    import psycopg

    name = f"teamsadmin_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_URL}/{name}", name


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_one(database: str, entries: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="teamsadmin-bench-"))
    (tmp / "staticfiles").mkdir()  # DEBUG is off, so whitenoise serves from STATIC_ROOT
    pg_name = ""
    if database == "postgres":
        url, pg_name = _scratch_postgres()
    else:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
        "DATABASE_URL": url,
        "TEAMSADMIN_VAR_DIR": str(tmp),
        "TEAMSADMIN_SANDBOX": "true",
        # The sandbox stands in for the Teams API with DEBUG off: allowed on purpose here.
        "TEAMSADMIN_SANDBOX_FORCE": "true",
        "SECURE_SSL_REDIRECT": "false",  # gunicorn serves plain HTTP on 127.0.0.1
        "TEAMSADMIN_SANDBOX_RATE_LIMIT": "false",
        "TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS": "0",  # the bench seeds no invitations
        # As deployed: with DEBUG on, Django also records every SQL statement it runs.
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TEAMSADMIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "createcachetable"], env=env, check=True, cwd=ROOT)
        started = time.perf_counter()
        run_child(__file__, "prepare", env, base, str(entries))
        seeded = time.perf_counter() - started
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "teamsadmin.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                # Threaded workers keep connections alive, as the real API does; sync workers
                # close each one, adding a TCP handshake to every page.
                "--worker-class",
                "gthread",
                "--threads",
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        wait_for_sandbox(base)
        results = {
            variant: run_child(__file__, "backfill", env, variant) for variant in AUTH_TENANTS
        }
        return {
            "database": database,
            "entries": entries,
            "floor": math.ceil(entries / 50),
            "seed_seconds": round(seeded, 1),
            **results,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if pg_name:
            _drop_postgres(pg_name)
        shutil.rmtree(tmp, ignore_errors=True)


def child_prepare(base: str, entries: int) -> dict[str, Any]:
    from apps.authtenants.management.commands._actor import command_actor
    from apps.authtenants.sandbox import sandbox_auth_tenant_setup
    from apps.sandbox import control

    control.reset()
    control.seed(tenants=3, members=10, activity=entries, seed=7)
    control.set_faults(latency_ms=0, rate_limit=False)
    for name in AUTH_TENANTS.values():
        sandbox_auth_tenant_setup(
            actor=command_actor(), root=f"{base}/sandbox", name=name, owner_client=False
        )
    return {"seeded": entries}


class _Sequential:
    """Stands in for ReadAhead in the baseline: the pages, fetched only when asked for."""

    def __init__(self, source: Any, **_: Any) -> None:
        self._source = source

    def __enter__(self) -> Any:
        return iter(self._source)

    def __exit__(self, *exc: object) -> None:
        return None


def child_backfill(variant: str) -> dict[str, Any]:
    from apps.activity import services
    from apps.activity.models import ActivityEvent
    from apps.authtenants.models import AuthTenant
    from apps.sandbox.models import SandboxRequest
    from apps.sync.services import SyncNotCompleted
    from apps.teamsapi.client import TeamsClient

    # Where the time goes: pages are fetched in a read-ahead thread while earlier ones are
    # stored, so the two totals overlap; the larger one bounds the rate.
    spent = {"fetch": 0.0, "store": 0.0}

    def timed(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return wrapper

    TeamsClient._request = timed("fetch", TeamsClient._request)  # type: ignore[method-assign]
    services._store = timed("store", services._store)
    if variant == "baseline":
        services.ReadAhead = _Sequential  # type: ignore[assignment,attr-defined]
    tenant = AuthTenant.objects.get(name=AUTH_TENANTS[variant])
    logs = SandboxRequest.objects.filter(path__contains="/api/activity/logs")
    requests_before = logs.count()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        run = services.activity_sync(auth_tenant=tenant)
    except SyncNotCompleted as stopped:  # reported below with its reason
        run = stopped.run
    seconds = time.perf_counter() - started
    stored = ActivityEvent.objects.filter(auth_tenant=tenant).count()
    requests_made = logs.count() - requests_before
    return {
        "status": run.status,
        "error": run.error,
        "seconds": round(seconds, 1),
        "stored": stored,
        "entries_per_second": round(stored / seconds),
        "fetch_seconds": round(spent["fetch"], 1),
        "store_seconds": round(spent["store"], 1),
        "requests": requests_made,
        "client_requests": run.requests_made,
        "peak_rss_mb_before": round(rss_before / 1024, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        command, *rest = args.child
        prepare = command == "prepare"
        result = child_prepare(rest[0], int(rest[1])) if prepare else child_backfill(rest[0])
        print(json.dumps(result))
        return
    for database in args.databases.split(","):
        result = bench_one(database, args.entries)
        for variant in AUTH_TENANTS:
            print(_line(database, variant, result, result[variant]))  # noqa: T201
        ratio = (
            result["read-ahead"]["entries_per_second"] / result["baseline"]["entries_per_second"]
        )
        print(f"{database:8} read-ahead / baseline: {ratio:.2f}x")  # noqa: T201
        sys.stdout.flush()


def _line(database: str, variant: str, bench: dict[str, Any], r: dict[str, Any]) -> str:
    floor = bench["floor"]
    return (
        f"{database:8} {variant:10} {r['stored']:>9,} of {bench['entries']:,} stored in "
        f"{r['seconds']}s = {r['entries_per_second']:,} entries/s; activity requests "
        f"{r['requests']:,} (floor {floor:,}, {'exact' if r['requests'] == floor else 'OVER'}); "
        f"fetching pages {r['fetch_seconds']}s, storing {r['store_seconds']}s; "
        f"worker peak RSS {r['peak_rss_mb']} MB (at start {r['peak_rss_mb_before']} MB); "
        f"status {r['status']} {r['error']}".rstrip()
    )


if __name__ == "__main__":
    main()
