"""Single-flight token refresh across processes sharing one cache (file SQLite, or Redis if set)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from apps.authtenants.models import AuthTenant

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 4
THREADS = 8
LIFETIME = 3


def _child(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}}
    env["LOG_LEVEL"] = "WARNING"  # keeps the stderr pipe far from full while we wait
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.teamsapi.token_worker", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _output(proc: subprocess.Popen[str]) -> dict[str, object]:
    assert proc.stdout is not None and proc.stderr is not None
    proc.wait(timeout=60)
    out, err = proc.stdout.read(), proc.stderr.read()
    assert proc.returncode == 0, err[-2000:]
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_processes_refreshing_at_expiry_make_exactly_one_token_request(
    auth_tenant: AuthTenant, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_faults(token_lifetime_seconds=LIFETIME)
    config = {
        "tenant": {
            "name": "shared",
            "team_slug": auth_tenant.team_slug,
            "domain": auth_tenant.domain,
            "api_base_url_override": auth_tenant.api_base_url_override,
            "auth_base_url_override": auth_tenant.auth_base_url_override,
            "sandbox_origin": auth_tenant.sandbox_origin,
        },
        "client": {"label": "reader", "client_id": sandbox.readonly_client_id, "scopes": ""},
        "secret": sandbox.readonly_client_secret,
    }
    db = str(tmp_path / "shared.sqlite3")
    primed = _output(_child("prep", db, json.dumps(config)))
    sandbox.clear_requests_log()

    children = [_child("run", db, str(THREADS)) for _ in range(PROCESSES)]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    # Everyone starts together, once the primed token has expired.
    start_at = max(time.time() + 0.3, float(primed["expires_at"]) + 0.1)  # type: ignore[arg-type]
    for child in children:
        assert child.stdin is not None
        child.stdin.write(f"{start_at}\n")
        child.stdin.close()
    results = [_output(child) for child in children]

    assert all(r["errors"] == [] for r in results), results
    tokens = [t for r in results for t in r["tokens"]]  # type: ignore[attr-defined]
    assert len(tokens) == PROCESSES * THREADS
    assert len(set(tokens)) == 1
    assert sum(int(r["minted"]) for r in results) == 1  # type: ignore[call-overload]
    assert len(sandbox.requests_log(path_contains="/oauth/token")) == 1
