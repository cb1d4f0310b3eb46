"""Production settings pass Django's deploy check; HTTPS and browser-security settings are strict."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.core.test_settings import ROOT


def _production(tmp_path: Path, **env: str) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": "k3y-" + "9f8e7d6c5b4a" * 5,
        "ALLOWED_HOSTS": "teams.example.com",
        "TEAMSADMIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "TEAMSADMIN_VAR_DIR": str(tmp_path),
        **env,
    }


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run Python with `args` in a new process on embedded defaults plus `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEAMSADMIN_", "DATABASE_URL", "CACHE_URL", "CELERY_", "REDIS_URL"))
        # DJANGO_ALLOW_ASYNC_UNSAFE (set for the browser tests) is itself a deploy warning.
        and not k.startswith(("SECURE_", "DEBUG", "DJANGO_"))
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env={
            **clean,
            **env,
            "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(str(ROOT / "manage.py"), *args, env=env)


def _start(script: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Set Django up in a new process, then run `script`."""
    return _run("-c", "import django; django.setup()\n" + script, env=env or {})


def test_production_settings_pass_the_deploy_check_without_a_warning(tmp_path: Path) -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production(tmp_path))

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_notices_when_hsts_is_turned_off(tmp_path: Path) -> None:
    env = _production(tmp_path, SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false")
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


SECURITY = (
    "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, "
    "s.SECURE_PROXY_SSL_HEADER, s.SECURE_REDIRECT_EXEMPT)"
)


def test_production_defaults_are_strict(tmp_path: Path) -> None:
    result = _start(SECURITY, _production(tmp_path))
    assert result.stdout.strip() == ("31536000 True False True None ['^healthz$', '^readyz$']"), (
        result.stderr
    )


def test_development_defaults_stay_on_plain_http() -> None:
    result = _start(SECURITY)
    assert result.stdout.strip().startswith("0 True False False None"), result.stderr


def test_hsts_and_the_proxy_header_come_from_the_environment(tmp_path: Path) -> None:
    env = _production(
        tmp_path,
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="true",
        SECURE_SSL_REDIRECT="false",
        TEAMSADMIN_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    result = _start(SECURITY, env)
    assert result.stdout.strip().startswith(
        "600 False True False ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TEAMSADMIN_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("SECURE_SSL_REDIRECT", "sometimes"),
        ("TEAMSADMIN_CSP_FORM_ACTION", "http://login.example.com"),
    ],
)
def test_malformed_security_variables_stop_startup_naming_them(variable: str, value: str) -> None:
    result = _start(env={variable: value})
    assert result.returncode != 0
    assert variable in result.stderr and "ImproperlyConfigured" in result.stderr


def test_form_action_lists_the_origins_of_the_given_urls() -> None:
    script = (
        "from django.conf import settings as s; "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    urls = "https://Login.Example.com/authorize?x=1, https://b.example:8443/"
    result = _start(script, {"TEAMSADMIN_CSP_FORM_ACTION": urls})
    assert result.stdout.strip() == (
        "[\"'self'\", 'https://login.example.com', 'https://b.example:8443']"
    ), result.stderr
