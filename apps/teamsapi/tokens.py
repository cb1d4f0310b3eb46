"""Client-credentials tokens: mint with authlib, validate against the JWKS, share via the Django cache."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from apps.authtenants.crypto import SecretKeyError
from apps.teamsapi import contract
from apps.teamsapi.errors import TokenEndpointUnavailable, TokenError

if TYPE_CHECKING:
    from apps.authtenants.models import AuthClient, AuthTenant

logger = logging.getLogger("apps.teamsapi")

LOCK_POLL_SECONDS = 0.05
LOCK_MARGIN_SECONDS = 2
TOKEN_CACHE_GRACE_SECONDS = 3600
JWKS_CACHE_SECONDS = 3600
ERROR_TEXT_MAX = 300


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token with what we learnt about it; the value never appears in repr()."""

    value: str = field(repr=False)
    expires_at: float
    scopes: frozenset[str]
    kind: str  # "jwt" or "opaque"

    def usable(self, margin: float) -> bool:
        return time.time() < self.expires_at - margin

    def as_cache(self) -> dict[str, Any]:
        return {"v": self.value, "e": self.expires_at, "s": sorted(self.scopes), "k": self.kind}

    @classmethod
    def from_cache(cls, data: object) -> AccessToken | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(str(data["v"]), float(data["e"]), frozenset(data["s"]), str(data["k"]))
        except (KeyError, TypeError, ValueError):
            return None


def token_cache_key(auth_client: AuthClient) -> str:
    """Cache key per (token URL, client id, audience) (§2.5); hashed to fit every cache backend."""
    tenant = auth_client.auth_tenant
    raw = f"{tenant.token_url}\n{auth_client.client_id}\n{tenant.audience}"
    return "teamsapi:token:" + hashlib.sha256(raw.encode()).hexdigest()


def mint_lock_key(auth_client: AuthClient) -> str:
    """The lock one process holds while it mints the token other processes then share."""
    return token_cache_key(auth_client) + ":lock"


def jwks_cache_key(auth_tenant: AuthTenant) -> str:
    """Cache key of an Auth Tenant's published signing keys."""
    return "teamsapi:jwks:" + hashlib.sha256(auth_tenant.jwks_url.encode()).hexdigest()


def forget_token(auth_client: AuthClient) -> None:
    """Drop the cached token, e.g. after the client's secret or scopes changed."""
    cache.delete(token_cache_key(auth_client))


def _margin() -> float:
    return float(settings.TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS)


