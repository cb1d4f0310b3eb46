"""The simulated Auth Tenant (token endpoint, JWKS, discovery) and bearer-token validation."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.sandbox import contract, faults, keys, ratelimit
from apps.sandbox.errors import ApiError, json_response
from apps.sandbox.models import SandboxAuthTenant, SandboxClient, SandboxOidcClient, SandboxTeam

# The two kinds of client that authenticate at the token endpoint with an id and a secret.
ClientModel = TypeVar("ClientModel", SandboxClient, SandboxOidcClient)


def hash_secret(secret: str) -> str:
    salt = secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def check_secret(secret: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)


def audience_for(team_slug: str) -> str:
    return contract.AUDIENCE_TEMPLATE.format(team_slug=team_slug)


def issuer_for(domain: str) -> str:
    return contract.ISSUER_TEMPLATE.format(domain=domain)


def team_for_audience(audience: str) -> SandboxTeam | None:
    prefix, suffix = contract.AUDIENCE_TEMPLATE.split("{team_slug}")
    if not (audience.startswith(prefix) and audience.endswith(suffix)):
        return None
    slug = audience[len(prefix) : len(audience) - len(suffix)]
    return SandboxTeam.objects.select_related("auth_tenant").filter(slug=slug).first()


class TokenRequestError(Exception):
    """A refused token request: (status, error, error_description)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description


def require_params(params: dict[str, str], names: tuple[str, ...]) -> None:
    """Refuse a token request missing any of `names` (the first one missing is named)."""
    for name in names:
        if not params.get(name):
            raise TokenRequestError(400, "invalid_request", f"Missing required parameter: {name}")


def authenticated_client(
    model: type[ClientModel], auth_tenant: SandboxAuthTenant, params: dict[str, str]
) -> ClientModel:
    """The Auth Tenant's client of `model` named by client_id, if client_secret is its secret."""
    client = model.objects.filter(auth_tenant=auth_tenant, client_id=params["client_id"]).first()
    if client is None:
        raise TokenRequestError(*contract.TOKEN_ERR_UNKNOWN_CLIENT)
    if not check_secret(params["client_secret"], client.secret_hash):
        raise TokenRequestError(*contract.TOKEN_ERR_WRONG_SECRET)
    return client


def _token_params(request: HttpRequest) -> dict[str, str]:
    content_type = request.content_type or ""
    raw = request.body.decode("utf-8", errors="replace")
    params: dict[str, str] = {}
    if content_type == "application/json":
        try:
            data = json.loads(raw or "{}")
        except ValueError as exc:
            raise TokenRequestError(400, "invalid_request", "Unparsable JSON body.") from exc
        if not isinstance(data, dict):
            raise TokenRequestError(400, "invalid_request", "Unparsable JSON body.")
        params = {k: v for k, v in data.items() if isinstance(v, str)}
    else:
        for name, values in parse_qs(raw, keep_blank_values=True).items():
            if len(values) > 1:
                raise TokenRequestError(400, "invalid_request", f"Duplicated parameter: {name}.")
            params[name] = values[0]
    basic = request.headers.get("Authorization", "")
    if basic.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(basic[6:].strip(), validate=True).decode("utf-8")
            basic_id, basic_secret = decoded.split(":", 1)
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise TokenRequestError(400, "invalid_request", "Malformed Basic credentials.") from exc
        params.setdefault("client_id", unquote(basic_id))
        params.setdefault("client_secret", unquote(basic_secret))
    return params


@dataclass(frozen=True)
class Minted:
    """A minted access token and what the token response reports."""

    access_token: str
    expires_in: int
    scope: str


def mint(auth_tenant: SandboxAuthTenant, params: dict[str, str]) -> Minted:
    """Validate a client-credentials request (§2.1-2.3) and sign a token."""
    require_params(params, ("grant_type", "client_id", "client_secret", "audience"))
    if params["grant_type"] != contract.GRANT_TYPE:
        raise TokenRequestError(
            400, "unsupported_grant_type", f"Unsupported grant type: {params['grant_type']}"
        )
    client = authenticated_client(SandboxClient, auth_tenant, params)
    audience = params["audience"]
    team = team_for_audience(audience)
    if team is None:
        status, error, text = contract.TOKEN_ERR_SERVICE
        raise TokenRequestError(status, error, text.format(audience=audience))
    if team.auth_tenant_id != auth_tenant.pk:
        status, error, text = contract.TOKEN_ERR_NO_GRANT
        raise TokenRequestError(status, error, text.format(audience=audience))
    granted = client.scope_list
    requested = params.get("scope", "").split()
    if requested:
        missing = [s for s in requested if s not in granted]
        if missing:
            status, error, text = contract.TOKEN_ERR_SCOPES
            raise TokenRequestError(status, error, text.format(scopes=" ".join(missing)))
        scopes = [s for s in granted if s in requested]
    else:
        scopes = granted
    lifetime = (
        faults.current().token_lifetime_seconds
        or client.token_lifetime
        or settings.TEAMSADMIN_SANDBOX_TOKEN_LIFETIME_SECONDS
    )
    now = int(time.time())
    claims = {
        "iss": issuer_for(auth_tenant.domain),
        "sub": f"{client.client_id}@clients",
        "aud": audience,
        "azp": client.client_id,
        "iat": now,
        "exp": now + lifetime,
        "scope": " ".join(scopes),
        "gty": contract.GTY,
    }
    token = keys.sign(claims, kid=auth_tenant.kid, pem=auth_tenant.private_key_pem)
    return Minted(token, lifetime, " ".join(scopes))


