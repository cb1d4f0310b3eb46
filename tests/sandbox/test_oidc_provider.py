"""The simulated Auth Tenant as an OpenID provider: discovery, sign-in form, code exchange, userinfo."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from apps.sandbox import keys, seeding
from apps.sandbox.models import SandboxAuthTenant
from tests.fixtures.sandbox import Sandbox

TIMEOUT = 10
CLIENT_ID, CLIENT_SECRET = "providerTestClient00000000000001", "provider-test-secret"
REDIRECT = "http://127.0.0.1:9999/accounts/login/sso/callback/"
VERIFIER = "a-verifier-long-enough-to-satisfy-rfc-7636-0123456789abcdef"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def provider(sandbox: Sandbox) -> Sandbox:
    seeding.ensure_oidc_client(
        auth_domain=sandbox.auth_domain,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        name="Provider test app",
        redirect_uris=["http://127.0.0.1/accounts/login/sso/callback/", "https://app.example/cb"],
    )
    return sandbox


def _authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid email profile",
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": _challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    return {**params, **overrides}


def _code(provider: Sandbox) -> str:
    """A code issued to Ada (an auditor) signing in through the form."""
    session = requests.Session()
    url = f"{provider.auth_base_url}/authorize"
    form = session.get(url, params=_authorize_params(), timeout=TIMEOUT)
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(form.text)}
    posted = session.post(
        url,
        data={**fields, "email": "ada@acme.example", "password": "sso-auditor"},
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    assert posted.status_code == 302, posted.text[:300]
    query = parse_qs(urlsplit(posted.headers["Location"]).query)
    assert query["state"] == ["state-1"]
    return query["code"][0]


def _exchange(provider: Sandbox, issued: str, **overrides: str) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": issued,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
        **overrides,
    }
    return requests.post(f"{provider.auth_base_url}/oauth/token", data=data, timeout=TIMEOUT)


def test_discovery_describes_the_provider(provider: Sandbox) -> None:
    document = requests.get(
        f"{provider.auth_base_url}/.well-known/openid-configuration", timeout=TIMEOUT
    ).json()

    assert document["authorization_endpoint"] == f"{provider.auth_base_url}/authorize"
    assert document["userinfo_endpoint"] == f"{provider.auth_base_url}/userinfo"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "authorization_code" in document["grant_types_supported"]


def test_a_code_exchanges_once_for_a_signed_id_token(provider: Sandbox) -> None:
    code = _code(provider)

    first = _exchange(provider, code)
    replay = _exchange(provider, code)

    assert first.status_code == 200, first.text
    tokens = first.json()
    pem = SandboxAuthTenant.objects.get(domain=provider.auth_domain).private_key_pem
    claims = keys.verify(tokens["id_token"], pem=pem)
    assert claims["iss"] == f"{provider.auth_base_url}/"
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == "nonce-1"
    assert claims["email"] == "ada@acme.example" and claims["email_verified"] is True
    assert claims["https://teamsadmin.example/roles"] == ["teams-auditors"]
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    info = requests.get(
        f"{provider.auth_base_url}/userinfo",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=TIMEOUT,
    )
    assert info.json()["email"] == "ada@acme.example"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_verifier": "another-verifier-0123456789abcdef0123456789abcdef"}, "invalid_grant"),
        ({"redirect_uri": "http://127.0.0.1:9999/elsewhere/"}, "invalid_grant"),
        ({"client_secret": "wrong"}, "access_denied"),
        ({"client_id": "unknown"}, "invalid_client"),
        ({"code": "made-up-code"}, "invalid_grant"),
    ],
)
def test_a_code_exchange_with_a_wrong_part_is_refused(
    provider: Sandbox, overrides: dict[str, str], error: str
) -> None:
    response = _exchange(provider, _code(provider), **overrides)

    assert response.status_code in (400, 401)
    assert response.json()["error"] == error


def test_userinfo_needs_a_valid_token(provider: Sandbox) -> None:
    response = requests.get(
        f"{provider.auth_base_url}/userinfo",
        headers={"Authorization": "Bearer not-a-token"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"client_id": "nobody"}, "Unknown client"),
        ({"redirect_uri": "https://evil.example/cb"}, "not among this application"),
        ({"redirect_uri": "http://127.0.0.1:9999/other/"}, "not among this application"),
    ],
)
def test_an_unknown_client_or_callback_is_refused_on_the_page_without_redirecting(
    provider: Sandbox, overrides: dict[str, str], words: str
) -> None:
    response = requests.get(
        f"{provider.auth_base_url}/authorize?{urlencode(_authorize_params(**overrides))}",
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert words in response.text


def test_a_request_without_pkce_goes_back_with_an_error(provider: Sandbox) -> None:
    response = requests.get(
        f"{provider.auth_base_url}/authorize",
        params=_authorize_params(code_challenge_method="plain"),
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["state-1"]


def test_the_sign_in_form_shows_the_demo_people_and_refuses_a_wrong_password(
    provider: Sandbox,
) -> None:
    session = requests.Session()
    url = f"{provider.auth_base_url}/authorize"
    form = session.get(url, params=_authorize_params(), timeout=TIMEOUT)
    assert "Sign in to Provider test app" in form.text
    assert "noah@acme.example" in form.text and "sso-norole" in form.text
    assert "<script" not in form.text
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(form.text)}

    wrong = session.post(
        url, data={**fields, "email": "ada@acme.example", "password": "nope"}, timeout=TIMEOUT
    )

    assert wrong.status_code == 401
    assert "Wrong email or password." in wrong.text
