"""Token benchmark: 1,000 Teams API calls from 4 processes, our shared-cache client vs. mint-per-call.

Self-contained: a temporary SQLite database (which also holds the shared token cache), the app with
its sandbox served on a free localhost port from a background thread, and a tiny seeded team.
Run with `.venv/bin/python bench/tokens.py`; prints token requests and wall time per client.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROCESSES = 4
CALLS = 1000
PER_PROCESS = CALLS // PROCESSES
TIMEOUT = (5.0, 30.0)


def _environment(db_path: str) -> None:
    for name in ("CACHE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "teamsadmin.settings"
    os.environ["TEAMSADMIN_SANDBOX"] = "1"
    os.environ["TEAMSADMIN_SANDBOX_RATE_LIMIT"] = "0"
    os.environ["TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["TEAMSADMIN_VAR_DIR"] = str(Path(db_path).parent)
    import django

    django.setup()


def _ours(db_path: str, start_at: float) -> int:
    """PER_PROCESS calls with TeamsClient; tokens come from the shared cache."""
    _environment(db_path)
    from apps.authtenants.connection import teams_client
    from apps.authtenants.models import AuthTenant

    with teams_client(AuthTenant.objects.get()) as client:
        time.sleep(max(0.0, start_at - time.time()))
        for _ in range(PER_PROCESS):
            client.list_environments()
        return client.tokens.tokens_minted


def _naive(db_path: str, start_at: float) -> int:
    """PER_PROCESS calls that each mint a fresh token first, as a cache-less client would."""
    _environment(db_path)
    import requests

    from apps.authtenants.models import AuthTenant

    tenant = AuthTenant.objects.get()
    row = tenant.clients.get()
    secret = row.get_secret()
    session = requests.Session()
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(PER_PROCESS):
        minted = session.post(
            tenant.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": row.client_id,
                "client_secret": secret,
                "audience": tenant.audience,
            },
            timeout=TIMEOUT,
        )
        minted.raise_for_status()
        token = minted.json()["access_token"]
        response = session.get(
            f"{tenant.api_base_url}/api/environments",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
    return PER_PROCESS


def _serve() -> str:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def _measure(label: str, target: Any, db_path: str) -> tuple[int, float]:
    from apps.sandbox import control

    control.clear_requests_log()
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3  # every interpreter is up before the clock starts
    with context.Pool(PROCESSES) as pool:
        pending = [pool.apply_async(target, (db_path, start_at)) for _ in range(PROCESSES)]
        for result in pending:
            result.get(timeout=600)
    wall = time.time() - start_at
    token_requests = len(control.requests_log(path_contains="/oauth/token"))
    api_calls = len(control.requests_log(path_contains="/api/environments"))
    print(
        f"{label:<28} api calls {api_calls:>5}  token requests {token_requests:>5}  "
        f"wall {wall:6.2f} s"
    )
    return token_requests, wall


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="teamsadmin-bench-")
    db_path = str(Path(workdir) / "bench.sqlite3")
    _environment(db_path)
    from django.core.management import call_command

    from apps.authtenants.management.commands._actor import command_actor
    from apps.authtenants.sandbox import sandbox_auth_tenant_setup
    from apps.sandbox import control

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    url = _serve()

    control.seed(
        team_slug="acme", auth_domain="acme.us.auth0.com", tenants=3, members=5, activity=10
    )
    # Rate limiting off, and a bucket so large its headers never announce a drained bucket
    # (the client would otherwise pace itself to the sandbox's default 50 calls per 10 s).
    control.set_faults(rate_limit=False, rate_limit_bucket=1_000_000, rate_limit_window=1)
    sandbox_auth_tenant_setup(
        actor=command_actor(), root=f"{url}/sandbox", name="bench", owner_client=False
    )

    print(f"{CALLS} Teams API calls from {PROCESSES} processes against {url}")
    ours_tokens, ours_wall = _measure("TeamsClient (shared cache)", _ours, db_path)
    naive_tokens, naive_wall = _measure("naive (mint per call)", _naive, db_path)
    print(
        f"token requests ratio naive/ours = {naive_tokens / max(ours_tokens, 1):.0f}x, "
        f"wall time ratio naive/ours = {naive_wall / ours_wall:.2f}x"
    )
    if ours_tokens != 1:
        print(f"FAIL: expected exactly 1 token request from TeamsClient, got {ours_tokens}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
