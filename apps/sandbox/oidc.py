"""The simulated Auth Tenant as an OpenID Connect provider: authorize, code exchange, userinfo."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from apps.sandbox import contract, faults, keys
from apps.sandbox.auth import TokenRequestError, authenticated_client, check_secret, require_params
from apps.sandbox.models import (
    SandboxAuthorizationCode,
    SandboxAuthTenant,
    SandboxOidcClient,
    SandboxUser,
)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def issuer_url(request: HttpRequest, domain: str) -> str:
    """The Auth Tenant's OIDC issuer: its base URL here, so discovery sits under it."""
    discovery = reverse("sandbox:openid-configuration", args=[domain])
    return request.build_absolute_uri(discovery.removesuffix(".well-known/openid-configuration"))


def endpoint_url(request: HttpRequest, name: str, domain: str) -> str:
    return request.build_absolute_uri(reverse(f"sandbox:{name}", args=[domain]))


def redirect_uri_allowed(client: SandboxOidcClient, uri: str) -> bool:
    """Exact match, except that a loopback redirect URI matches on any port (RFC 8252 7.3)."""
    if uri in client.redirect_uris:
        return True
    try:
        asked = urlsplit(uri)
        asked_port = asked.port
    except ValueError:
        return False
    if asked.scheme != "http" or asked.hostname not in LOOPBACK_HOSTS or asked_port is None:
        return False
    for registered in client.redirect_uris:
        known = urlsplit(registered)
        if (known.scheme, known.hostname, known.path, known.query) == (
            asked.scheme,
            asked.hostname,
            asked.path,
            asked.query,
        ):
            return True
    return False


class AuthorizeError(Exception):
    """An authorization request refused on the sandbox's own page (never redirected back)."""


@dataclass(frozen=True)
class AuthorizeRequest:
    """A checked authorization request: who asks, where to send the answer, and its PKCE."""

    client: SandboxOidcClient
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    scope: str

    def hidden_fields(self) -> dict[str, str]:
        """The parameters the sign-in form carries to its POST."""
        return {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
            "scope": self.scope,
        }

    def error_redirect(self, error: str, description: str) -> str:
        return _with_query(
            self.redirect_uri,
            {"error": error, "error_description": description, "state": self.state},
        )


def _with_query(uri: str, params: dict[str, str]) -> str:
    joiner = "&" if urlsplit(uri).query else "?"
    return f"{uri}{joiner}{urlencode({k: v for k, v in params.items() if v})}"


