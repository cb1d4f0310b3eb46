"""Run the web server, a Celery worker and Celery beat together until Ctrl-C (development)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Start runserver, a Celery worker and beat; stop all three when one stops or on Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        Path(settings.VAR_DIR, "celery").mkdir(parents=True, exist_ok=True)
        commands = {
            "web": [python, "manage.py", "runserver", f"{options['host']}:{options['port']}"],
            "worker": [python, "-m", "celery", "-A", "teamsadmin", "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [
                python, "-m", "celery", "-A", "teamsadmin", "beat", "--loglevel=INFO",
                "--schedule", str(Path(settings.VAR_DIR, "celerybeat-schedule")),
            ],
        }  # fmt: skip
        self.stdout.write(
            f"Teams Admin on http://{options['host']}:{options['port']}/  (Ctrl-C stops everything)"
        )
        # Each child leads its own process group so that stopping it also stops what it forked
        # (runserver's autoreloader runs the server in a child process).
        children = {
            name: subprocess.Popen(cmd, start_new_session=True)  # noqa: S603
            for name, cmd in commands.items()
        }
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self._first_sync_when_up(
            f"http://{options['host']}:{options['port']}/accounts/login/", children
        )
        try:
            while not stopping:
                exited = [name for name, child in children.items() if child.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the others.")
                    break
                time.sleep(0.5)
        finally:
            self._stop(children)

    def _first_sync_when_up(
        self, probe_url: str, children: dict[str, subprocess.Popen[bytes]]
    ) -> None:
        """Queue a first sync once the web server answers, so the pages have data at once.

        The sandbox is served by the web process, so a sync queued earlier would fail.
        """
        from apps.activity.tasks import activity_sync_all_task
        from apps.directory.tasks import directory_sync_all_task

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and children["web"].poll() is None:
            try:
                with urllib.request.urlopen(probe_url, timeout=2):  # noqa: S310 - our own local server
                    break
            except OSError:
                time.sleep(0.5)
        else:
            self.stderr.write("The web server did not answer; no first sync was queued.")
            return
        directory_sync_all_task.delay()
        activity_sync_all_task.delay()
        self.stdout.write("First directory and activity sync queued.")

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            _signal_group(child, signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
