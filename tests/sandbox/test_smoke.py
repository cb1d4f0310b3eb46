"""Smoke tests of the sandbox itself: fixture, one call per area, seeding, faults and controls."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.sandbox import control
from apps.sandbox.models import SandboxActivity, SandboxInvitation, SandboxMember, SandboxTenant
from tests.fixtures.sandbox import Sandbox


def test_fixture_token_verifies_against_the_published_jwks(sandbox: Sandbox) -> None:
    token = sandbox.token()
    jwks = requests.get(f"{sandbox.auth_base_url}/.well-known/jwks.json", timeout=10).json()

    claims = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"]).claims

    assert claims["iss"] == f"https://{sandbox.auth_domain}/"
    assert claims["aud"] == sandbox.audience
    assert claims["azp"] == sandbox.owner_client_id
    assert len(claims["scope"].split()) == 9


def test_one_read_per_area_answers_with_seeded_data(sandbox: Sandbox) -> None:
    token = sandbox.token()

    members = sandbox.api("GET", "/api/members", token).json()["members"]
    tenants = sandbox.api("GET", "/api/tenants", token).json()["tenants"]
    logs = sandbox.api("GET", "/api/activity/logs", token, params={"take": 10}).json()
    environments = sandbox.api("GET", "/api/environments", token).json()["environments"]

    assert len(members) == 30
    assert any(m["role"] == "teams_owner" for m in members)
    assert len(tenants) == 8
    assert {t["environment"] for t in tenants} == set(environments)
    assert any(t["domain"].endswith(".auth0app.com") for t in tenants)
    assert len(logs["logs"]) == 10 and "next" in logs


def test_write_is_logged_as_machine_activity_and_failed_write_as_failure(sandbox: Sandbox) -> None:
    token = sandbox.token()
    invited = sandbox.api(
        "POST",
        "/api/members",
        token,
        json={"email": "new.person@example.com", "role": "teams_contributor"},
    )
    refused = sandbox.api(
        "POST", "/api/members", token, json={"email": "bad", "role": "teams_contributor"}
    )

    newest = sandbox.api("GET", "/api/activity/logs", token, params={"take": 2}).json()["logs"]

    assert invited.status_code == 201 and invited.json()["id"].startswith("invite_")
    assert refused.status_code == 400 and refused.json()["type"] == "VALIDATION_ERROR"
    assert [e["status"] for e in newest] == ["Failure", "Success"]
    assert newest[1]["current_event"] == "member_invited"
    assert newest[1]["actor"] == {
        "id": sandbox.owner_client_id,
        "type": "machine",
        "name": "Teams Admin (owner)",
        "isMember": False,
    }


def test_readonly_client_cannot_write(sandbox: Sandbox) -> None:
    token = sandbox.token(client="readonly")

    response = sandbox.api("DELETE", "/api/tenants/538c9e21-e3d5-4ad6-b3d0-352c62369fb0", token)

    assert response.status_code == 403
    assert response.json()["type"] == "INSUFFICIENT_SCOPE"
    assert "delete:tenants" in response.json()["details"]


@pytest.mark.django_db
def test_seed_is_deterministic_for_a_seed_and_counts_match() -> None:
    def snapshot() -> tuple[list[str], list[str], list[str]]:
        return (
            list(SandboxMember.objects.order_by("member_id").values_list("member_id", flat=True)),
            list(SandboxTenant.objects.order_by("tenant_id").values_list("tenant_id", flat=True)),
            list(SandboxActivity.objects.order_by("id").values_list("id", flat=True)),
        )

    control.reset()
    counts = control.seed(tenants=5, members=7, activity=300, seed=42)
    first = snapshot()
    control.seed(tenants=5, members=7, activity=300, seed=42)
    again = snapshot()
    control.seed(tenants=5, members=7, activity=300, seed=43)

    assert (counts.tenants, counts.members, counts.activity) == (5, 7, 300)
    assert [len(part) for part in first] == [7, 5, 300]
    assert first == again
    assert snapshot() != first


@pytest.mark.django_db
def test_seed_command_if_empty_keeps_an_existing_team() -> None:
    control.reset()
    call_command(
        "sandbox_seed", "--tenants", "3", "--members", "4", "--activity", "10", stdout=io.StringIO()
    )
    out = io.StringIO()

    call_command("sandbox_seed", "--if-empty", "--tenants", "9", stdout=out)

    assert SandboxTenant.objects.count() == 3
    assert "already seeded" in out.getvalue()


def test_fault_command_sets_and_clears_switches_seen_by_the_server(sandbox: Sandbox) -> None:
    token = sandbox.token()
    call_command(
        "sandbox_fault", "--error-rate", "1", "--error-statuses", "503", stdout=io.StringIO()
    )

    failing = sandbox.api("GET", "/api/members", token)
    out = io.StringIO()
    call_command("sandbox_fault", "--clear", stdout=out)
    healthy = sandbox.api("GET", "/api/members", token)

    assert failing.status_code == 503
    assert failing.json()["type"] == "UNKNOWN_ERROR"
    assert json.loads(out.getvalue())["error_rate"] == 0
    assert healthy.status_code == 200


def test_control_endpoints_drive_faults_invitations_and_the_request_log(sandbox: Sandbox) -> None:
    token = sandbox.token()
    put = sandbox.control("PUT", "/faults", json={"rate_limit_burst": 1})
    limited = sandbox.api("GET", "/api/tenants", token)
    sandbox.api(
        "POST",
        "/api/members",
        token,
        json={"email": "joiner@example.com", "role": "teams_report_viewer"},
    )

    accepted = sandbox.control(
        "POST", "/teams/acme/invitations/accept", json={"email": "joiner@example.com"}
    )
    log = sandbox.control("GET", "/requests", params={"path_contains": "/api/tenants"}).json()
    bad = sandbox.control("PUT", "/faults", json={"no_such_switch": True})

    assert put.json()["rate_limit_burst"] == 1
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert accepted.status_code == 200 and accepted.json()["id"].startswith("auth0|")
    assert [(r["method"], r["status"], r["client_id"]) for r in log["requests"]] == [
        ("GET", 429, sandbox.owner_client_id)
    ]
    assert bad.status_code == 400


def test_old_invitations_are_accepted_lazily_when_auto_accept_is_on(
    sandbox: Sandbox, settings: SettingsWrapper
) -> None:
    token = sandbox.token()
    sandbox.api(
        "POST",
        "/api/members",
        token,
        json={"email": "lazy@example.com", "role": "teams_contributor"},
    )
    SandboxInvitation.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    settings.TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS = 60

    members = sandbox.api("GET", "/api/members", token).json()["members"]

    assert "lazy@example.com" in {m["email"] for m in members}
    assert not SandboxInvitation.objects.exists()
