"""The sandbox controls answer only a signed-in owner (with CSRF) or a holder of the control token."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.sandbox import control
from apps.sandbox.models import SandboxTenant

RESET = "/sandbox/__sandbox/reset"
FAULTS = "/sandbox/__sandbox/faults"


@pytest.fixture
def seeded(db: None) -> int:
    control.seed(team_slug="acme", tenants=2, members=1, activity=0)
    return SandboxTenant.objects.count()


def test_anonymous_callers_are_refused_and_nothing_is_reset(client: Client, seeded: int) -> None:
    response = client.post(RESET)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "control token" in response.json()["error"]
    assert SandboxTenant.objects.count() == seeded


def test_the_control_token_is_accepted_as_bearer_or_in_its_own_header(
    control_token: str, seeded: int
) -> None:
    bearer = Client(headers={"Authorization": f"Bearer {control_token}"})
    own_header = Client(headers={"X-Sandbox-Control-Token": control_token})

    assert own_header.get(FAULTS).status_code == 200
    assert bearer.post(RESET).status_code == 200
    assert SandboxTenant.objects.count() == 0


def test_token_callers_need_no_csrf_token(control_token: str, seeded: int) -> None:
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {control_token}"})

    assert client.post(RESET).status_code == 200


@pytest.mark.parametrize(
    "presented", ["wrong-token", "test-sandbox-control-token-0123456789abcdeX"]
)
def test_a_wrong_token_is_refused(control_token: str, seeded: int, presented: str) -> None:
    response = Client(headers={"Authorization": f"Bearer {presented}"}).post(RESET)

    assert response.status_code == 403
    assert SandboxTenant.objects.count() == seeded


def test_no_token_is_accepted_when_none_is_configured(
    settings: SettingsWrapper, seeded: int
) -> None:
    settings.TEAMSADMIN_SANDBOX_CONTROL_TOKEN = ""
    for presented in ("", " ", "anything"):
        response = Client(headers={"Authorization": f"Bearer {presented}"}).post(RESET)
        assert response.status_code in (401, 403)
    assert SandboxTenant.objects.count() == seeded


def test_helpdesk_and_auditors_are_refused(
    helpdesk_client: Client, auditor_client: Client, seeded: int
) -> None:
    for client in (helpdesk_client, auditor_client):
        assert client.get(FAULTS).status_code == 403
        assert client.post(RESET).status_code == 403
    assert SandboxTenant.objects.count() == seeded


def test_an_owner_needs_the_csrf_token_to_change_anything(owner: User, seeded: int) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    assert client.get(FAULTS).status_code == 200  # reading needs no CSRF token
    assert client.post(RESET).status_code == 403
    assert client.put(FAULTS, b"{}", "application/json").status_code == 403
    assert SandboxTenant.objects.count() == seeded

    client.get("/")  # the dashboard sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    assert client.post(RESET, headers={"X-CSRFToken": csrf}).status_code == 200
    assert SandboxTenant.objects.count() == 0


def test_the_control_token_never_reaches_a_log_line_or_an_answer(
    control_token: str, seeded: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = [
        Client(headers={"Authorization": f"Bearer {control_token}"}).put(FAULTS, b"{", "x/y"),
        Client(headers={"Authorization": f"Bearer {control_token}x"}).post(RESET),
        Client(headers={"X-Sandbox-Control-Token": control_token[:-1]}).post(RESET),
    ]

    assert [answer.status_code for answer in answers] == [400, 403, 403]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in (logged, *(answer.content.decode() for answer in answers)):
        assert control_token[:-1] not in text
