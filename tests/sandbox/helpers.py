"""Contract lookups, schema checks, an HTTP wrapper and JWT forging for the sandbox conformance suite."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# Vendored byte-for-byte from the shared contract so the suite runs wherever the repository does.
CONTRACT_PATH = Path(__file__).with_name("contract.json")
TIMEOUT = 30
ZULU = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

Json = dict[str, Any]
T = TypeVar("T")


@cache
def contract() -> Json:
    data: Json = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    return data


def enum_values(name: str) -> list[str]:
    values: list[str] = contract()["enums"][name]["values"]
    return values


def endpoints() -> list[Json]:
    items: list[Json] = contract()["endpoints"]
    return items


ALL_SCOPES = tuple(enum_values("Scope"))


# --- schema checks -------------------------------------------------------------------------


def assert_schema(value: Any, schema: str | Json, where: str = "$") -> None:
    """Check a decoded JSON value against a schema of contract.json, field for field."""
    spec: Json = contract()["schemas"][schema] if isinstance(schema, str) else schema
    name = schema if isinstance(schema, str) else where
    if "ref" in spec and spec.get("kind") in (None, "alias"):
        ref = spec["ref"]
        if ref in contract()["enums"]:
            assert value in enum_values(ref), f"{where}: {value!r} is not a {ref}"
            return
        assert_schema(value, ref, where)
        if spec.get("kind") is None:
            return
    kind = spec.get("kind")
    if kind == "one_of":
        errors = []
        for option in spec["one_of"]:
            try:
                assert_schema(value, option, where)
            except AssertionError as exc:
                errors.append(str(exc))
            else:
                return
        raise AssertionError(f"{where}: matches none of {spec['one_of']}: {errors}")
    kind_type = spec.get("type", "object" if kind == "object" or "fields" in spec else None)
    if kind_type == "object":
        assert isinstance(value, dict), f"{where}: expected an object, got {value!r}"
        fields: Json = spec.get("fields", {})
        for key, field in fields.items():
            if field.get("required"):
                assert key in value, f"{where}: {name} lacks required {key!r}"
            if key in value:
                assert value[key] is not None, f"{where}.{key}: optional keys are omitted, not null"
                assert_schema(value[key], field, f"{where}.{key}")
        if spec.get("additional_properties") is False:
            extra = set(value) - set(fields)
            assert not extra, f"{where}: {name} has undeclared keys {sorted(extra)}"
        return
    if kind_type == "array":
        assert isinstance(value, list), f"{where}: expected an array, got {value!r}"
        for index, item in enumerate(value):
            assert_schema(item, spec["items"], f"{where}[{index}]")
        return
    if kind_type == "string":
        assert isinstance(value, str), f"{where}: expected a string, got {value!r}"
        _check_string(value, spec, where)
    elif kind_type == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: {value!r}"
    elif kind_type == "boolean":
        assert isinstance(value, bool), f"{where}: expected a boolean, got {value!r}"
    if "const" in spec:
        assert value == spec["const"], f"{where}: expected {spec['const']!r}, got {value!r}"


def _check_string(value: str, spec: Json, where: str) -> None:
    fmt = spec.get("format")
    if fmt == "uuid":
        assert UUID_TEXT.match(value), f"{where}: {value!r} is not a lowercase RFC 4122 uuid"
    elif fmt == "date-time":
        assert_zulu(value, where)
    elif fmt == "email":
        assert re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value), f"{where}: {value!r} is not an email"
    if "pattern" in spec:
        assert re.match(spec["pattern"], value), f"{where}: {value!r} !~ {spec['pattern']}"
    if "min_length" in spec:
        assert len(value) >= spec["min_length"], f"{where}: {value!r} too short"
    if "max_length" in spec:
        assert len(value) <= spec["max_length"], f"{where}: {value!r} too long"


def assert_zulu(value: str, where: str = "$") -> datetime:
    assert ZULU.match(value), f"{where}: {value!r} is not an RFC 3339 UTC datetime ending in Z"
    return parse_zulu(value)


def parse_zulu(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def zulu(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def assert_error(response: requests.Response, status: int, error_type: str) -> Json:
    """Check an ErrorBody reply (§9.1) and return it."""
    assert response.status_code == status, (
        f"expected {status} {error_type}, got {response.status_code}: {response.text[:300]}"
    )
    assert response.headers["Content-Type"].startswith("application/json")
    body: Json = response.json()
    assert_schema(body, "ErrorBody")
    assert body["status"] == status
    assert body["type"] == error_type, body
    return body


# --- HTTP ----------------------------------------------------------------------------------


class Api:
    """A thin requests wrapper bound to one team's API base and one bearer token."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers: dict[str, str] = {}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        # One connection per call: keep-alive against the threaded live server adds ~40 ms a call.
        kwargs: dict[str, Any] = {
            "params": params,
            "headers": {**self.headers, **(headers or {})},
            "timeout": TIMEOUT,
        }
        if json_body is not None:
            kwargs["json"] = json_body
        return requests.request(method, self.base_url + path, **kwargs)  # noqa: S113

    def raw(self, method: str, url_suffix: str, **kwargs: Any) -> requests.Response:
        """Send exactly what is given (pre-encoded query strings, raw bodies)."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(
            method, self.base_url + url_suffix, headers=headers, timeout=TIMEOUT, **kwargs
        )

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.request("POST", path, json_body=body)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.request("PUT", path, json_body=body)

    def patch(self, path: str, body: Any) -> requests.Response:
        return self.request("PATCH", path, json_body=body)

    def delete(self, path: str, body: Any = None) -> requests.Response:
        return self.request("DELETE", path, json_body=body)

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Json:
        response = self.request(method, path, params=params or None, json_body=body)
        assert 200 <= response.status_code < 300, f"{method} {path}: {response.text[:300]}"
        data: Json = response.json()
        return data

    def pages(self, path: str, key: str, **params: Any) -> Iterator[list[Json]]:
        """Yield each page's items, following `next` until it is omitted."""
        cursor: str | None = None
        for _ in range(10_000):
            query = dict(params)
            if cursor is not None:
                query["from"] = cursor
            body = self.ok("GET", path, **query)
            yield body[key]
            if "next" not in body:
                return
            cursor = body["next"]
            assert isinstance(cursor, str) and cursor, "next, when present, is a non-empty cursor"
        raise AssertionError(f"{path} never ended")

    def walk(self, path: str, key: str, **params: Any) -> list[Json]:
        return [item for page in self.pages(path, key, **params) for item in page]


