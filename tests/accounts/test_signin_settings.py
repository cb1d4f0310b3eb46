"""Sign-in settings come from the environment, strictly; production cookies are secure."""

from __future__ import annotations

import json

import pytest

from tests.core.test_settings import ROOT, _start

SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps([s.AXES_FAILURE_LIMIT,"
    " s.AXES_COOLOFF_TIME.total_seconds(), s.TEAMSADMIN_LOCAL_LOGIN,"
    " s.TEAMSADMIN_SESSION_IDLE_MINUTES, s.TEAMSADMIN_TRUSTED_PROXY_COUNT,"
    " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
    " s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE]))"
)


def test_defaults_and_production_values() -> None:
    defaults = json.loads(_start(SHOW).stdout)
    assert defaults == [5, 900.0, True, 60, 0, False, False, True, "Lax", "Lax"]
    production = _start(
        SHOW,
        DEBUG="false",
        SECRET_KEY="x" * 40,
        TEAMSADMIN_ENCRYPTION_KEYS="dGVhbXNhZG1pbi1kZXZlbG9wbWVudC1rZXktMzJieXQ=",
        TEAMSADMIN_LOGIN_FAILURE_LIMIT="8",
        TEAMSADMIN_LOGIN_COOLOFF_MINUTES="30",
        TEAMSADMIN_LOCAL_LOGIN="off",
        TEAMSADMIN_SESSION_IDLE_MINUTES="20",
        TEAMSADMIN_TRUSTED_PROXY_COUNT="1",
    )
    assert json.loads(production.stdout) == [
        8,
        1800.0,
        False,
        20,
        1,
        True,
        True,
        True,
        "Lax",
        "Lax",
    ]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TEAMSADMIN_LOGIN_FAILURE_LIMIT", "0"),
        ("TEAMSADMIN_LOGIN_COOLOFF_MINUTES", "soon"),
        ("TEAMSADMIN_LOCAL_LOGIN", "perhaps"),
        ("TEAMSADMIN_SESSION_IDLE_MINUTES", "-5"),
        ("TEAMSADMIN_TRUSTED_PROXY_COUNT", "two"),
    ],
)
def test_a_malformed_value_stops_startup_naming_it(variable: str, value: str) -> None:
    result = _start("", cwd=ROOT, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
