"""Run the web server, a Celery worker and Celery beat together until Ctrl-C (development).

It lives in the sync app because it queues the first sync, by task name like every enqueue.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from apps.sync.queue import DEFAULT_KINDS, task_send
from apps.sync.tasknames import SYNC_ALL

START_TIMEOUT_SECONDS = 90

Children = dict[str, subprocess.Popen[bytes]]


class Command(BaseCommand):
    help = (
        "Start runserver, a Celery worker and beat; queue a first sync once the web server "
        "answers; print the URL (and demo logins) once all three are up. Ctrl-C stops all three."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://{options['host']}:{options['port']}/"
        schedule = Path(settings.VAR_DIR, "celerybeat-schedule")
        Path(settings.VAR_DIR, "celery").mkdir(parents=True, exist_ok=True)
        started = time.time()
        children = _start(_commands(options["host"], options["port"], schedule))
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            if self._up(children, url, schedule, started, lambda: stopping):
                self._announce(url)
            while not stopping:
                exited = [name for name, child in children.items() if child.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the others.")
                    break
                time.sleep(0.5)
        finally:
            _stop(children)

    def _up(
        self,
        children: Children,
        url: str,
        schedule: Path,
        started: float,
        stopping: Callable[[], bool],
    ) -> bool:
        """Wait until web, worker and beat answer; queue the first sync as soon as web does.

        The sandbox is served by the web process, so a sync queued earlier would fail.
        """
        probes: dict[str, Callable[[], bool]] = {
            "web": lambda: _web_answers(f"{url}accounts/login/"),
            "worker": _worker_answers,
            "beat": lambda: _beat_ticked(schedule, started),
        }
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while probes and time.monotonic() < deadline and not stopping():
            for name in [name for name, probe in probes.items() if probe()]:
                del probes[name]
                if name == "web":
                    for kind in DEFAULT_KINDS:
                        task_send(SYNC_ALL, kind)
            if any(children[name].poll() is not None for name in probes):
                break
            time.sleep(0.5)
        if probes and not stopping():
            self.stderr.write(f"{', '.join(probes)} did not come up; see the output above.")
        return not probes

    def _announce(self, url: str) -> None:
        """The URL and demo logins in one write, so the workers' lines do not split them."""
        logins = io.StringIO()
        if settings.TEAMSADMIN_SANDBOX:
            call_command("demo_users", stdout=logins)
        self.stdout.write(
            f"\nTeams Admin is up on {url}  (Ctrl-C stops web, worker and beat)\n"
            f"A first directory and activity sync was queued when the web server answered.\n"
            f"{logins.getvalue()}",
            ending="",
        )


def _commands(host: str, port: int, schedule: Path) -> dict[str, list[str]]:
    python, celery = sys.executable, [sys.executable, "-m", "celery", "-A", "teamsadmin"]
    return {
        "web": [python, "manage.py", "runserver", f"{host}:{port}"],
        "worker": [*celery, "worker", "--concurrency=2"],
        "beat": [*celery, "beat", "--schedule", str(schedule)],
    }


def _start(commands: dict[str, list[str]]) -> Children:
    # Each child leads its own process group so that stopping it also stops what it forked
    # (runserver's autoreloader runs the server in a child process).
    return {
        name: subprocess.Popen(command, start_new_session=True)  # noqa: S603
        for name, command in commands.items()
    }


def _web_answers(probe_url: str) -> bool:
    try:
        with urllib.request.urlopen(probe_url, timeout=2):  # noqa: S310 - our own local server
            return True
    except OSError:
        return False


def _worker_answers() -> bool:
    return bool(current_app.control.ping(timeout=1.0))


def _beat_ticked(schedule: Path, started: float) -> bool:
    """Beat writes its schedule file (the shelve may add a suffix) when it starts ticking."""
    return any(
        path.stat().st_mtime >= started for path in schedule.parent.glob(f"{schedule.name}*")
    )


def _stop(children: Children) -> None:
    # SIGINT to each group is what Ctrl-C in a terminal would send: Celery's pool processes
    # ignore it and their parent shuts them down warmly; runserver's reloader and server stop.
    for child in children.values():
        _signal_group(child, signal.SIGINT)
    for child in children.values():
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
