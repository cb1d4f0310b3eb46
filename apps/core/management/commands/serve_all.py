"""Run the web server, a Celery worker and Celery beat together until Ctrl-C (development)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
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
        children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                exited = [name for name, child in children.items() if child.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the others.")
                    break
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
