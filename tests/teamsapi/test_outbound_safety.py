"""Outbound requests follow no redirect and reach only addresses checked at connect time.

Small local HTTP servers play a token endpoint, a JWKS host and an API that redirect elsewhere;
a resolver stub plays DNS answers that point inside the network. Every socket connection the
process opens is seen through an audit hook, so "no connection was attempted" is observed,
not inferred.
"""

from __future__ import annotations

import dataclasses
import ssl
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apps.teamsapi.client import TeamsClient
from apps.teamsapi.errors import (
    TeamsApiError,
    TeamsApiHostRefused,
    TeamsApiUnavailable,
    TokenError,
)
from apps.teamsapi.tokens import TokenProvider
from tests.teamsapi.servers import (
    CLIENT,
    OPAQUE_TOKEN,
    SECRET,
    Recorder,
    connection_to,
    no_sleep,
)

# A token that looks like a JWT, so minting goes on to fetch the JWKS.
JWT_LOOKING = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln"

# --- every connection this process attempts, seen through an audit hook ------------------

_connects: list[Any] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _connects is not None:
        _connects.append(args[1])


sys.addaudithook(_audit)


@pytest.fixture
def connects() -> Iterator[list[Any]]:
    """The (host, port, ...) address of every socket connect during the test."""
    global _connects  # noqa: PLW0603 - the audit hook cannot be removed, only switched
    _connects = []
    yield _connects
    _connects = None


# --- redirects -----------------------------------------------------------------------------


def test_a_token_endpoint_redirect_is_not_followed_and_the_secret_is_sent_once(
    serve: Callable[..., Recorder],
) -> None:
    elsewhere = serve().answer(200, OPAQUE_TOKEN)
    token_host = serve().answer(307, Location=f"{elsewhere.url}/oauth/token")
    connection = connection_to(api=elsewhere.url, auth=token_host.url)

    with pytest.raises(TokenError) as info:
        TokenProvider(sleep=no_sleep).token(connection, CLIENT)

    assert info.value.reason == "redirected"
    assert "redirects are never followed" in info.value.message
    assert elsewhere.hits == []
    assert [(method, path) for method, path, _, _ in token_host.hits] == [("POST", "/oauth/token")]
    sent = b"".join(body for *_, body in token_host.hits + elsewhere.hits)
    assert sent.count(SECRET.encode()) == 1


def test_a_jwks_redirect_is_not_followed(serve: Callable[..., Recorder]) -> None:
    elsewhere = serve().answer(200, {"keys": []})
    auth = serve().answer(200, {"access_token": JWT_LOOKING, "expires_in": 60})
    jwks = serve().answer(302, Location=f"{elsewhere.url}/.well-known/jwks.json")
    connection = dataclasses.replace(
        connection_to(api=elsewhere.url, auth=auth.url), jwks_url=f"{jwks.url}/keys"
    )

    with pytest.raises(TokenError) as info:
        TokenProvider(sleep=no_sleep).token(connection, CLIENT)

    assert info.value.reason == "redirected"
    assert len(jwks.hits) == 1  # nor retried, with the mint that needed it
    assert len(auth.hits) == 1
    assert elsewhere.hits == []


def test_an_api_redirect_is_not_followed_and_the_token_is_sent_once(
    serve: Callable[..., Recorder],
) -> None:
    elsewhere = serve().answer(200, {"environments": ["US-3"]})
    auth = serve().answer(200, OPAQUE_TOKEN)
    api = serve().answer(307, Location=f"{elsewhere.url}/api/environments")

    with (
        TeamsClient(connection_to(api=api.url, auth=auth.url), sleep=no_sleep) as client,
        pytest.raises(TeamsApiError) as info,
    ):
        client.list_environments()

    assert info.value.code == "REDIRECTED"
    assert "check the Auth Tenant's API URL" in info.value.message
    assert len(api.hits) == 1  # a redirect is configuration: not retried either
    assert elsewhere.hits == []


# --- addresses a name resolves to ----------------------------------------------------------

REFUSED = {
    "127.0.0.1": "a loopback address",
    "10.0.0.1": "a private address",
    "192.168.1.10": "a private address",
    "169.254.169.254": "a cloud metadata address",
    "168.63.129.16": "a cloud metadata address",
    "100.64.0.1": "a non-public address",
    "0.0.0.0": "an unspecified address",  # noqa: S104 - a refused answer, nothing binds it
    "224.0.0.1": "a multicast address",
    "240.0.0.1": "a reserved address",
    "::1": "a loopback address",
    "::ffff:127.0.0.1": "a loopback address",
    "::ffff:169.254.169.254": "a cloud metadata address",
    "::127.0.0.1": "a loopback address",  # IPv4-compatible
    "64:ff9b::a00:1": "a private address",  # NAT64 of 10.0.0.1
    "2002:a00:1::": "a private address",  # 6to4 of 10.0.0.1
    "fd00::1": "a private address",
    "fe80::1": "a link-local address",
    "ff02::1": "a multicast address",
}


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_an_api_host_resolving_inside_the_network_is_never_contacted(
    address: str, kind: str, serve: Callable[..., Recorder], connects: list[Any]
) -> None:
    auth = serve().answer(200, OPAQUE_TOKEN)
    looked_up: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        if host == "127.0.0.1":
            return [host]  # the token endpoint
        looked_up.append((host, port))
        return ["93.184.215.14", address]  # one public answer does not excuse the other

    connection = connection_to(
        api="https://teams.example.test", auth=auth.url, allowed=["127.0.0.1"], resolve=resolve
    )
    with (
        TeamsClient(connection, sleep=no_sleep) as client,
        pytest.raises(TeamsApiHostRefused) as info,
    ):
        client.list_environments()

    assert looked_up == [("teams.example.test", 443)]  # refused at once, not retried
    assert info.value.message == (
        f"The Teams API was not contacted: teams.example.test resolves to {kind} ({address}); "
        "add the host to TEAMSADMIN_ALLOWED_API_HOSTS if this is intended."
    )
    assert [a for a in connects if a[1] != auth.port] == []  # only the token endpoint
    assert client.requests_made == 1


