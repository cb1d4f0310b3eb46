"""Token endpoint, issued JWTs, JWKS and OpenID configuration against CONTRACT.md §2."""

from __future__ import annotations

import time

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from apps.sandbox import control
from tests.fixtures.sandbox import Sandbox
from tests.sandbox.conftest import token_url
from tests.sandbox.helpers import (
    ALL_SCOPES,
    TIMEOUT,
    Json,
    assert_schema,
    b64url_decode,
    contract,
    expect_all,
    jwt_parts,
)

READONLY_SCOPES = {"read:tenants", "read:members", "read:team_activity"}


def _form(sandbox: Sandbox, **overrides: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "grant_type": "client_credentials",
        "client_id": sandbox.owner_client_id,
        "client_secret": sandbox.owner_client_secret,
        "audience": sandbox.audience,
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


def _post(sandbox: Sandbox, **kwargs: object) -> requests.Response:
    return requests.post(token_url(sandbox), timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]


def _token_error(response: requests.Response, status: int, error: str) -> Json:
    assert response.status_code == status, response.text[:300]
    body: Json = response.json()
    assert_schema(body, "TokenErrorBody")
    assert body["error"] == error, body
    return body


def _jwks(sandbox: Sandbox) -> Json:
    response = requests.get(sandbox.auth_base_url + "/.well-known/jwks.json", timeout=TIMEOUT)
    assert response.status_code == 200
    body: Json = response.json()
    return body


def _public_key(jwk: Json) -> rsa.RSAPublicKey:
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def test_form_encoded_client_credentials_issue_a_bearer_token(sandbox: Sandbox) -> None:
    response = _post(sandbox, data=_form(sandbox))

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert_schema(body, "TokenResponse")
    assert body["access_token"]
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == contract()["auth"]["token_endpoint"]["default_expires_in"]
    assert set(body["scope"].split()) == set(ALL_SCOPES)


def test_json_body_is_accepted_like_a_form(sandbox: Sandbox) -> None:
    response = _post(sandbox, json=_form(sandbox))

    assert response.status_code == 200
    assert_schema(response.json(), "TokenResponse")


def test_http_basic_client_authentication_is_accepted(sandbox: Sandbox) -> None:
    form = _form(sandbox, client_id=None, client_secret=None)

    response = _post(
        sandbox, data=form, auth=(sandbox.owner_client_id, sandbox.owner_client_secret)
    )

    assert response.status_code == 200, response.text
    _, claims = jwt_parts(response.json()["access_token"])
    assert claims["azp"] == sandbox.owner_client_id


def test_issued_jwt_carries_the_contract_claims(sandbox: Sandbox) -> None:
    before = int(time.time())
    body = _post(sandbox, data=_form(sandbox)).json()

    header, claims = jwt_parts(body["access_token"])

    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    assert header["kid"] in {key["kid"] for key in _jwks(sandbox)["keys"]}
    assert claims["iss"] == f"https://{sandbox.auth_domain}/"
    assert claims["aud"] == f"https://{sandbox.team_slug}.teams.auth0.com/api/"
    assert claims["aud"] == sandbox.audience
    assert claims["sub"] == f"{sandbox.owner_client_id}@clients"
    assert claims["azp"] == sandbox.owner_client_id
    assert claims["gty"] == "client-credentials"
    assert before - 5 <= claims["iat"] <= int(time.time()) + 5
    assert claims["exp"] == claims["iat"] + body["expires_in"]
    assert set(claims["scope"].split()) == set(body["scope"].split())


def test_issued_jwt_signature_verifies_against_the_jwks_key(sandbox: Sandbox) -> None:
    token = _post(sandbox, data=_form(sandbox)).json()["access_token"]
    header, _ = jwt_parts(token)
    jwk = next(key for key in _jwks(sandbox)["keys"] if key["kid"] == header["kid"])
    head, payload, signature = token.split(".")

    _public_key(jwk).verify(
        b64url_decode(signature),
        f"{head}.{payload}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_requested_scope_subset_narrows_the_token(sandbox: Sandbox) -> None:
    body = _post(sandbox, data=_form(sandbox, scope="read:tenants read:members")).json()

    assert set(body["scope"].split()) == {"read:tenants", "read:members"}
    _, claims = jwt_parts(body["access_token"])
    assert set(claims["scope"].split()) == {"read:tenants", "read:members"}


def test_readonly_client_receives_only_its_granted_scopes(sandbox: Sandbox) -> None:
    form = _form(
        sandbox,
        client_id=sandbox.readonly_client_id,
        client_secret=sandbox.readonly_client_secret,
    )

    body = _post(sandbox, data=form).json()

    assert set(body["scope"].split()) == READONLY_SCOPES


def test_organization_parameter_is_ignored(sandbox: Sandbox) -> None:
    response = _post(sandbox, data=_form(sandbox, organization="org_abc123"))

    assert response.status_code == 200


def test_missing_required_parameters_are_invalid_requests(sandbox: Sandbox) -> None:
    def check(missing: str) -> None:
        _token_error(_post(sandbox, data=_form(sandbox, **{missing: None})), 400, "invalid_request")

    expect_all(check, ("grant_type", "client_id", "client_secret", "audience"))


def test_duplicated_parameter_is_an_invalid_request(sandbox: Sandbox) -> None:
    form = list(_form(sandbox).items()) + [("audience", sandbox.audience)]

    _token_error(_post(sandbox, data=form), 400, "invalid_request")


def test_unparsable_json_body_is_an_invalid_request(sandbox: Sandbox) -> None:
    response = _post(sandbox, data=b'{"grant_type": ', headers={"Content-Type": "application/json"})

    _token_error(response, 400, "invalid_request")


def test_other_grant_type_is_unsupported(sandbox: Sandbox) -> None:
    response = _post(sandbox, data=_form(sandbox, grant_type="password"))

    _token_error(response, 400, "unsupported_grant_type")


def test_wrong_secret_is_access_denied_unauthorized(sandbox: Sandbox) -> None:
    response = _post(sandbox, data=_form(sandbox, client_secret="not-the-secret"))

    body = _token_error(response, 401, "access_denied")
    assert body["error_description"] == "Unauthorized"
    assert "not-the-secret" not in response.text
    assert sandbox.owner_client_secret not in response.text


def test_unknown_client_is_invalid_client(sandbox: Sandbox) -> None:
    response = _post(sandbox, data=_form(sandbox, client_id="noSuchClient00000000000000000000"))

    body = _token_error(response, 401, "invalid_client")
    assert body["error_description"] == "Unknown client."


def test_unregistered_audience_is_access_denied(sandbox: Sandbox) -> None:
    audience = "https://nowhere.teams.auth0.com/api/"

    response = _post(sandbox, data=_form(sandbox, audience=audience))

    body = _token_error(response, 403, "access_denied")
    assert body["error_description"] == f"Service not enabled within domain: {audience}"


def test_client_without_a_grant_for_the_audience_is_access_denied(sandbox: Sandbox) -> None:
    # A client of another Auth Tenant has no client grant for this team's API.
    control.ensure_client(
        auth_domain="globex.eu.auth0.com",
        client_id="otherTenantClient00000000000001",
        client_secret="other-tenant-secret",
        scopes=list(ALL_SCOPES),
        name="Other tenant",
    )
    form = _form(
        sandbox, client_id="otherTenantClient00000000000001", client_secret="other-tenant-secret"
    )

    response = requests.post(
        f"{sandbox.url}/sandbox/auth/globex.eu.auth0.com/oauth/token", data=form, timeout=TIMEOUT
    )

    body = _token_error(response, 403, "access_denied")
    assert body["error_description"] == (
        f'Client is not authorized to access "{sandbox.audience}". '
        'You need to create a "client-grant" associated to this API.'
    )


def test_requesting_an_ungranted_scope_is_access_denied(sandbox: Sandbox) -> None:
    form = _form(
        sandbox,
        client_id=sandbox.readonly_client_id,
        client_secret=sandbox.readonly_client_secret,
        scope="read:tenants create:tenants",
    )

    body = _token_error(_post(sandbox, data=form), 403, "access_denied")
    assert body["error_description"] == "Client has not been granted scopes: create:tenants"


def test_token_errors_never_echo_the_secret(sandbox: Sandbox) -> None:
    form = _form(sandbox, grant_type="password")

    response = _post(sandbox, data=form)

    assert sandbox.owner_client_secret not in response.text


def test_token_responses_carry_rate_limit_headers(sandbox: Sandbox) -> None:
    for response in (
        _post(sandbox, data=_form(sandbox)),
        _post(sandbox, data=_form(sandbox, client_secret="wrong")),
    ):
        assert int(response.headers["X-RateLimit-Limit"]) >= 1
        assert int(response.headers["X-RateLimit-Remaining"]) >= 0
        assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time()) - 1


def test_token_endpoint_rate_limit_answers_429_too_many_requests(sandbox: Sandbox) -> None:
    sandbox.set_faults(rate_limit=True)
    limit = int(_post(sandbox, data=_form(sandbox)).headers["X-RateLimit-Limit"])
    refused = None

    # The bucket refills while we spend it, so allow a few extra calls past the limit.
    for _ in range(limit * 2):
        response = _post(sandbox, data=_form(sandbox))
        if response.status_code == 429:
            refused = response
            break

    assert refused is not None, "the token bucket never ran out"
    _token_error(refused, 429, "too_many_requests")
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_jwks_document_lists_rsa_signing_keys(sandbox: Sandbox) -> None:
    jwks = _jwks(sandbox)

    assert_schema(jwks, "Jwks")
    assert jwks["keys"]
    for key in jwks["keys"]:
        assert key["e"] == "AQAB"
        assert "d" not in key and "p" not in key, "private parts must never be published"


def test_openid_configuration_points_at_token_and_jwks_endpoints(sandbox: Sandbox) -> None:
    response = requests.get(
        sandbox.auth_base_url + "/.well-known/openid-configuration", timeout=TIMEOUT
    )

    assert response.status_code == 200
    document = response.json()
    # As an OpenID provider its issuer is the URL discovery sits under (Discovery 4.3).
    assert document["issuer"] == f"{sandbox.auth_base_url}/"
    assert document["jwks_uri"].endswith("/.well-known/jwks.json")
    assert document["token_endpoint"].endswith("/oauth/token")
    assert requests.get(document["jwks_uri"], timeout=TIMEOUT).json() == _jwks(sandbox)
