"""The OpenID Connect client: discovery, the authorization request, code exchange, ID token checks.

authlib builds the authorization request (state, nonce, PKCE S256) and exchanges the code;
joserfc, authlib's JOSE library, checks the ID token's signature against the provider's JWKS.
What the claims mean for a person's access is decided in services, not here. No token, code
or secret ever goes into an OidcError's message.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

SESSION_KEY = "teamsadmin_sso_flow"
SCOPE = "openid email profile"
ALGORITHMS = ["RS256"]
# A sign-in not finished within this many seconds must start again.
FLOW_MAX_AGE_SECONDS = 600
# Clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60
# An ID token issued longer ago than this is refused even if it has not expired (replays).
ID_TOKEN_MAX_AGE_SECONDS = 600
METADATA_CACHE_SECONDS = 3600


class OidcError(Exception):
    """A sign-in that failed at the protocol level; `message` is for people (no secrets)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class OidcIdentity:
    """Who the provider says signed in: its checked ID token claims."""

    issuer: str
    subject: str
    claims: dict[str, Any] = field(repr=False)

    @property
    def email(self) -> str:
        email = self.claims.get("email")
        return email.strip() if isinstance(email, str) else ""

    @property
    def email_verified(self) -> bool:
        return self.claims.get("email_verified") is True

    @property
    def name(self) -> str:
        name = self.claims.get("name")
        return name.strip() if isinstance(name, str) else ""


def sso_enabled() -> bool:
    return bool(settings.TEAMSADMIN_OIDC_ISSUER)


def issuer_of(request: HttpRequest) -> str:
    """The configured issuer; a path (the sandbox default) is taken on this server's address."""
    issuer: str = settings.TEAMSADMIN_OIDC_ISSUER
    return request.build_absolute_uri(issuer) if issuer.startswith("/") else issuer


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def _timeout() -> tuple[float, float]:
    return (settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT, settings.TEAMSADMIN_HTTP_READ_TIMEOUT)


def _client(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.TEAMSADMIN_OIDC_CLIENT_ID,
        client_secret=settings.TEAMSADMIN_OIDC_CLIENT_SECRET,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 -- a method name
        default_timeout=_timeout(),
    )


def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        reply = requests.get(url, timeout=_timeout(), headers={"Accept": "application/json"})
        document = reply.json() if reply.status_code == 200 else None
    except (requests.RequestException, ValueError):
        document = None
    if not isinstance(document, dict):
        raise OidcError(
            "provider_unavailable",
            f"The single sign-on provider could not be reached to load its {what}. "
            "Try again in a minute, or sign in with a username and password.",
        )
    return document


def _cache_key(kind: str, url: str) -> str:
    return f"accounts:oidc:{kind}:" + hashlib.sha256(url.encode()).hexdigest()


def provider_metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, checked to name this issuer (OIDC Discovery 4.3)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    key = _cache_key("metadata", url)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    document = _get_json(url, "settings")
    endpoints = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if not _same_issuer(str(document.get("issuer", "")), issuer) or not all(
        isinstance(document.get(name), str) for name in endpoints
    ):
        raise OidcError(
            "provider_misconfigured",
            "The single sign-on provider's settings do not match TEAMSADMIN_OIDC_ISSUER "
            "(its discovery document names another issuer or lacks an endpoint).",
        )
    cache.set(key, document, timeout=METADATA_CACHE_SECONDS)
    return document


def _jwks(jwks_uri: str, *, refresh: bool) -> dict[str, Any]:
    key = _cache_key("jwks", jwks_uri)
    cached = None if refresh else cache.get(key)
    if isinstance(cached, dict):
        return cached
    document = _get_json(jwks_uri, "signing keys")
    if not isinstance(document.get("keys"), list):
        raise OidcError(
            "provider_unavailable", "The single sign-on provider published no signing keys."
        )
    cache.set(key, document, timeout=METADATA_CACHE_SECONDS)
    return document