def _scrub(text: str, *secrets: str) -> str:
    """Server text shortened and stripped of anything secret it might echo back."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text[:ERROR_TEXT_MAX]


def _explain(status: int, error: str, description: str, audience: str) -> tuple[str, str]:
    """Map a token endpoint error (§2.3) to (reason code, plain words)."""
    lowered = description.lower()
    if error == "invalid_client" or "unknown client" in lowered:
        return "unknown_client", "the Auth Tenant does not know this client id"
    if status == 401 or (error == "access_denied" and lowered == "unauthorized"):
        return "wrong_secret", "the client secret is wrong"
    if "service not enabled" in lowered:
        return "audience_not_enabled", f"the API {audience} is not enabled on the Auth Tenant"
    if "client-grant" in lowered or "not authorized to access" in lowered:
        return "no_client_grant", f"the client has no client grant for {audience}"
    if "not been granted scopes" in lowered:
        return "scope_not_granted", "the client was not granted the requested scopes"
    if error == "unauthorized_client" or "grant type" in lowered:
        return "grant_type_not_allowed", "the client may not use the client-credentials grant"
    if error == "unsupported_grant_type":
        return (
            "grant_type_not_allowed",
            "the Auth Tenant does not support the client-credentials grant",
        )
    if error == "invalid_request":
        return "invalid_request", "the token endpoint rejected the request as malformed"
    return "token_refused", f"the token endpoint refused ({status} {error or 'error'})"


def _jwt_part(segment: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class TokenProvider:
    """Hands out access tokens per AuthClient: cached, single-flight across processes, validated.

    A provider lives as long as its TeamsClient (one page or one sync run) and keeps the tokens
    it handed out, so a long sync reads the shared cache once per token, not once per request.
    """

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep
        self._held: dict[str, AccessToken] = {}
        self.tokens_minted = 0

    def token(self, auth_client: AuthClient) -> AccessToken:
        """A usable token from this provider, the cache, or freshly minted; raises TokenError."""
        key = token_cache_key(auth_client)
        margin = _margin()
        held = self._held.get(key)
        if held is not None and held.usable(margin):
            return held
        token = self._shared_token(key, auth_client, margin)
        self._held[key] = token
        return token

    def _shared_token(self, key: str, auth_client: AuthClient, margin: float) -> AccessToken:
        cached = AccessToken.from_cache(cache.get(key))
        if cached is not None and cached.usable(margin):
            return cached
        lock_key = mint_lock_key(auth_client)
        deadline = time.monotonic() + _longest_mint() + LOCK_MARGIN_SECONDS
        while True:
            # cache.add is atomic on every shared backend (Redis SET NX, DB unique key), so one
            # process mints while the others poll the cache for its result. The lock is a lease
            # on one call to the token endpoint, renewed before each retry, so a process killed
            # mid-mint holds the others up for one call's timeout, not for a whole retry budget.
            # A live mint outlasting its lease (a JWKS fetch too) costs one extra mint at worst.
            if cache.add(lock_key, uuid.uuid4().hex, timeout=mint_lock_lease(0)):
                try:
                    cached = AccessToken.from_cache(cache.get(key))
                    if cached is not None and cached.usable(margin):
                        return cached
                    minted = self.mint(
                        auth_client, renew=lambda wait: cache.touch(lock_key, mint_lock_lease(wait))
                    )
                    if minted.usable(margin):
                        # The entry outlives the token; usable() decides when it is stale. A
                        # cache-side expiry would race: DatabaseCache.get() deletes an expired
                        # row by key, which can drop the token another process just stored.
                        ttl = int(minted.expires_at - time.time()) + TOKEN_CACHE_GRACE_SECONDS
                        cache.set(key, minted.as_cache(), timeout=ttl)
                    return minted
                finally:
                    cache.delete(lock_key)
            self._sleep(LOCK_POLL_SECONDS)
            cached = AccessToken.from_cache(cache.get(key))
            if cached is not None and cached.usable(margin):
                return cached
            if time.monotonic() > deadline:
                raise TokenEndpointUnavailable(
                    "Timed out waiting for another process to fetch an access token.",
                    reason="lock_timeout",
                )

    def invalidate(self, auth_client: AuthClient, token: AccessToken) -> None:
        """Drop `token` from the cache unless another process already replaced it."""
        key = token_cache_key(auth_client)
        self._held.pop(key, None)
        cached = AccessToken.from_cache(cache.get(key))
        if cached is not None and cached.value == token.value:
            cache.delete(key)

    def mint(
        self, auth_client: AuthClient, *, renew: Callable[[float], object] | None = None
    ) -> AccessToken:
        """Mint and validate one token, retrying 429/5xx/connection failures; records the outcome.

        `renew(wait)` is called before each retry's backoff of `wait` seconds (to keep a lock).
        """
        attempts = settings.TEAMSADMIN_HTTP_MAX_RETRIES + 1
        for attempt in range(1, attempts + 1):
            try:
                token = self._mint_once(auth_client)
            except TokenEndpointUnavailable as exc:
                if attempt == attempts:
                    self._record_error(auth_client, exc)
                    raise
                base = settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS * 2 ** (attempt - 1)
                delay = exc.retry_after if exc.retry_after is not None else base
                wait = min(delay + random.uniform(0, base), _max_sleep())  # noqa: S311
                if renew is not None:
                    renew(wait)
                self._sleep(wait)
            except TokenError as exc:
                self._record_error(auth_client, exc)
                raise
            else:
                self._record_ok(auth_client, token)
                return token
        raise AssertionError("unreachable")  # pragma: no cover

    def _mint_once(self, auth_client: AuthClient) -> AccessToken:
        tenant: AuthTenant = auth_client.auth_tenant
        try:
            secret = auth_client.get_secret()
        except SecretKeyError:
            raise TokenError(
                "The stored client secret cannot be decrypted with the configured keys.",
                reason="secret_unreadable",
            ) from None
        responses: list[requests.Response] = []

        def keep(resp: requests.Response) -> requests.Response:
            responses.append(resp)
            return resp

        extra: dict[str, str] = {"audience": tenant.audience}  # §2.1: audience on every mint
        if tenant.organization:
            extra["organization"] = tenant.organization
        timeout = (settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT, settings.TEAMSADMIN_HTTP_READ_TIMEOUT)
        where = tenant.domain
        self.tokens_minted += 1
        started = time.monotonic()
        try:
            with OAuth2Session(
                client_id=auth_client.client_id,
                client_secret=secret,
                token_endpoint_auth_method="client_secret_post",  # noqa: S106 - §2.1, as the SDK
            ) as session:
                session.headers["User-Agent"] = f"{contract.CLIENT_NAME}/{settings.VERSION}"
                session.register_compliance_hook("access_token_response", keep)
                payload = session.fetch_token(
                    tenant.token_url,
                    grant_type=contract.TOKEN_GRANT_TYPE,
                    timeout=timeout,
                    **extra,
                )
        except OAuthError as exc:
            status = responses[-1].status_code if responses else 0
            error = str(exc.error or "")
            description = _scrub(str(exc.description or ""), secret)
            self._log(auth_client, status, started)
            if status == 429:
                raise self._rate_limited(responses[-1]) from None
            reason, words = _explain(status, error, description, tenant.audience)
            raise TokenError(
                f"Could not get a token from {where}: {words}.",
                reason=reason,
                code=error[:100],
                description=description,
                status=status,
            ) from None
        except requests.exceptions.SSLError:
            self._log(auth_client, 0, started)
            raise TokenError(
                f"Could not get a token from {where}: the TLS connection failed "
                "(certificate or protocol error).",
                reason="tls_error",
            ) from None
        except requests.exceptions.Timeout:
            self._log(auth_client, 0, started)
            raise TokenEndpointUnavailable(
                f"Could not get a token from {where}: the token endpoint did not answer in time.",
                reason="timeout",
            ) from None
        except requests.exceptions.ConnectionError:
            self._log(auth_client, 0, started)
            raise TokenEndpointUnavailable(
                f"Could not get a token from {where}: the host is unreachable.",
                reason="host_unreachable",
            ) from None
        except (requests.exceptions.HTTPError, ValueError):
            status = responses[-1].status_code if responses else 0
            self._log(auth_client, status, started)
            if status == 429:
                raise self._rate_limited(responses[-1]) from None
            if status >= 500:
                raise TokenEndpointUnavailable(
                    f"Could not get a token from {where}: the token endpoint failed ({status}).",
                    reason="endpoint_error",
                    status=status,
                ) from None
            if 400 <= status < 500:
                raise TokenError(
                    f"Could not get a token from {where}: the token endpoint refused ({status}).",
                    reason="token_refused",
                    status=status,
                ) from None
            raise TokenEndpointUnavailable(
                f"Could not get a token from {where}: the token endpoint sent a malformed response.",
                reason="malformed_response",
                status=status or None,
            ) from None
        except requests.exceptions.RequestException:
            self._log(auth_client, 0, started)
            raise TokenEndpointUnavailable(
                f"Could not get a token from {where}: the request failed.", reason="request_failed"
            ) from None
        self._log(auth_client, responses[-1].status_code if responses else 200, started)
        return self._validated(auth_client, dict(payload))

    def _rate_limited(self, response: requests.Response) -> TokenEndpointUnavailable:
        exc = TokenEndpointUnavailable(
            "The Auth Tenant's token endpoint is rate limiting this client; try again shortly.",
            reason="rate_limited",
            status=429,
        )
        exc.retry_after = _parse_retry_after(response.headers.get(contract.RETRY_AFTER))
        return exc

    def _validated(self, auth_client: AuthClient, payload: dict[str, Any]) -> AccessToken:
        tenant = auth_client.auth_tenant
        where = tenant.domain
        value = payload.get("access_token")
        if not isinstance(value, str) or not value:
            raise TokenEndpointUnavailable(
                f"Could not get a token from {where}: the response held no access token.",
                reason="malformed_response",
            )
        expires_in = payload.get("expires_in", contract.DEFAULT_EXPIRES_IN)
        try:
            lifetime = float(expires_in)
        except (TypeError, ValueError):
            lifetime = float(contract.DEFAULT_EXPIRES_IN)
        scope_text = payload.get("scope")
        scopes = frozenset(scope_text.split()) if isinstance(scope_text, str) else frozenset()
        now = time.time()
        segments = value.split(".")
        header = _jwt_part(segments[0]) if len(segments) == 3 else None
        if header is None:
            # §12 (6): the beta issued opaque tokens; we can only trust expires_in and scope.
            return AccessToken(value, now + lifetime, scopes, "opaque")
        claims = self._verified_claims(tenant, value, header)
        exp = claims.get("exp")
        expires_at = (
            min(float(exp), now + lifetime) if isinstance(exp, int | float) else now + lifetime
        )
        claim_scope = claims.get("scope")
        if isinstance(claim_scope, str):
            scopes = frozenset(claim_scope.split())
        return AccessToken(value, expires_at, scopes, "jwt")

    def _verified_claims(
        self, tenant: AuthTenant, value: str, header: dict[str, Any]
    ) -> dict[str, Any]:
        where = tenant.domain
        kid = header.get("kid")
        keys = self._jwks(tenant, refresh=False)
        if kid not in {k.get("kid") for k in keys.get("keys", []) if isinstance(k, dict)}:
            keys = self._jwks(tenant, refresh=True)  # the Auth Tenant may have rotated its key
        try:
            key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
            decoded = jwt.decode(value, key_set, algorithms=[contract.TOKEN_ALGORITHM])
        except (JoseError, ValueError, TypeError):
            raise TokenError(
                f"The token from {where} failed validation: its signature does not match "
                "the Auth Tenant's published keys.",
                reason="bad_signature",
            ) from None
        claims = dict(decoded.claims)
        if claims.get("iss") != tenant.issuer:
            raise TokenError(
                f"The token from {where} failed validation: it was issued by "
                f"{str(claims.get('iss'))[:100]!r}, expected {tenant.issuer!r}.",
                reason="wrong_issuer",
            )
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if tenant.audience not in audiences:
            raise TokenError(
                f"The token from {where} failed validation: it is not meant for {tenant.audience}.",
                reason="wrong_audience",
            )
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= time.time():
            raise TokenError(
                f"The token from {where} failed validation: it has already expired "
                "(check the server clock).",
                reason="expired",
            )
        return claims

    def _jwks(self, tenant: AuthTenant, *, refresh: bool) -> dict[str, Any]:
        key = jwks_cache_key(tenant)
        if not refresh:
            cached = cache.get(key)
            if isinstance(cached, dict):
                return cached
        timeout = (settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT, settings.TEAMSADMIN_HTTP_READ_TIMEOUT)
        try:
            response = requests.get(tenant.jwks_url, timeout=timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError):
            raise TokenEndpointUnavailable(
                f"Could not load the signing keys of {tenant.domain} to check its token.",
                reason="jwks_unavailable",
            ) from None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise TokenEndpointUnavailable(
                f"The signing keys document of {tenant.domain} is malformed.",
                reason="jwks_malformed",
            )
        cache.set(key, document, timeout=JWKS_CACHE_SECONDS)
        return document

    def _log(self, auth_client: AuthClient, status: int, started: float) -> None:
        duration_ms = round((time.monotonic() - started) * 1000)
        logger.info(
            "token request auth_tenant=%s client=%s status=%s duration_ms=%s",
            auth_client.auth_tenant_id,
            auth_client.pk,
            status,
            duration_ms,
            extra={
                "operation": "token",
                "auth_tenant": auth_client.auth_tenant_id,
                "auth_client": auth_client.pk,
                "status": status,
                "duration_ms": duration_ms,
            },
        )

    def _record_ok(self, auth_client: AuthClient, token: AccessToken) -> None:
        auth_client.token_last_ok_at = datetime.now(UTC)
        auth_client.token_expires_at = datetime.fromtimestamp(token.expires_at, UTC)
        auth_client.token_scopes = " ".join(sorted(token.scopes))[:500]
        auth_client.token_kind = token.kind
        self._save(
            auth_client,
            ["token_last_ok_at", "token_expires_at", "token_scopes", "token_kind"],
        )

    def _record_error(self, auth_client: AuthClient, exc: TokenError) -> None:
        auth_client.token_last_error_at = datetime.now(UTC)
        auth_client.token_last_error = exc.message[:500]
        self._save(auth_client, ["token_last_error_at", "token_last_error"])
        logger.warning(
            "token mint failed auth_tenant=%s client=%s reason=%s",
            auth_client.auth_tenant_id,
            auth_client.pk,
            exc.reason,
        )

    def _save(self, auth_client: AuthClient, fields: list[str]) -> None:
        try:
            auth_client.save(update_fields=fields)
        except DatabaseError:
            # The row may have been removed while we minted; token status is advisory.
            logger.warning("token status not saved for client=%s", auth_client.pk)


def _max_sleep() -> float:
    return float(settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS)


def _call_seconds() -> float:
    """The longest one call to the token endpoint can take."""
    return float(settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT + settings.TEAMSADMIN_HTTP_READ_TIMEOUT)


def mint_lock_lease(wait: float) -> int:
    """Mint lock lifetime: a backoff of `wait` seconds, then one call to the token endpoint."""
    return int(wait + _call_seconds()) + LOCK_MARGIN_SECONDS


def _longest_mint() -> float:
    """How long a live mint can take with all its retries: how long others wait for it."""
    retries = settings.TEAMSADMIN_HTTP_MAX_RETRIES
    return _call_seconds() * (retries + 1) + _max_sleep() * retries
