"""A sandbox served by its own processes on a scratch database, for tests that kill or race workers.

The test database belongs to the test process (and is emptied between tests), so these tests migrate
a scratch database (a SQLite file, or a scratch PostgreSQL database when the suite runs on
PostgreSQL), serve the sandbox from gunicorn and run syncs in `tests.sync.syncctl` processes.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for an empty database that other processes can open."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    import psycopg
    import psycopg.conninfo

    name = f"teamsadmin_scratch_{uuid.uuid4().hex[:10]}"
    host = str(db.get("HOST") or "127.0.0.1")
    port = int(db.get("PORT") or 5432)
    user = str(db.get("USER") or "postgres")
    password = str(db.get("PASSWORD") or "")
    admin_info = psycopg.conninfo.make_conninfo(
        host=host, port=port, user=user, password=password or None, dbname="postgres"
    )
    with psycopg.connect(admin_info, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    secret = f":{password}" if password else ""
    try:
        yield f"postgres://{user}{secret}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(admin_info, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SandboxProcesses:
    """gunicorn serving the sandbox, plus helpers to run `ctl` commands (by default
    `tests.sync.syncctl`) against the same DB."""

    def __init__(self, database_url: str, var_dir: Path, ctl: str = "tests.sync.syncctl") -> None:
        self.ctl = ctl
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
            "DATABASE_URL": database_url,
            "TEAMSADMIN_VAR_DIR": str(var_dir),
            "TEAMSADMIN_SANDBOX": "true",
            "TEAMSADMIN_SANDBOX_RATE_LIMIT": "false",
            "TEAMSADMIN_SYNC_LOCK_LEASE_SECONDS": str(LEASE_SECONDS),
            # A worker killed while minting a token holds the mint lock for one call's timeout.
            "TEAMSADMIN_HTTP_READ_TIMEOUT": "10",
            "CACHE_URL": "dbcache://teamsadmin_cache",
            "PYTHONPATH": str(ROOT),
        }
        self.server: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [*manage, "migrate", "-v", "0"], env=self.env, check=True, cwd=ROOT
        )
        subprocess.run(  # noqa: S603
            [*manage, "createcachetable"], env=self.env, check=True, cwd=ROOT
        )
        self.server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "teamsadmin.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/sandbox/auth/x/.well-known/jwks.json", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("the sandbox server did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)

    def command(self, *args: str, timeout: float = 120) -> dict[str, Any]:
        """Run a syncctl command to completion and return its JSON answer."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", self.ctl, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            timeout=timeout,
            check=True,
        )
        result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
        return result

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a syncctl command without waiting (to be killed); its stdout is a pipe."""
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", self.ctl, *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
