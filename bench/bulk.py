"""Benchmark: a bulk invite sent against the sandbox under its default rate limit.

The sandbox (rate limit on: 50 requests per 10 s per client, §10) is served by gunicorn on a
scratch SQLite database; a bulk invite of N new people is then sent by `bulk_invite_run` in a
separate worker process. Reports rows per second against the limit's floor (N / 5 rows a second,
the bucket's refill rate), the 429s the worker met, and the worker's peak memory.

    python bench/bulk.py               # 200 rows (about 40 s), as `make bench` runs it
    python bench/bulk.py --rows 1000   # the full run (about 200 s)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _processes import free_port, run_child, wait_for_sandbox
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
AUTH_TENANT = "bench-bulk"
LIMIT_REQUESTS, LIMIT_SECONDS = 50, 10  # the sandbox's default Teams API bucket (§10)


def bench(rows: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="teamsadmin-bench-"))
    (tmp / "staticfiles").mkdir()  # DEBUG is off, so whitenoise serves from STATIC_ROOT
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "TEAMSADMIN_VAR_DIR": str(tmp),
        "TEAMSADMIN_SANDBOX": "true",
        # The sandbox stands in for the Teams API with DEBUG off: allowed on purpose here.
        "TEAMSADMIN_SANDBOX_FORCE": "true",
        "SECURE_SSL_REDIRECT": "false",  # gunicorn serves plain HTTP on 127.0.0.1
        "TEAMSADMIN_SANDBOX_RATE_LIMIT": "true",
        "TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS": "0",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TEAMSADMIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "CACHE_URL": "dbcache://teamsadmin_cache",  # the token is shared by both processes
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "createcachetable"], env=env, check=True, cwd=ROOT)
        job = run_child(__file__, "prepare", env, base, str(rows))["job"]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "teamsadmin.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                # One process: the sandbox keeps its rate-limit buckets in memory, so two
                # processes would each grant the full limit.
                "--workers",
                "1",
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
        return {"rows": rows, **run_child(__file__, "send", env, str(job))}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def child_prepare(base: str, rows: int) -> dict[str, Any]:
    from django.contrib.auth.models import Group, User

    from apps.authtenants.management.commands._actor import command_actor
    from apps.authtenants.sandbox import sandbox_auth_tenant_setup
    from apps.core.capabilities import Role
    from apps.members.models import BulkInvite, BulkInviteRow
    from apps.sandbox import control

    control.reset()
    control.seed(tenants=3, members=10, activity=10, seed=7)
    control.set_faults(latency_ms=0, rate_limit=True)
    auth_tenant, _ = sandbox_auth_tenant_setup(
        actor=command_actor(), root=f"{base}/sandbox", name=AUTH_TENANT
    )
    user = User.objects.create(username="bench-helpdesk")
    user.groups.add(Group.objects.get_or_create(name=Role.HELPDESK)[0])
    job = BulkInvite.objects.create(
        auth_tenant=auth_tenant,
        source="bench.csv",
        state=BulkInvite.State.QUEUED,
        started_by=user,
        started_by_username=user.username,
    )
    BulkInviteRow.objects.bulk_create(
        BulkInviteRow(
            job=job,
            line=n + 1,
            email=f"bench{n:05d}@example.com",
            team_role="teams_contributor",
            state=BulkInviteRow.State.READY,
        )
        for n in range(rows)
    )
    return {"job": job.pk}


def child_send(job_id: int) -> dict[str, Any]:
    from apps.members import bulk_services
    from apps.members.models import BulkInviteRow
    from apps.sandbox.models import SandboxRequest

    posts = SandboxRequest.objects.filter(path__endswith="/api/members", method="POST")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = bulk_services.bulk_invite_run(job_id=job_id)
    seconds = time.perf_counter() - started
    sent = BulkInviteRow.objects.filter(job_id=job_id, state=BulkInviteRow.State.SENT).count()
    return {
        "result": result,
        "seconds": round(seconds, 1),
        "sent": sent,
        "rows_per_second": round(sent / seconds, 2),
        "posts": posts.count(),
        "throttled": posts.filter(status=429).count(),
        "peak_rss_mb_before": round(rss_before / 1024, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        command, *rest = args.child
        if command == "prepare":
            print(json.dumps(child_prepare(rest[0], int(rest[1]))))  # noqa: T201
        else:
            print(json.dumps(child_send(int(rest[0]))))  # noqa: T201
        return
    r = bench(args.rows)
    rate = LIMIT_REQUESTS / LIMIT_SECONDS
    floor = r["rows"] / rate
    print(  # noqa: T201
        f"bulk invite: {r['sent']:,} of {r['rows']:,} sent in {r['seconds']}s = "
        f"{r['rows_per_second']} rows/s; limit {rate:g} requests/s, floor {floor:.0f}s "
        f"({floor / r['seconds']:.0%} of the limit's pace; the first {LIMIT_REQUESTS} ride the "
        f"full bucket); {r['posts']:,} invite calls, {r['throttled']} answered 429; "
        f"worker peak RSS {r['peak_rss_mb']} MB (at start {r['peak_rss_mb_before']} MB); "
        f"{r['result']}"
    )


if __name__ == "__main__":
    main()