def authorization_redirect(request: HttpRequest, *, next_url: str) -> str:
    """Start a sign-in: remember state, nonce and PKCE verifier; return the provider's URL."""
    issuer = issuer_of(request)
    metadata = provider_metadata(issuer)
    redirect_uri = request.build_absolute_uri(reverse("accounts:sso-callback"))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    url, _ = _client(redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
    )
    request.session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "issuer": issuer,
        "next": next_url,
        "started": time.time(),
    }
    return str(url)


def _bad_state() -> OidcError:
    return OidcError(
        "bad_state",
        "This sign-in could not be matched to one started in this browser (it may have "
        "expired, or the link was opened elsewhere). Please start again.",
    )


def next_url_of(request: HttpRequest) -> str:
    """Where the sign-in started by this browser wanted to go afterwards ("" if unknown)."""
    flow = request.session.get(SESSION_KEY)
    return str(flow.get("next", "")) if isinstance(flow, dict) else ""


def complete(request: HttpRequest) -> OidcIdentity:
    """Finish a sign-in at the callback: check the state, exchange the code, check the ID token.

    The flow is removed from the session first, so a state and its code serve once.
    """
    flow = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if (
        not isinstance(flow, dict)
        or not state
        or not hmac.compare_digest(state.encode(), str(flow.get("state", "")).encode())
        or time.time() - float(flow.get("started", 0)) > FLOW_MAX_AGE_SECONDS
    ):
        raise _bad_state()
    error = request.GET.get("error", "")
    if error:
        detail = request.GET.get("error_description", "")[:200] or error[:100]
        raise OidcError("provider_refused", f"The single sign-on provider refused: {detail}")
    code = request.GET.get("code", "")
    if not code:
        raise OidcError("no_code", "The single sign-on provider sent no authorization code.")
    metadata = provider_metadata(flow["issuer"])
    try:
        token = _client(flow["redirect_uri"]).fetch_token(
            metadata["token_endpoint"], code=code, code_verifier=flow["verifier"]
        )
    except AuthlibBaseError as exc:
        raise OidcError(
            "code_refused",
            f"The single sign-on provider did not accept the sign-in ({exc.error}). "
            "Please start again.",
        ) from None
    except (requests.RequestException, ValueError):
        raise OidcError(
            "provider_unavailable",
            "The single sign-on provider could not be reached to finish the sign-in.",
        ) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("bad_token", "The single sign-on provider sent no ID token.")
    claims = _checked_claims(id_token, metadata=metadata, nonce=str(flow["nonce"]))
    return OidcIdentity(issuer=str(metadata["issuer"]), subject=claims["sub"], claims=claims)


def _invalid(why: str) -> OidcError:
    return OidcError("bad_token", f"The ID token from the single sign-on provider {why}.")


def _checked_claims(id_token: str, *, metadata: dict[str, Any], nonce: str) -> dict[str, Any]:
    """Signature (JWKS), issuer, audience, expiry, issue time and nonce, or OidcError."""
    claims = _signed_claims(id_token, str(metadata["jwks_uri"]))
    client_id = settings.TEAMSADMIN_OIDC_CLIENT_ID
    now = time.time()
    if claims.get("iss") != metadata["issuer"]:
        raise _invalid("was issued by someone else (issuer)")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise _invalid("is meant for another application (audience)")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp <= now - LEEWAY_SECONDS:
        raise _invalid("has expired (check this server's clock)")
    if (
        not isinstance(iat, int | float)
        or iat > now + LEEWAY_SECONDS
        or iat < now - ID_TOKEN_MAX_AGE_SECONDS
    ):
        raise _invalid("has an implausible issue time (check this server's clock)")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(
        token_nonce.encode(), nonce.encode()
    ):
        raise _invalid("belongs to another sign-in (nonce)")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _invalid("names nobody (no subject)")
    return claims


def _signed_claims(id_token: str, jwks_uri: str) -> dict[str, Any]:
    for refresh in (False, True):  # a key not seen yet: the provider may have rotated its keys
        try:
            key_set = KeySet.import_key_set(_jwks(jwks_uri, refresh=refresh))  # type: ignore[arg-type]
            return dict(jwt.decode(id_token, key_set, algorithms=ALGORITHMS).claims)
        except (JoseError, ValueError, TypeError):
            continue
    raise _invalid("has a signature the provider did not make (signature)")