def test_a_token_host_resolving_to_the_metadata_service_gets_no_secret(
    connects: list[Any],
) -> None:
    connection = connection_to(
        api="https://acme.teams.example.test",
        auth="https://acme.auth.example.test",
        allowed=[],
        resolve=lambda host, port: ["169.254.169.254"],
    )
    with pytest.raises(TokenError) as info:
        TokenProvider(sleep=no_sleep).token(connection, CLIENT)

    assert info.value.reason == "host_refused"
    assert "resolves to a cloud metadata address (169.254.169.254)" in info.value.message
    assert "TEAMSADMIN_ALLOWED_API_HOSTS" in info.value.message
    assert connects == []


def test_the_sandbox_may_use_loopback_on_its_own_port_only(
    serve: Callable[..., Recorder], connects: list[Any]
) -> None:
    sandbox = serve().answer(200, OPAQUE_TOKEN)
    other = serve().answer(200, {"environments": ["US-3"]})
    connection = connection_to(
        api=other.url, auth=sandbox.url, allowed=[], sandbox=("127.0.0.1", sandbox.port)
    )
    provider = TokenProvider(sleep=no_sleep)
    assert provider.token(connection, CLIENT).value == "opaque-token"

    with (
        TeamsClient(connection, token_provider=provider, sleep=no_sleep) as client,
        pytest.raises(TeamsApiHostRefused) as info,
    ):
        client.list_environments()

    assert "127.0.0.1 resolves to a loopback address (127.0.0.1)" in info.value.message
    assert f"(only the sandbox at 127.0.0.1:{sandbox.port} may)" in info.value.message
    assert other.hits == []
    assert {address[1] for address in connects} == {sandbox.port}


def test_an_allowed_host_may_resolve_anywhere(serve: Callable[..., Recorder]) -> None:
    api = serve().answer(200, {"environments": ["US-3"]})
    auth = serve().answer(200, OPAQUE_TOKEN)
    allowed = [f"127.0.0.1:{api.port}", f"127.0.0.1:{auth.port}"]
    connection = connection_to(api=api.url, auth=auth.url, allowed=allowed)
    with TeamsClient(connection, sleep=no_sleep) as client:
        assert client.list_environments() == ["US-3"]


def test_the_checked_address_is_the_one_connected_to_with_the_name_kept_as_host(
    serve: Callable[..., Recorder], connects: list[Any]
) -> None:
    api = serve().answer(200, {"environments": ["US-3"]})
    auth = serve().answer(200, OPAQUE_TOKEN)
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])  # a rebinding DNS: the next answer differs
    looked_up: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        if host == "127.0.0.1":
            return [host]
        looked_up.append(host)
        return next(answers)

    connection = connection_to(
        api=f"http://teams.sandbox.test:{api.port}",
        auth=auth.url,
        sandbox=("teams.sandbox.test", api.port),
        resolve=resolve,
    )
    provider = TokenProvider(sleep=no_sleep)
    with TeamsClient(connection, token_provider=provider, sleep=no_sleep) as client:
        assert client.list_environments() == ["US-3"]
    assert looked_up == ["teams.sandbox.test"]
    assert ("127.0.0.1", api.port) in [tuple(address[:2]) for address in connects]
    assert [headers["Host"] for _, _, headers, _ in api.hits] == [f"teams.sandbox.test:{api.port}"]

    # A new connection looks the name up again and checks the new answer.
    with (
        TeamsClient(connection, token_provider=provider, sleep=no_sleep) as client,
        pytest.raises(TeamsApiHostRefused, match=r"a private address \(10\.0\.0\.1\)"),
    ):
        client.list_environments()
    assert len(api.hits) == 1


def _self_signed(host: str, directory: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for `host` only (no IP address in it), and a server context using it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, False, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{host}.pem", directory / f"{host}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return cert_path, context


@pytest.mark.parametrize(("certified", "works"), [("teams.tls.test", True), ("other.test", False)])
def test_tls_checks_the_host_name_while_connecting_to_the_checked_address(
    certified: str,
    works: bool,
    serve: Callable[..., Recorder],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ca_bundle, context = _self_signed(certified, tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_bundle))
    api = serve(tls=context).answer(200, {"environments": ["US-3"]})
    auth = serve().answer(200, OPAQUE_TOKEN)
    connection = connection_to(
        api=f"https://teams.tls.test:{api.port}",
        auth=auth.url,
        sandbox=("teams.tls.test", api.port),
        resolve=lambda host, port: ["127.0.0.1"],
    )
    with TeamsClient(connection, sleep=no_sleep) as client:
        if works:
            assert client.list_environments() == ["US-3"]
        else:
            with pytest.raises(TeamsApiUnavailable):
                client.list_environments()
    assert len(api.hits) == (1 if works else 0)
