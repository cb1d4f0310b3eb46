"""Benchmark: a full activity backfill from the sandbox into SQLite and PostgreSQL.

Seeds N entries in the sandbox (latency 0, rate limit off), served by gunicorn on a scratch
database, then times `activity_sync` in a separate worker process and reports entries/s, activity
requests made against the floor ceil(N/50), and the worker's peak memory.

    python bench/sync.py                      # 1,000,000 entries, SQLite then PostgreSQL
    python bench/sync.py --entries 100000 --databases postgres
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgres://postgres@127.0.0.1:5432"
AUTH_TENANT = "bench"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _child(command: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", command, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode())
        raise SystemExit(f"bench child {command!r} failed")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


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
    pg_name = ""
    if database == "postgres":
        url, pg_name = _scratch_postgres()
    else:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
        "DATABASE_URL": url,
        "TEAMSADMIN_VAR_DIR": str(tmp),
        "TEAMSADMIN_SANDBOX": "true",
        "TEAMSADMIN_SANDBOX_RATE_LIMIT": "false",
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "createcachetable"], env=env, check=True, cwd=ROOT)
        started = time.perf_counter()
        _child("prepare", env, base, str(entries))
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
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        _wait_for(base)
        result = _child("backfill", env)
        result["seed_seconds"] = round(seeded, 1)
        result["database"] = database
        result["entries"] = entries
        result["floor"] = math.ceil(entries / 50)
        return result
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if pg_name:
            _drop_postgres(pg_name)


def _wait_for(base: str) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/sandbox/auth/x/.well-known/jwks.json", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("the sandbox server did not start")


def child_prepare(base: str, entries: int) -> dict[str, Any]:
    from django.conf import settings

    from apps.authtenants.models import AuthClient, AuthTenant
    from apps.sandbox import control

    control.reset()
    control.seed(tenants=3, members=10, activity=entries, seed=7)
    control.set_faults(latency_ms=0, rate_limit=False)
    tenant = AuthTenant.objects.create(
        name=AUTH_TENANT,
        team_slug="acme",
        domain="acme.us.auth0.com",
        api_base_url_override=f"{base}/sandbox/teams/acme",
        auth_base_url_override=f"{base}/sandbox/auth/acme.us.auth0.com",
    )
    client = AuthClient(
        auth_tenant=tenant,
        label="read-only",
        client_id=settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID,
        scopes="read:tenants read:members read:team_activity",
    )
    client.set_secret(settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET)
    client.save()
    return {"seeded": entries}


def child_backfill() -> dict[str, Any]:
    from apps.activity import services
    from apps.activity.models import ActivityEvent
    from apps.authtenants.models import AuthTenant
    from apps.sandbox.models import SandboxRequest
    from apps.teamsapi.client import TeamsClient

    # Split the wall time: waiting for the sandbox versus storing locally.
    http_seconds = 0.0
    original = TeamsClient._request

    def timed(self: TeamsClient, *args: Any, **kwargs: Any) -> Any:
        nonlocal http_seconds
        began = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            http_seconds += time.perf_counter() - began

    TeamsClient._request = timed  # type: ignore[method-assign]
    tenant = AuthTenant.objects.get(name=AUTH_TENANT)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    run = services.activity_sync(auth_tenant=tenant)
    seconds = time.perf_counter() - started
    stored = ActivityEvent.objects.filter(auth_tenant=tenant).count()
    return {
        "status": run.status,
        "error": run.error,
        "seconds": round(seconds, 1),
        "stored": stored,
        "entries_per_second": round(stored / seconds),
        "http_seconds": round(http_seconds, 1),
        "local_entries_per_second": round(stored / max(seconds - http_seconds, 1e-9)),
        "requests": SandboxRequest.objects.filter(path__contains="/api/activity/logs").count(),
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
        result = child_prepare(rest[0], int(rest[1])) if prepare else child_backfill()
        print(json.dumps(result))
        return
    for database in args.databases.split(","):
        r = bench_one(database, args.entries)
        print(
            f"{database:8} {r['stored']:>9,} of {r['entries']:,} stored in {r['seconds']}s "
            f"= {r['entries_per_second']:,} entries/s; activity requests {r['requests']:,} "
            f"(floor {r['floor']:,}, {'exact' if r['requests'] == r['floor'] else 'OVER'}); "
            f"waiting on the sandbox {r['http_seconds']}s, local side alone "
            f"{r['local_entries_per_second']:,} entries/s; worker peak RSS {r['peak_rss_mb']} MB (at start {r['peak_rss_mb_before']} MB); "
            f"status {r['status']} {r['error']}".rstrip()
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
