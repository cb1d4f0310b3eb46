"""Single sign-on settings: strict parsing that names the variable, and the sandbox default."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.services import claim_values, role_from_claims
from apps.core.capabilities import Role
from tests.core.test_settings import ROOT, _start

SHOW = (
    "from django.conf import settings as s; "
    "print(s.TEAMSADMIN_OIDC_ISSUER or '-', s.TEAMSADMIN_OIDC_ROLE_MAP, s.TEAMSADMIN_OIDC_ALLOWED_DOMAINS)"
)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TEAMSADMIN_OIDC_ROLE_MAP": "owner=teams-owners,helpdesk"}, "TEAMSADMIN_OIDC_ROLE_MAP"),
        ({"TEAMSADMIN_OIDC_ROLE_MAP": "admin=teams-admins"}, "TEAMSADMIN_OIDC_ROLE_MAP"),
        (
            {"TEAMSADMIN_SANDBOX": "false", "TEAMSADMIN_OIDC_ISSUER": "https://acme.eu.auth0.com/"},
            "TEAMSADMIN_OIDC_CLIENT_ID",
        ),
        ({"TEAMSADMIN_OIDC_ISSUER": "acme.eu.auth0.com"}, "TEAMSADMIN_OIDC_ISSUER"),
    ],
)
def test_bad_single_sign_on_settings_stop_startup_naming_the_variable(
    env: dict[str, str], named: str
) -> None:
    result = _start("", cwd=ROOT, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_the_sandbox_is_the_default_provider_only_while_it_is_on() -> None:
    on = _start(SHOW, TEAMSADMIN_OIDC_ALLOWED_DOMAINS="Acme.example, @example.org")
    off = _start(
        SHOW,
        TEAMSADMIN_SANDBOX="false",
        TEAMSADMIN_OIDC_ROLE_MAP="owner=admins, auditor=audit, auditor=security",
    )

    assert on.stdout.split(" [")[0] == "/sandbox/auth/acme.us.auth0.com/", on.stderr
    assert "['acme.example', 'example.org']" in on.stdout
    assert off.stdout.startswith(
        "- [('owner', 'admins'), ('auditor', 'audit'), ('auditor', 'security')]"
    )


def test_claim_values_read_a_list_or_a_separated_string() -> None:
    claims = {"roles": ["a", 3, "b"], "groups": "a, b c", "odd": {"a": 1}}

    assert claim_values(claims, "roles") == ["a", "b"]
    assert claim_values(claims, "groups") == ["a", "b", "c"]
    assert claim_values(claims, "odd") == []
    assert claim_values(claims, "missing") == []


def test_the_most_powerful_mapped_role_wins_and_nothing_maps_to_no_role(
    settings: SettingsWrapper,
) -> None:
    settings.TEAMSADMIN_OIDC_ROLE_MAP = [
        ("owner", "teams-owners"),
        ("helpdesk", "teams-helpdesk"),
        ("auditor", "teams-auditors"),
        ("auditor", "security"),
    ]
    assert role_from_claims(["security"]) == Role.AUDITOR
    assert role_from_claims(["teams-auditors", "teams-owners"]) == Role.OWNER
    assert role_from_claims(["teams-auditors", "teams-helpdesk"]) == Role.HELPDESK
    assert role_from_claims(["Teams-Owners", "owner", "engineering"]) is None
    assert role_from_claims([]) is None
