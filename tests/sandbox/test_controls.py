"""The control endpoints answer bad bodies with a JSON 400 that says what is wrong, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from apps.sandbox import control
from apps.sandbox.models import SandboxActivity, SandboxClient, SandboxFaults

CONTROLS = "/sandbox/__sandbox"


@pytest.fixture
def client(control_token: str) -> Client:
    """A caller of the controls that holds the control token (as tests and scripts do)."""
    return Client(headers={"Authorization": f"Bearer {control_token}"})


def _send(client: Client, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.generic(method, f"{CONTROLS}{path}", raw, "application/json")
    return response.status_code, response.json()


@pytest.fixture
def team(db: None) -> str:
    control.seed(team_slug="acme", tenants=1, members=2, activity=0)
    return "acme"


def test_a_client_without_its_fields_is_refused_by_name(client: Client, db: None) -> None:
    status, body = _send(client, "POST", "/clients", {})
    assert (status, body) == (400, {"error": "client_id is required"})
    status, body = _send(client, "POST", "/clients", {"client_id": "abcdef"})
    assert (status, body) == (400, {"error": "auth_domain is required"})


def test_a_complete_client_is_created(client: Client, db: None) -> None:
    status, body = _send(
        client,
        "POST",
        "/clients",
        {
            "auth_domain": "beta.us.auth0.com",
            "client_id": "betaClient01",
            "client_secret": "s3cret",
            "scopes": "read:members read:tenants",
            "token_lifetime": 60,
        },
    )
    assert status == 201
    assert body == {
        "client_id": "betaClient01",
        "name": "betaClient01",
        "scopes": "read:members read:tenants",
    }
    assert SandboxClient.objects.get(client_id="betaClient01").token_lifetime == 60


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"client_id": "a\x00b"}, "body.client_id holds a NUL or an unpaired surrogate character"),
        ({"client_id": "x\ud800"}, "body.client_id holds a NUL or an unpaired surrogate character"),
        ({"client_id": "x" * 65}, "client_id must be at most 64 characters"),
        ({"client_id": 12345}, "client_id must be a string"),
        ({"nonsense": 1}, "unknown field(s): nonsense"),
        ([], "body must be a JSON object"),
        (b"[" * 100_000, "body is nested too deeply"),
        (b'{"client_id": 1e400}', "numbers must be finite"),
        (b'{"client_id": NaN}', "NaN is not a JSON number"),
    ],
)
def test_malformed_client_bodies_are_refused(
    client: Client, db: None, body: Any, error: str
) -> None:
    assert _send(client, "POST", "/clients", body) == (400, {"error": error})


def test_seeding_over_http_stays_small(client: Client, db: None) -> None:
    status, body = _send(client, "POST", "/seed", {"activity": 1_000_000})
    assert (status, body) == (400, {"error": "activity must be between 0 and 10000"})
    status, body = _send(client, "POST", "/seed", {"tenants": 1, "members": 1, "activity": 3})
    assert (status, body) == (200, {"tenants": 1, "members": 1, "activity": 3})


def test_fault_numbers_beyond_the_column_are_refused(client: Client, db: None) -> None:
    status, body = _send(client, "PUT", "/faults", {"latency_ms": "9223372036854775808"})
    assert status == 400
    assert body["error"].startswith("latency_ms must be between")
    assert not SandboxFaults.objects.filter(latency_ms__gt=0).exists()
    status, body = _send(client, "PUT", "/faults", {"latency_ms": 2**40})
    assert status == 400


def test_activity_at_a_moment_utc_cannot_hold_is_refused(client: Client, team: str) -> None:
    path = f"/teams/{team}/activity"
    status, body = _send(client, "POST", path, {"created_at": "0001-01-01T00:00:00+14:00"})
    assert (status, body) == (400, {"error": "created_at is out of range"})
    status, body = _send(client, "POST", path, {"count": 2, "created_at": "2026-11-01T12:00:00"})
    assert (status, body) == (201, {"added": 2})
    assert SandboxActivity.objects.filter(created_at__year=2026, created_at__month=11).count() == 2


def test_accepting_needs_an_email(client: Client, team: str) -> None:
    status, body = _send(client, "POST", f"/teams/{team}/invitations/accept", {})
    assert (status, body) == (400, {"error": "email is required"})


def test_the_request_log_filters_go_through_a_form(client: Client, db: None) -> None:
    response = client.get(f"{CONTROLS}/requests", {"path_contains": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["error"]["path_contains"][0]["code"] == "null_characters_not_allowed"
    assert client.get(f"{CONTROLS}/requests", {"method": "get"}).json() == {"requests": []}
