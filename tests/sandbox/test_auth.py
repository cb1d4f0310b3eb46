"""Bearer validation and the per-endpoint scope matrix (CONTRACT.md §4, §9.2 auth failures)."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
from cryptography.hazmat.primitives import serialization

from tests.fixtures.sandbox import Sandbox
from tests.sandbox.conftest import owner_token, readonly_token
from tests.sandbox.helpers import (
    ALL_SCOPES,
    TIMEOUT,
    Api,
    Json,
    assert_error,
    concrete_endpoints,
    contract,
    expect_all,
    forge_hs256,
    forge_rs256,
    forge_unsigned,
    jwt_parts,
    new_rsa_key,
    sandbox_signing_key,
    with_claims,
)

ENDPOINTS = concrete_endpoints()


def _call(
    sandbox: Sandbox, headers: dict[str, str], method: str, path: str, body: object
) -> requests.Response:
    return requests.request(
        method,
        sandbox.api_base_url.rstrip("/") + path,
        headers=headers,
        json=body,
        timeout=TIMEOUT,
    )


def _claims(sandbox: Sandbox, **changes: object) -> Json:
    now = int(time.time())
    claims: Json = {
        "iss": f"https://{sandbox.auth_domain}/",
        "sub": f"{sandbox.owner_client_id}@clients",
        "aud": sandbox.audience,
        "azp": sandbox.owner_client_id,
        "iat": now,
        "exp": now + 3600,
        "scope": " ".join(ALL_SCOPES),
        "gty": "client-credentials",
    }
    claims.update(changes)
    return claims


def _signed(sandbox: Sandbox, **changes: object) -> str:
    kid, key = sandbox_signing_key(sandbox.auth_domain)
    return forge_rs256({"alg": "RS256", "typ": "JWT", "kid": kid}, _claims(sandbox, **changes), key)


def _hs256_with_public_key(sandbox: Sandbox) -> str:
    kid, key = sandbox_signing_key(sandbox.auth_domain)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return forge_hs256({"alg": "HS256", "typ": "JWT", "kid": kid}, _claims(sandbox), public_pem)


BAD_CREDENTIALS: dict[str, Callable[[Sandbox], dict[str, str]]] = {
    "missing header": lambda s: {},
    "blank header": lambda s: {"Authorization": ""},
    "bearer without token": lambda s: {"Authorization": "Bearer "},
    "basic scheme": lambda s: {"Authorization": "Basic " + owner_token(s)},
    "token scheme": lambda s: {"Authorization": "Token " + owner_token(s)},
    "not a jwt": lambda s: {"Authorization": "Bearer not-a-jwt"},
    "tampered claims": lambda s: {
        "Authorization": "Bearer "
        + with_claims(owner_token(s, "read:tenants"), scope=" ".join(ALL_SCOPES))
    },
    "tampered signature": lambda s: {"Authorization": "Bearer " + owner_token(s)[:-6] + "AAAAAA"},
    "unknown kid": lambda s: {
        "Authorization": "Bearer "
        + forge_rs256(
            {"alg": "RS256", "typ": "JWT", "kid": "unknown-kid"}, _claims(s), new_rsa_key()
        )
    },
    "alg none": lambda s: {
        "Authorization": "Bearer "
        + forge_unsigned(
            {"alg": "none", "typ": "JWT", "kid": jwt_parts(owner_token(s))[0]["kid"]}, _claims(s)
        )
    },
    "alg hs256": lambda s: {"Authorization": "Bearer " + _hs256_with_public_key(s)},
    "expired": lambda s: {
        "Authorization": "Bearer "
        + _signed(s, iat=int(time.time()) - 120, exp=int(time.time()) - 1)
    },
    "exp equals now": lambda s: {"Authorization": "Bearer " + _signed(s, exp=int(time.time()))},
    "wrong issuer": lambda s: {
        "Authorization": "Bearer " + _signed(s, iss="https://evil.us.auth0.com/")
    },
    "issuer without trailing slash": lambda s: {
        "Authorization": "Bearer " + _signed(s, iss=f"https://{s.auth_domain}")
    },
    "wrong audience": lambda s: {
        "Authorization": "Bearer " + _signed(s, aud="https://globex.teams.auth0.com/api/")
    },
}


def test_a_token_forged_with_the_tenant_key_and_correct_claims_is_accepted(
    sandbox: Sandbox,
) -> None:
    headers = {"Authorization": "Bearer " + _signed(sandbox)}

    response = _call(sandbox, headers, "GET", "/api/members", None)

    assert response.status_code == 200, response.text


def test_bad_credentials_are_unauthorized_on_every_endpoint(sandbox: Sandbox) -> None:
    def check(case: str) -> None:
        headers = BAD_CREDENTIALS[case](sandbox)
        for label, method, path, body in ENDPOINTS:
            error = assert_error(_call(sandbox, headers, method, path, body), 401, "UNAUTHORIZED")
            assert error["title"] == "Unauthorized", label

    expect_all(check, sorted(BAD_CREDENTIALS))


def test_every_endpoint_has_exactly_one_scope_from_the_contract() -> None:
    by_endpoint = {
        route: scope for scope, routes in contract()["scopes"].items() for route in routes
    }

    assert {
        f"{e['method']} {e['path']}": e["scope"] for e in contract()["endpoints"]
    } == by_endpoint


def test_token_lacking_a_scope_is_refused_exactly_where_the_contract_requires_it(
    sandbox: Sandbox,
) -> None:
    required = {f"{e['method']} {e['path']}": e["scope"] for e in contract()["endpoints"]}

    def check(missing_scope: str) -> None:
        token = owner_token(sandbox, " ".join(s for s in ALL_SCOPES if s != missing_scope))
        headers = {"Authorization": f"Bearer {token}"}
        for label, method, path, body in ENDPOINTS:
            response = _call(sandbox, headers, method, path, body)
            if required[label] == missing_scope:
                error = assert_error(response, 403, "INSUFFICIENT_SCOPE")
                assert missing_scope in error.get("details", ""), (label, error)
            else:
                assert response.status_code not in (401, 403), (label, response.text[:200])

    expect_all(check, ALL_SCOPES)


def test_readonly_client_is_refused_every_write(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {readonly_token(sandbox)}"}
    readonly_scopes = {"read:tenants", "read:members", "read:team_activity"}
    required = {f"{e['method']} {e['path']}": e["scope"] for e in contract()["endpoints"]}
    wrong = []

    for label, method, path, body in ENDPOINTS:
        response = _call(sandbox, headers, method, path, body)
        try:
            if required[label] in readonly_scopes:
                assert response.status_code not in (401, 403), response.text[:200]
            else:
                error = assert_error(response, 403, "INSUFFICIENT_SCOPE")
                assert required[label] in error["details"]
        except AssertionError as exc:
            wrong.append(f"{label}: {exc}")

    assert not wrong, "\n".join(wrong)


def test_fully_authorised_calls_reach_validation_and_lookup(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {owner_token(sandbox)}"}
    wrong = []

    for label, method, path, body in ENDPOINTS:
        response = _call(sandbox, headers, method, path, body)
        expected = {400} if body is not None else {200, 404}
        if response.status_code not in expected:
            wrong.append(f"{label}: expected {expected}, got {response.status_code}")

    assert not wrong, "\n".join(wrong)


def test_scope_is_checked_before_the_object_is_looked_up(sandbox: Sandbox) -> None:
    api = Api(sandbox.api_base_url, owner_token(sandbox, "read:tenants"))

    response = api.get("/api/members/auth0%7C000000000000000000000000")

    assert_error(response, 403, "INSUFFICIENT_SCOPE")


def test_token_with_only_create_members_scope_reaches_no_endpoint(sandbox: Sandbox) -> None:
    api = Api(sandbox.api_base_url, owner_token(sandbox, "create:members"))

    for _, method, path, body in ENDPOINTS:
        assert_error(api.request(method, path, json_body=body), 403, "INSUFFICIENT_SCOPE")


def test_telemetry_header_is_accepted_and_ignored(sandbox: Sandbox) -> None:
    headers = {
        "Authorization": f"Bearer {owner_token(sandbox)}",
        "Auth0-Client": "eyJuYW1lIjoidGVhbXNhZG1pbiIsInZlcnNpb24iOiIwLjEuMCJ9",
        "User-Agent": "teamsadmin/0.1.0",
    }

    assert _call(sandbox, headers, "GET", "/api/environments", None).status_code == 200
