"""Headless set-up: authtenant_setup and authtenant_setup_sandbox are idempotent and validate input."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.models import AuthTenant

pytestmark = pytest.mark.django_db

BASE_ARGS = [
    "--name=Globex",
    "--team-slug=globex",
    "--domain=globex.eu.auth0.com",
    "--region=EU",
    "--cloud=public",
    "--client-id=globexSync",
    "--scopes=read:members,read:team_activity",
    "--label=Sync",
]


def test_setup_creates_then_updates_the_same_rows(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("authtenant_setup", *BASE_ARGS, "--client-secret=first")
    assert "Created Auth Tenant 'Globex'" in capsys.readouterr().out

    call_command(
        "authtenant_setup",
        *BASE_ARGS,
        "--client-secret=second",
        "--api-base-url=https://proxy.example.com/teams/globex",
    )
    assert "Updated Auth Tenant 'Globex'" in capsys.readouterr().out

    tenant = AuthTenant.objects.get()
    client = tenant.clients.get()
    assert tenant.api_base_url == "https://proxy.example.com/teams/globex"
    assert (tenant.region, client.label) == ("EU", "Sync")
    assert client.scopes == "read:members read:team_activity"
    assert client.get_secret() == "second"


def test_setup_reads_the_secret_from_a_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    call_command("authtenant_setup", *BASE_ARGS, f"--client-secret-file={secret_file}")
    assert AuthTenant.objects.get().clients.get().get_secret() == "from-file"

    monkeypatch.setenv("TEAMSADMIN_AUTHTENANT_CLIENT_SECRET", "from-env")
    call_command("authtenant_setup", *BASE_ARGS)
    assert AuthTenant.objects.get().clients.get().get_secret() == "from-env"


def test_setup_without_a_secret_fails_clearly() -> None:
    with pytest.raises(CommandError, match="--client-secret"):
        call_command("authtenant_setup", *BASE_ARGS)
    assert not AuthTenant.objects.exists()


@pytest.mark.parametrize(
    "bad",
    ["--domain=169.254.169.254", "--auth-base-url=https://localhost:8443", "--team-slug=Bad_Slug!"],
)
def test_setup_refuses_unsafe_or_invalid_values(bad: str, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    with pytest.raises(CommandError):
        call_command("authtenant_setup", *BASE_ARGS, "--client-secret=x", bad)
    assert not AuthTenant.objects.exists()


def test_setup_sandbox_points_the_demo_tenant_at_the_given_port(
    settings: SettingsWrapper,
) -> None:
    settings.TEAMSADMIN_SANDBOX = True
    call_command("authtenant_setup_sandbox", "--port=8123")
    call_command("authtenant_setup_sandbox", "--port=8124")

    tenant = AuthTenant.objects.get()
    assert tenant.name == "Acme (sandbox)"
    assert tenant.api_base_url == "http://127.0.0.1:8124/sandbox/teams/acme"
    assert tenant.token_url == "http://127.0.0.1:8124/sandbox/auth/acme.us.auth0.com/oauth/token"
    assert tenant.issuer == "https://acme.us.auth0.com/"
    assert tenant.sandbox_origin == "http://127.0.0.1:8124"  # loopback is allowed only there
    clients = {client.label: client for client in tenant.clients.all()}
    assert set(clients) == {"Owner actions", "Read-only sync"}
    assert len(clients["Owner actions"].scope_set) == 9
    assert clients["Read-only sync"].scope_set == {
        "read:tenants",
        "read:members",
        "read:team_activity",
    }
    assert clients["Owner actions"].get_secret() == settings.TEAMSADMIN_SANDBOX_CLIENT_SECRET
    assert clients["Read-only sync"].client_id == settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID


def test_setup_sandbox_does_nothing_when_the_sandbox_is_off(
    settings: SettingsWrapper, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    call_command("authtenant_setup_sandbox", "--port=8000")
    assert "sandbox is off" in capsys.readouterr().out
    assert not AuthTenant.objects.exists()
