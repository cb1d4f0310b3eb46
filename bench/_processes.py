"""What the benchmarks that run the sandbox in a server process share: a port, a child run of
the script itself (its last stdout line is JSON), and waiting for the server to answer."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_child(script: str, command: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run `script --child command args` in `env`; what its last stdout line says (JSON)."""
    done = subprocess.run(
        [sys.executable, script, "--child", command, *args],
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


def wait_for_sandbox(base: str) -> None:
    """Return once the sandbox at `base` answers (a minute at most)."""
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/sandbox/auth/x/.well-known/jwks.json", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("the sandbox server did not start")