def authorize_request(auth_tenant: SandboxAuthTenant, params: dict[str, str]) -> AuthorizeRequest:
    """Check client_id and redirect_uri first: until both are known, nothing may redirect."""
    client = SandboxOidcClient.objects.filter(
        auth_tenant=auth_tenant, client_id=params.get("client_id", "")
    ).first()
    if client is None:
        raise AuthorizeError("Unknown client: this application is not registered here.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_allowed(client, redirect_uri):
        raise AuthorizeError(
            "The callback URL is not among this application's allowed callback URLs."
        )
    return AuthorizeRequest(
        client=client,
        redirect_uri=redirect_uri,
        state=params.get("state", "")[:512],
        nonce=params.get("nonce", "")[:255],
        code_challenge=params.get("code_challenge", "")[:128],
        scope=" ".join(params.get("scope", "").split())[:255],
    )


def protocol_error(params: dict[str, str]) -> tuple[str, str] | None:
    """(error, description) for a request the client must hear about, or None when it is fine."""
    if params.get("response_type") != "code":
        return "unsupported_response_type", "Only response_type=code is supported."
    if "openid" not in params.get("scope", "").split():
        return "invalid_scope", "The scope must include openid."
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return "invalid_request", "A PKCE code_challenge with method S256 is required."
    return None


def user_sign_in(auth_tenant: SandboxAuthTenant, email: str, password: str) -> SandboxUser | None:
    user = SandboxUser.objects.filter(auth_tenant=auth_tenant, email__iexact=email.strip()).first()
    if user is None or not check_secret(password, user.password_hash):
        return None
    return user


def code_issue(request: AuthorizeRequest, user: SandboxUser) -> str:
    """Store a fresh single-use code for this request and return the redirect carrying it."""
    code = secrets.token_urlsafe(32)
    SandboxAuthorizationCode.objects.create(
        code_hash=_digest(code),
        client=request.client,
        user=user,
        redirect_uri=request.redirect_uri,
        code_challenge=request.code_challenge,
        nonce=request.nonce,
        scope=request.scope,
        expires_at=timezone.now() + timedelta(seconds=contract.OIDC_CODE_LIFETIME_SECONDS),
    )
    return _with_query(request.redirect_uri, {"code": code, "state": request.state})


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", errors="replace")).hexdigest()


def _pkce_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return hmac.compare_digest(expected, challenge)


def user_claims(user: SandboxUser) -> dict[str, Any]:
    """What the sandbox says about a person, in the ID token and at /userinfo."""
    roles = [str(role) for role in user.roles]
    return {
        "sub": user.user_id,
        "email": user.email,
        "email_verified": user.email_verified,
        "name": user.name,
        contract.OIDC_ROLES_CLAIM: roles,
        "groups": roles,
    }


def code_exchange(
    auth_tenant: SandboxAuthTenant, params: dict[str, str], *, issuer: str, userinfo_url: str
) -> dict[str, Any]:
    """grant_type=authorization_code: check the client, the code, its redirect URI and PKCE."""
    require_params(params, ("client_id", "client_secret", "code", "redirect_uri", "code_verifier"))
    client = authenticated_client(SandboxOidcClient, auth_tenant, params)
    with transaction.atomic():
        # The conditional update is the claim: of two exchanges of one code, one gets the row.
        claimed = SandboxAuthorizationCode.objects.filter(
            code_hash=_digest(params["code"]),
            client=client,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).update(used_at=timezone.now())
        code = (
            SandboxAuthorizationCode.objects.select_related("user")
            .filter(code_hash=_digest(params["code"]), client=client)
            .first()
        )
    if not claimed or code is None:
        raise TokenRequestError(*contract.TOKEN_ERR_BAD_CODE)
    if params["redirect_uri"] != code.redirect_uri:
        raise TokenRequestError(*contract.TOKEN_ERR_BAD_REDIRECT)
    if not _pkce_matches(params["code_verifier"], code.code_challenge):
        raise TokenRequestError(*contract.TOKEN_ERR_BAD_VERIFIER)
    now = int(time.time())
    lifetime = contract.OIDC_ID_TOKEN_LIFETIME_SECONDS
    access_claims = {
        "iss": issuer,
        "sub": code.user.user_id,
        "aud": userinfo_url,
        "azp": client.client_id,
        "iat": now,
        "exp": now + lifetime,
        "scope": code.scope,
    }
    id_claims: dict[str, Any] = {
        "iss": issuer,
        "aud": client.client_id,
        "iat": now,
        "exp": now + lifetime,
        "nonce": code.nonce,
        **user_claims(code.user),
    }
    pem = _spoil(id_claims, faults.current().id_token_fault, auth_tenant.private_key_pem)
    return {
        "access_token": keys.sign(
            access_claims, kid=auth_tenant.kid, pem=auth_tenant.private_key_pem
        ),
        "id_token": keys.sign(id_claims, kid=auth_tenant.kid, pem=pem),
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": code.scope,
    }


def _spoil(claims: dict[str, Any], fault: str, pem: str) -> str:
    """Apply the ID-token fault switch to the claims; returns the key to sign with."""
    now = int(time.time())
    if fault == "wrong_nonce":
        claims["nonce"] = "not-" + str(claims["nonce"])
    elif fault == "wrong_audience":
        claims["aud"] = "some-other-application"
    elif fault == "wrong_issuer":
        claims["iss"] = "https://impostor.example/"
    elif fault == "expired":
        claims["iat"], claims["exp"] = now - 7200, now - 3600
    elif fault == "future_iat":
        claims["iat"], claims["exp"] = now + 3600, now + 7200
    elif fault == "bad_signature":
        return keys.generate_key()[1]  # same kid, another key: the signature cannot verify
    return pem


class UserinfoError(Exception):
    """A /userinfo call without a valid access token from this Auth Tenant."""


def userinfo(
    auth_tenant: SandboxAuthTenant, token: str, *, issuer: str, userinfo_url: str
) -> dict[str, Any]:
    try:
        if keys.unverified_header(token).get("kid") != auth_tenant.kid:
            raise UserinfoError("unknown key")
        claims = keys.verify(token, pem=auth_tenant.private_key_pem)
    except keys.JwtError as exc:
        raise UserinfoError("invalid token") from exc
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= time.time():
        raise UserinfoError("expired")
    if claims.get("iss") != issuer or claims.get("aud") != userinfo_url:
        raise UserinfoError("not a token for this endpoint")
    user = SandboxUser.objects.filter(
        auth_tenant=auth_tenant, user_id=str(claims.get("sub", ""))
    ).first()
    if user is None:
        raise UserinfoError("unknown user")
    return user_claims(user)