CodeGrant = Callable[[SandboxAuthTenant, dict[str, str]], dict[str, Any]]


def token_endpoint(
    request: HttpRequest, auth_tenant: SandboxAuthTenant, *, code_grant: CodeGrant
) -> HttpResponse:
    """POST /oauth/token: the client-credentials grant (§2), or `code_grant` for sign-ins,
    with rate-limit headers (§10)."""
    early: TokenRequestError | None = None
    try:
        params = _token_params(request)
    except TokenRequestError as exc:
        params, early = {}, exc
    client_id = params.get("client_id", "")
    request.sandbox_client_id = client_id  # type: ignore[attr-defined]
    state = faults.current()
    size, window = contract.TOKEN_RATE_LIMIT
    verdict = ratelimit.hit(
        "token", client_id, size=size, window=window, enforce=rate_limit_on(state.rate_limit)
    )
    if state.token_outage:
        body = {"error": "temporarily_unavailable", "error_description": "Service unavailable."}
        return verdict.apply(json_response(body, status=503))
    if not verdict.allowed:
        status, error, text = contract.TOKEN_ERR_RATE
        return verdict.apply(json_response({"error": error, "error_description": text}, status))
    try:
        if early is not None:
            raise early
        if params.get("grant_type") == contract.OIDC_GRANT_TYPE:
            granted = code_grant(auth_tenant, params)
        else:
            minted = mint(auth_tenant, params)
            granted = {
                "access_token": minted.access_token,
                "token_type": "Bearer",
                "expires_in": minted.expires_in,
                "scope": minted.scope,
            }
    except TokenRequestError as exc:
        body = {"error": exc.error, "error_description": exc.description}
        return verdict.apply(json_response(body, status=exc.status))
    response = verdict.apply(json_response(granted))
    response["Cache-Control"] = "no-store"
    return response


def rate_limit_on(switch: bool | None) -> bool:
    """The fault switch wins; unset, the setting decides."""
    return settings.TEAMSADMIN_SANDBOX_RATE_LIMIT if switch is None else switch


@dataclass(frozen=True)
class Caller:
    """The authenticated M2M caller of a Teams API request."""

    client_id: str
    auth_tenant_id: int
    scopes: frozenset[str]

    @functools.cached_property
    def name(self) -> str:
        # Only writes need the name (for their activity entry); reads skip the lookup.
        client = SandboxClient.objects.filter(
            auth_tenant_id=self.auth_tenant_id, client_id=self.client_id
        ).first()
        return client.name if client else self.client_id


def unverified_client_id(request: HttpRequest) -> str:
    """The token's azp without checking it: only to key the rate-limit bucket and the log."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return ""
    parts = header[7:].strip().split(".")
    if len(parts) != 3:
        return ""
    try:
        claims = json.loads(keys.b64url_decode(parts[1]))
    except (ValueError, keys.JwtError):
        return ""
    azp = claims.get("azp") if isinstance(claims, dict) else None
    return azp[:64] if isinstance(azp, str) else ""


def authenticate(request: HttpRequest, team: SandboxTeam) -> Caller:
    """Validate the bearer token for this team (§9.2 auth failures) or raise 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme != "Bearer" or not token:
        raise ApiError(401, "UNAUTHORIZED", details="Missing or malformed bearer token")
    auth_tenant = team.auth_tenant
    try:
        header_claims = keys.unverified_header(token)
        if header_claims.get("kid") != auth_tenant.kid:
            raise keys.JwtError("unknown kid")
        claims = keys.verify(token, pem=auth_tenant.private_key_pem)
    except keys.JwtError as exc:
        raise ApiError(401, "UNAUTHORIZED", details="Invalid token") from exc
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= time.time():
        raise ApiError(401, "UNAUTHORIZED", details="Token expired")
    if claims.get("iss") != issuer_for(auth_tenant.domain):
        raise ApiError(401, "UNAUTHORIZED", details="Invalid issuer")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if audience_for(team.slug) not in audiences:
        raise ApiError(401, "UNAUTHORIZED", details="Invalid audience")
    client_id = str(claims.get("azp") or str(claims.get("sub", "")).removesuffix("@clients"))
    scope = claims.get("scope")
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    return Caller(client_id, auth_tenant.pk, scopes)