def member_path(member_id: str, suffix: str = "") -> str:
    return "/api/members/" + quote(member_id, safe="") + suffix


def mint(
    token_url: str,
    client_id: str,
    client_secret: str,
    audience: str,
    scope: str | None = None,
) -> str:
    data = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
        "audience": audience,
    }
    if scope is not None:
        data["scope"] = scope
    response = requests.post(token_url, data=data, timeout=TIMEOUT)
    assert response.status_code == 200, f"token: {response.status_code} {response.text[:300]}"
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


def fresh_uuid() -> str:
    return str(uuid.uuid4())


# --- JWT -----------------------------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_parts(token: str) -> tuple[Json, Json]:
    """Decode a JWT's header and claims without checking its signature."""
    header_b64, claims_b64, _ = token.split(".")
    header: Json = json.loads(b64url_decode(header_b64))
    claims: Json = json.loads(b64url_decode(claims_b64))
    return header, claims


def _segment(data: Json) -> str:
    return b64url(json.dumps(data, separators=(",", ":")).encode())


def forge_rs256(header: Json, claims: Json, key: rsa.RSAPrivateKey) -> str:
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def forge_hs256(header: Json, claims: Json, secret: bytes) -> str:
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def forge_unsigned(header: Json, claims: Json) -> str:
    return f"{_segment(header)}.{_segment(claims)}."


def with_claims(token: str, **changes: Any) -> str:
    """Rewrite a signed token's claims while keeping its original signature."""
    header_b64, _, signature = token.split(".")
    _, claims = jwt_parts(token)
    claims.update(changes)
    return f"{header_b64}.{_segment(claims)}.{signature}"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sandbox_signing_key(auth_domain: str) -> tuple[str, rsa.RSAPrivateKey]:
    """The simulated Auth Tenant's own key (the live server shares the test database)."""
    from cryptography.hazmat.primitives import serialization

    from apps.sandbox.models import SandboxAuthTenant

    row = SandboxAuthTenant.objects.get(domain=auth_domain)
    key = serialization.load_pem_private_key(row.private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return row.kid, key


UNKNOWN_MEMBER_ID = "auth0|000000000000000000000000"


def concrete_endpoints() -> list[tuple[str, str, str, Any]]:
    """Every contract endpoint as (label, method, path, body) aimed at unknown objects.

    Bodies carry an undeclared field so a fully authorised call fails validation instead of
    changing anything, which also lets one request show the 401 -> 403 -> 400/404 order.
    """
    cases = []
    for endpoint in endpoints():
        path: str = endpoint["path"]
        path = path.replace("{id}", quote(UNKNOWN_MEMBER_ID, safe=""))
        path = path.replace("{tenantId}", "8d0c3a52-0000-4000-8000-000000000000")
        path = path.replace("{environment}", "US-3")
        body = {"unexpected_field": True} if endpoint["body"] is not None else None
        label = f"{endpoint['method']} {endpoint['path']}"
        cases.append((label, endpoint["method"], path, body))
    return cases


def expect_all(check: Callable[[T], object], cases: Iterable[T]) -> None:
    """Run check on every case and report all failures together (one seeded sandbox, many cases)."""
    failures = []
    for case in cases:
        try:
            check(case)
        except AssertionError as exc:
            failures.append(f"{case!r}: {exc}")
    assert not failures, "\n".join(failures)
