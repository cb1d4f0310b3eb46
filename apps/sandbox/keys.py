"""RS256 JWTs for the simulated Auth Tenants: key generation, JWKS, signing and verification."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from apps.sandbox import contract


class JwtError(Exception):
    """A token that must be refused (the reason is for logs and tests, never for secrets)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise JwtError("bad base64") from exc


def generate_key() -> tuple[str, str]:
    """Return (kid, private key PEM) for a fresh 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return secrets.token_hex(12), pem


@functools.lru_cache(maxsize=64)
def _load(pem: str) -> rsa.RSAPrivateKey:
    # Parsing a PEM key also validates it (tens of ms); signing and verifying happen per request.
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise JwtError("not an RSA key")
    return key


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def public_jwk(kid: str, pem: str) -> dict[str, str]:
    numbers = _load(pem).public_key().public_numbers()
    n = _int_b64(numbers.n)
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": contract.JWT_ALG,
        "kid": kid,
        "n": n,
        "e": _int_b64(numbers.e),
        "x5t": b64url(hashlib.sha1(n.encode("ascii"), usedforsecurity=False).digest()),
    }


def sign(claims: dict[str, Any], *, kid: str, pem: str) -> str:
    header = {"alg": contract.JWT_ALG, "typ": "JWT", "kid": kid}
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = _load(pem).sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def unverified_header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
    except ValueError as exc:
        raise JwtError("bad header") from exc
    if not isinstance(header, dict):
        raise JwtError("bad header")
    return header


def verify(token: str, *, pem: str) -> dict[str, Any]:
    """Check the RS256 signature and return the claims (no claim checks here)."""
    header = unverified_header(token)
    if header.get("alg") != contract.JWT_ALG:
        raise JwtError("alg not allowed")
    head, body, signature = token.split(".")
    try:
        _load(pem).public_key().verify(
            b64url_decode(signature),
            f"{head}.{body}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, UnicodeEncodeError) as exc:
        raise JwtError("bad signature") from exc
    try:
        claims = json.loads(b64url_decode(body))
    except ValueError as exc:
        raise JwtError("bad claims") from exc
    if not isinstance(claims, dict):
        raise JwtError("bad claims")
    return claims
