"""Start-up refuses malformed or unsafe configuration with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _start(script: str = "", *, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """Set Django up in a new process on embedded defaults plus `env`, then run `script`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEAMSADMIN_", "DATABASE_URL", "CACHE_URL", "CELERY_", "REDIS_URL"))
    }
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=cwd,
        env={**clean, "DJANGO_SETTINGS_MODULE": "teamsadmin.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_activity_retention_keeps_forever_unless_set() -> None:
    script = "from django.conf import settings; print(settings.TEAMSADMIN_ACTIVITY_RETENTION_DAYS)"
    assert _start(script).stdout.strip() == "None"
    assert _start(script, TEAMSADMIN_ACTIVITY_RETENTION_DAYS=" 90 ").stdout.strip() == "90"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TEAMSADMIN_SYNC_INTERVAL_SECONDS", "abc"),
        ("TEAMSADMIN_SANDBOX", "maybe"),
        ("DEBUG", "yes please"),
        ("TEAMSADMIN_HTTP_READ_TIMEOUT", "slow"),
        ("TEAMSADMIN_ACTIVITY_RETENTION_DAYS", "90 days"),
        ("TEAMSADMIN_ACTIVITY_RETENTION_DAYS", "0"),
        ("DATABASE_URL", "nosuchdb://x"),
    ],
)
def test_malformed_variable_stops_startup_naming_it(variable: str, value: str) -> None:
    result = _start("", cwd=ROOT, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_debug_off_refuses_development_secret_key() -> None:
    result = _start(
        DEBUG="false", TEAMSADMIN_ENCRYPTION_KEYS="dGVhbXNhZG1pbi1kZXZlbG9wbWVudC1rZXktMzJieXQ="
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_off_requires_encryption_keys() -> None:
    result = _start(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "TEAMSADMIN_ENCRYPTION_KEYS" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("s" * 40 + "\n")
    result = _start(
        DEBUG="false",
        SECRET_KEY_FILE=str(secret_file),
        TEAMSADMIN_ENCRYPTION_KEYS="dGVhbXNhZG1pbi1kZXZlbG9wbWVudC1rZXktMzJieXQ=",
        ALLOWED_HOSTS="teams.example.com",
    )
    assert result.returncode == 0, result.stderr


def test_production_defaults_turn_the_sandbox_off() -> None:
    script = "import django; django.setup(); from django.conf import settings; print(settings.TEAMSADMIN_SANDBOX)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMSADMIN_")}
    env.update(
        DEBUG="false",
        SECRET_KEY="k" * 50,
        TEAMSADMIN_ENCRYPTION_KEYS="dGVhbXNhZG1pbi1kZXZlbG9wbWVudC1rZXktMzJieXQ=",
        ALLOWED_HOSTS="teams.example.com",
        DJANGO_SETTINGS_MODULE="teamsadmin.settings",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_embedded_broker_keeps_every_folder_under_the_var_dir(tmp_path: Path) -> None:
    # A worker binds a queue to a broadcast exchange for remote control; kombu's filesystem
    # transport records that binding in ./control of whatever directory the worker ran from.
    var_dir = tmp_path / "var"
    (var_dir / "celery").mkdir(parents=True)  # as `make setup` does
    result = _start(
        "from kombu import Exchange, Queue\n"
        "from teamsadmin.celery import app\n"
        "with app.connection_for_write() as connection:\n"
        "    Queue('probe', Exchange('probe', type='fanout'))(connection.default_channel).declare()\n",
        cwd=tmp_path,
        TEAMSADMIN_VAR_DIR=str(var_dir),
    )
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["var"]
    assert (var_dir / "celery" / "control").is_dir()


CONSOLE_LINES = """
import logging
from teamsadmin.celery import app
app.log.setup_logging_subsystem(loglevel="INFO")  # as a worker does; it keeps this configuration
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response

def served(path, status):
    logging.getLogger("django.server").log(
        logging.WARNING if status >= 400 else logging.INFO, '"%s" %s %s',
        f"GET {path} HTTP/1.1", str(status), "12",
        extra={"status_code": status, "server_time": "now", "request": None},
    )

def refused(path, status, exception=None):
    log_response("Refused: %s", path, response=HttpResponse(status=status),
                 request=RequestFactory().get(path), exception=exception)

served("/activity/", 200)
served("/sandbox/teams/acme/api/activity/logs", 200)
served("/sandbox/teams/acme/api/activity/logs", 429)
served("/sandbox/teams/acme/api/members", 500)
refused("/sandbox/teams/acme/api/members", 429)
refused("/activity/", 403, PermissionDenied("Your role does not allow you to view activity."))
logging.getLogger("apps.teamsapi").info("teams api list_activity status=200")
logging.getLogger("kombu.connection").warning("No hostname was supplied. Reverting to default")
logging.getLogger("apps.sync.services").info("Acme: activity sync succeeded")
"""


def test_console_shows_one_line_per_dashboard_event_and_hides_sandbox_and_api_calls() -> None:
    done = _start(CONSOLE_LINES)

    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 4, lines
    assert lines[0].endswith('"GET /activity/ HTTP/1.1" 200 12')
    assert lines[1].endswith('"GET /sandbox/teams/acme/api/members HTTP/1.1" 500 12')
    assert lines[2].endswith(
        "WARNING django.request Refused: /activity/: Your role does not allow you to view activity."
    )
    assert lines[3].endswith("INFO apps.sync.services Acme: activity sync succeeded")


def test_log_level_debug_shows_the_sandbox_and_api_call_lines() -> None:
    done = _start(CONSOLE_LINES, LOG_LEVEL="DEBUG")

    assert done.returncode == 0, done.stderr
    assert done.stderr.count("/sandbox/") == 4
    assert "teams api list_activity" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
def test_a_refused_request_is_logged_once_with_its_reason_and_no_traceback(
    auditor_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = auditor_client.post(reverse("sync:sync-now", args=[1]))

    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].exc_info is None
    assert records[0].getMessage().endswith(": Your role does not allow you to start a sync.")
