"""The sandbox never starts by accident in production: DEBUG off needs TEAMSADMIN_SANDBOX_FORCE."""

from __future__ import annotations

import os
import subprocess
import sys

from cryptography.fernet import Fernet

from tests.core.test_settings import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "9f8e7d6c5b4a" * 5,
    "ALLOWED_HOSTS": "teams.example.com",
    "TEAMSADMIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def _start(script: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """Set Django up in a new process on embedded defaults plus `env`, then run `script`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TEAMSADMIN_", "DEBUG"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "teamsadmin.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


MOUNTED = (
    "from django.conf import settings as s; from django.urls import reverse; "
    "print(s.TEAMSADMIN_SANDBOX, reverse('sandbox:control-reset'))"
)


def test_the_sandbox_refuses_to_start_with_debug_off() -> None:
    result = _start(MOUNTED, **PRODUCTION, TEAMSADMIN_SANDBOX="true")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "TEAMSADMIN_SANDBOX " in result.stderr and "TEAMSADMIN_SANDBOX_FORCE" in result.stderr


def test_the_sandbox_starts_with_debug_off_when_forced() -> None:
    result = _start(
        MOUNTED, **PRODUCTION, TEAMSADMIN_SANDBOX="true", TEAMSADMIN_SANDBOX_FORCE="true"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True /sandbox/__sandbox/reset"


def test_the_sandbox_starts_with_debug_on_without_being_forced() -> None:
    result = _start(MOUNTED, TEAMSADMIN_SANDBOX="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True /sandbox/__sandbox/reset"


def test_the_sandbox_stays_unmounted_in_production_by_default() -> None:
    script = "from django.conf import settings as s; print(s.TEAMSADMIN_SANDBOX)"
    assert _start(script, **PRODUCTION).stdout.strip() == "False"


def test_a_short_control_token_stops_startup_naming_it() -> None:
    result = _start(TEAMSADMIN_SANDBOX_CONTROL_TOKEN="too-short")

    assert result.returncode != 0
    assert "TEAMSADMIN_SANDBOX_CONTROL_TOKEN" in result.stderr
