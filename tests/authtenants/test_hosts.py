"""Only public https host names may receive client secrets; bad hosts are field errors, never requests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.hosts import validate_base_url, validate_domain
from apps.authtenants.models import AuthTenant
from tests.fixtures.sandbox import Sandbox

BAD_DOMAINS = [
    "127.0.0.1",
    "10.0.0.5",
    "192.168.1.10",
    "172.16.0.1",
    "169.254.169.254",
    "0.0.0.0",  # noqa: S104 - a refused input, nothing binds to it
    "2130706433",  # 127.0.0.1 as one decimal number
    "0x7f000001",  # ... as hex
    "0x7f.1",  # ... as hex + short form
    "017700000001",  # ... as octal
    "127.1",
    "::1",
    "[::1]",
    "fe80::1",
    "[fd00::1]",
    "localhost",
    "api.localhost",
    "metadata.internal",
    "printer.local",
    "evil.com@acme.us.auth0.com",
    "acme.us.auth0.com@169.254.169.254",
    "acme.us.auth0.com:8443",
    "acme.us.auth0.com:443",
    "acme.us.auth0.com.",
    "acme..auth0.com",
    ".acme.auth0.com",
    "xn--80ak6aa92e.com",
    "acme.xn--p1ai",
    "ácme.auth0.com",
    "acme.us.auth0.com/oauth/token",
    "acme.us.auth0.com?x=1",
    "acme.us.auth0.com#frag",
    "http://acme.us.auth0.com",
    "https://acme.us.auth0.com",
    "acme us.auth0.com",
    "acme\\.auth0.com",
    "acme",
    "-acme.auth0.com",
    "acme_1.auth0.com",
    "",
]

BAD_URLS = [
    "http://acme.teams.auth0.com",
    "https://127.0.0.1",
    "https://127.0.0.1:8000/sandbox/teams/acme",
    "http://localhost:8000/sandbox/teams/acme",
    "https://localhost",
    "https://2130706433/",
    "https://0x7f.1/",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/",
    "https://[fd00::1]:443/",
    "https://user@acme.teams.auth0.com",
    "https://user:pass@acme.teams.auth0.com",
    "https://acme.teams.auth0.com@evil.com",
    "https://acme.teams.auth0.com:8443",
    "https://acme.teams.auth0.com:0",
    "https://acme.teams.auth0.com.",
    "https://acme..auth0.com",
    "https://xn--80ak6aa92e.com",
    "https://ácme.teams.auth0.com",
    "https://acme.teams.auth0.com/api?x=1",
    "https://acme.teams.auth0.com/#frag",
    "https://acme.teams.auth0.com\\@evil.com",
    "ftp://acme.teams.auth0.com",
    "file:///etc/passwd",
    "acme.teams.auth0.com",
    "//acme.teams.auth0.com",
    "https://",
    "https://api.internal/teams",
]

GOOD_DOMAINS = ["acme.us.auth0.com", "ACME.EU.Auth0.com", "login.example-corp.com", "a1.b2.io"]
GOOD_URLS = [
    "https://acme.teams.auth0.com",
    "https://acme.teams.auth0.com:443/",
    "https://proxy.example.com/teams/acme",
    "https://acme.us.auth0.com",
]


@pytest.mark.parametrize("value", BAD_DOMAINS)
def test_unsafe_domain_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_domain(value)


@pytest.mark.parametrize("value", GOOD_DOMAINS)
def test_public_domain_is_accepted(value: str) -> None:
    validate_domain(value)


@pytest.mark.parametrize("value", BAD_URLS)
def test_unsafe_override_url_is_rejected(value: str, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    with pytest.raises(ValidationError):
        validate_base_url(value)


@pytest.mark.parametrize("value", GOOD_URLS)
def test_public_https_override_url_is_accepted(value: str, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    validate_base_url(value)


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1:8000/sandbox/teams/acme",
        "http://localhost:8123/sandbox/auth/acme.us.auth0.com",
        "http://[::1]:8000/sandbox/teams/acme",
    ],
)
def test_sandbox_mode_allows_loopback_overrides(value: str, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_SANDBOX = True
    validate_base_url(value)
    settings.TEAMSADMIN_SANDBOX = False
    with pytest.raises(ValidationError):
        validate_base_url(value)


@pytest.mark.parametrize(
    "value", ["http://10.0.0.5:8000/", "http://169.254.169.254/", "https://user@127.0.0.1:8000/"]
)
def test_sandbox_mode_still_rejects_other_private_hosts(
    value: str, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_SANDBOX = True
    with pytest.raises(ValidationError):
        validate_base_url(value)


def test_allow_listed_hosts_are_accepted(settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    settings.TEAMSADMIN_ALLOWED_API_HOSTS = ["teams-proxy.corp.internal", "auth.lan:8443"]
    validate_domain("teams-proxy.corp.internal")
    validate_base_url("https://teams-proxy.corp.internal/api-base")
    validate_base_url("https://auth.lan:8443/")
    with pytest.raises(ValidationError, match="https"):
        validate_base_url("http://teams-proxy.corp.internal/")
    with pytest.raises(ValidationError):
        validate_base_url("https://other.corp.internal/")


def _tenant_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Acme",
        "team_slug": "acme",
        "domain": "acme.us.auth0.com",
        "region": "US",
        "cloud": "public",
        "enabled": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("value", BAD_DOMAINS[:20])
@pytest.mark.django_db
def test_create_form_shows_a_domain_field_error(owner_client: Client, value: str) -> None:
    response = owner_client.post(reverse("authtenants:create"), _tenant_form(domain=value))
    assert response.status_code == 200
    assert response.context["form"].errors["domain"]
    assert not AuthTenant.objects.exists()


@pytest.mark.parametrize("field", ["api_base_url_override", "auth_base_url_override"])
@pytest.mark.django_db
def test_create_form_shows_an_override_field_error(
    owner_client: Client, field: str, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    response = owner_client.post(
        reverse("authtenants:create"), _tenant_form(**{field: "https://169.254.169.254/"})
    )
    assert response.context["form"].errors[field]
    assert not AuthTenant.objects.exists()


def test_unsafe_hosts_never_cause_an_outbound_request(
    sandbox: Sandbox, owner_client: Client, settings: SettingsWrapper
) -> None:
    """Every unsafe value is refused by the form and the connection test never reaches out."""
    settings.TEAMSADMIN_SANDBOX = False  # loopback overrides are refused outside sandbox mode
    sandbox.clear_requests_log()
    for value in BAD_DOMAINS:
        response = owner_client.post(reverse("authtenants:create"), _tenant_form(domain=value))
        assert response.context["form"].errors["domain"], value
    for value in [*BAD_URLS, sandbox.api_base_url, sandbox.auth_base_url]:
        for field in ("api_base_url_override", "auth_base_url_override"):
            response = owner_client.post(
                reverse("authtenants:create"), _tenant_form(**{field: value})
            )
            assert response.context["form"].errors[field], value
    assert not AuthTenant.objects.exists()
    assert sandbox.requests_log() == []
