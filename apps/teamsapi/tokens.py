"""Client-credentials tokens: minted and validated per ClientSettings, shared via the Django cache.

authlib encodes the client-credentials request; it is sent through teamsapi.http like every
other call, so it follows no redirect and reaches only guarded addresses. Outcomes go to a
TokenObserver (the Auth Tenants app records them on its rows).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_token_request
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from apps.core import metrics
from apps.teamsapi import contract, http
from apps.teamsapi.connection import ClientSettings, ConnectionSettings, SecretUnreadable
from apps.teamsapi.errors import TeamsApiError, TokenEndpointUnavailable, TokenError

logger = logging.getLogger("apps.teamsapi")

LOCK_POLL_SECONDS = 0.05
LOCK_MARGIN_SECONDS = 2
TOKEN_CACHE_GRACE_SECONDS = 3600
JWKS_CACHE_SECONDS = 3600
ERROR_TEXT_MAX = 300
_FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


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


class TokenObserver(Protocol):
    """Told the outcome of every mint, e.g. to show "token OK 2 min ago" per client."""

    def token_minted(
        self, connection: ConnectionSettings, client: ClientSettings, token: AccessToken
    ) -> None: ...

    def token_failed(
        self, connection: ConnectionSettings, client: ClientSettings, error: TokenError
    ) -> None: ...


def token_cache_key(connection: ConnectionSettings, client: ClientSettings) -> str:
    """Cache key per (token URL, client id, audience) (§2.5); hashed to fit every cache backend."""
    raw = f"{connection.token_url}\n{client.client_id}\n{connection.audience}"
    return "teamsapi:token:" + hashlib.sha256(raw.encode()).hexdigest()


def mint_lock_key(connection: ConnectionSettings, client: ClientSettings) -> str:
    """The lock one process holds while it mints the token other processes then share."""
    return token_cache_key(connection, client) + ":lock"


def jwks_cache_key(connection: ConnectionSettings) -> str:
    """Cache key of an Auth Tenant's published signing keys."""
    return "teamsapi:jwks:" + hashlib.sha256(connection.jwks_url.encode()).hexdigest()


def forget_token(connection: ConnectionSettings, client: ClientSettings) -> None:
    """Drop the cached token, e.g. after the client's secret or scopes changed."""
    cache.delete(token_cache_key(connection, client))


def _margin() -> float:
    return float(settings.TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS)


def _cached(key: str, margin: float) -> AccessToken | None:
    token = AccessToken.from_cache(cache.get(key))
    return token if token is not None and token.usable(margin) else None


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


# Token endpoint and JWKS failures other than a refusal of the credentials, by the transport
# failure kind or status verdict (teamsapi.http): (worth retrying, reason, plain words).
_FAILURES: dict[str, tuple[bool, str, str]] = {
    "timeout": (True, "timeout", "the endpoint did not answer in time"),
    "unreachable": (True, "host_unreachable", "the host is unreachable"),
    "failed": (True, "request_failed", "the request failed"),
    "tls": (False, "tls_error", "the TLS connection failed (certificate or protocol error)"),
    "blocked": (False, "host_refused", "the host is not allowed"),
    "redirected": (
        False,
        "redirected",
        "the endpoint redirected ({status}) and redirects are never followed; check the "
        "Auth Tenant's domain and auth base URL",
    ),
    "rate_limited": (True, "rate_limited", "the endpoint is rate limiting this client"),
    "unavailable": (True, "endpoint_error", "the endpoint failed ({status})"),
}


def _failure(
    kind: str, where: str, what: str, *, status: int | None = None, detail: str = ""
) -> TokenError:
    retryable, reason, words = _FAILURES[kind]
    cls = TokenEndpointUnavailable if retryable else TokenError
    text = detail or words.format(status=status)
    return cls(f"Could not {what} from {where}: {text}.", reason=reason, status=status)


def _refusal(reply: http.Reply, connection: ConnectionSettings, secret: str) -> TokenError:
    """The TokenError for a token endpoint answer that is not a success (§2.3, §10)."""
    where, status = connection.domain, reply.status
    verdict = http.verdict(status)
    if verdict != "refused":
        error = _failure(verdict, where, "get a token", status=status)
        error.retry_after = http.retry_after(reply)
        return error
    payload = _json_object(reply.body)
    code = str(payload.get("error") or "")[:100]
    description = _scrub(str(payload.get("error_description") or ""), secret)
    reason, words = _explain(status, code, description, connection.audience)
    return TokenError(
        f"Could not get a token from {where}: {words}.",
        reason=reason,
        code=code,
        description=description,
        status=status,
    )


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _token_request(
    connection: ConnectionSettings, client: ClientSettings, secret: str
) -> tuple[dict[str, str], str]:
    """Headers and form body of a client-credentials request (§2.1: audience on every mint)."""
    extra = {"audience": connection.audience}
    if connection.organization:
        extra["organization"] = connection.organization
    body = prepare_token_request(contract.TOKEN_GRANT_TYPE, **extra)
    auth = ClientAuth(client.client_id, secret, "client_secret_post")  # §2.1, as the SDK
    _, headers, body = auth.prepare("POST", connection.token_url, dict(_FORM), body)
    return dict(headers), str(body)


def _read_secret(client: ClientSettings) -> str:
    try:
        return client.read_secret()
    except SecretUnreadable:
        raise TokenError(
            "The stored client secret cannot be decrypted with the configured keys.",
            reason="secret_unreadable",
        ) from None


def _retryable(error: TeamsApiError) -> bool:
    return isinstance(error, TokenEndpointUnavailable)


def _jwt_part(segment: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


class TokenProvider:
    """Hands out access tokens per client: cached, single-flight across processes, validated.

    A provider lives as long as its TeamsClient (one page or one sync run) and keeps the tokens
    it handed out, so a long sync reads the shared cache once per token, not once per request.
    """

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        observer: TokenObserver | None = None,
    ) -> None:
        self._sleep = sleep
        self._observer = observer
        self._held: dict[str, AccessToken] = {}
        self.tokens_minted = 0

    def token(self, connection: ConnectionSettings, client: ClientSettings) -> AccessToken:
        """A usable token from this provider, the cache, or freshly minted; raises TokenError."""
        key = token_cache_key(connection, client)
        margin = _margin()
        held = self._held.get(key)
        if held is not None and held.usable(margin):
            return held
        token = self._shared_token(key, connection, client, margin)
        self._held[key] = token
        return token

    def _shared_token(
        self, key: str, connection: ConnectionSettings, client: ClientSettings, margin: float
    ) -> AccessToken:
        lock_key = mint_lock_key(connection, client)
        deadline = time.monotonic() + _longest_mint() + LOCK_MARGIN_SECONDS

        def renew(wait: float) -> None:
            cache.touch(lock_key, mint_lock_lease(wait))

        while (cached := _cached(key, margin)) is None:
            # cache.add is atomic on every shared backend (Redis SET NX, DB unique key), so one
            # process mints while the others poll the cache for its result. The lock is a lease
            # on one call to the token endpoint, renewed before each retry, so a process killed
            # mid-mint holds the others up for one call's timeout, not for a whole retry budget.
            # A live mint outlasting its lease (a JWKS fetch too) costs one extra mint at worst.
            if cache.add(lock_key, uuid.uuid4().hex, timeout=mint_lock_lease(0)):
                try:
                    return _cached(key, margin) or self._mint_and_share(
                        key, connection, client, renew
                    )
                finally:
                    cache.delete(lock_key)
            if time.monotonic() > deadline:
                raise TokenEndpointUnavailable(
                    "Timed out waiting for another process to fetch an access token.",
                    reason="lock_timeout",
                )
            self._sleep(LOCK_POLL_SECONDS)
        return cached

    def _mint_and_share(
        self,
        key: str,
        connection: ConnectionSettings,
        client: ClientSettings,
        renew: Callable[[float], object],
    ) -> AccessToken:
        minted = self.mint(connection, client, renew=renew)
        if minted.usable(_margin()):
            # The entry outlives the token; usable() decides when it is stale. A cache-side
            # expiry would race: DatabaseCache.get() deletes an expired row by key, which can
            # drop the token another process just stored.
            ttl = int(minted.expires_at - time.time()) + TOKEN_CACHE_GRACE_SECONDS
            cache.set(key, minted.as_cache(), timeout=ttl)
        return minted

    def invalidate(
        self, connection: ConnectionSettings, client: ClientSettings, token: AccessToken
    ) -> None:
        """Drop `token` from the cache unless another process already replaced it."""
        key = token_cache_key(connection, client)
        self._held.pop(key, None)
        cached = AccessToken.from_cache(cache.get(key))
        if cached is not None and cached.value == token.value:
            cache.delete(key)

    def mint(
        self,
        connection: ConnectionSettings,
        client: ClientSettings,
        *,
        renew: Callable[[float], object] | None = None,
    ) -> AccessToken:
        """Mint and validate one token, retrying 429/5xx/connection failures; reports the outcome.

        `renew(wait)` is called before each retry's backoff of `wait` seconds (to keep a lock).
        """
        try:
            token = http.retrying(
                lambda _retries: self._mint_once(connection, client),
                may_retry=_retryable,
                sleep=self._sleep,
                before_wait=renew,
            )
        except TokenError as exc:
            logger.warning(
                "token mint failed auth_tenant=%s client=%s reason=%s",
                connection.ref,
                client.key,
                exc.reason,
            )
            metrics.TOKEN_MINTS.labels(connection.ref, "failed").inc()
            if self._observer is not None:
                self._observer.token_failed(connection, client, exc)
            raise
        metrics.TOKEN_MINTS.labels(connection.ref, "ok").inc()
        if self._observer is not None:
            self._observer.token_minted(connection, client, token)
        return token

    def _mint_once(self, connection: ConnectionSettings, client: ClientSettings) -> AccessToken:
        secret = _read_secret(client)
        headers, body = _token_request(connection, client, secret)
        self.tokens_minted += 1
        started, status = time.monotonic(), 0
        try:
            with http.hardened_session(connection.token_url, connection.outbound) as session:
                reply = http.send_once(
                    session, "POST", connection.token_url, data=body, headers=headers
                )
            status = reply.status
        except http.TransportFailure as failure:
            raise _failure(
                failure.kind, connection.domain, "get a token", detail=failure.message
            ) from None
        finally:
            http.log_call(
                "token request",
                operation="token",
                started=started,
                auth_tenant=connection.ref,
                client=client.key,
                status=status,
            )
        if http.verdict(status) != "ok":
            raise _refusal(reply, connection, secret)
        payload = _json_object(reply.body)
        if not payload:
            raise TokenEndpointUnavailable(
                f"Could not get a token from {connection.domain}: the token endpoint sent a "
                "malformed response.",
                reason="malformed_response",
                status=status,
            )
        return self._validated(connection, payload)

    def _validated(self, connection: ConnectionSettings, payload: dict[str, Any]) -> AccessToken:
        where = connection.domain
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
        claims = self._verified_claims(connection, value, header)
        exp = claims.get("exp")
        expires_at = (
            min(float(exp), now + lifetime) if isinstance(exp, int | float) else now + lifetime
        )
        claim_scope = claims.get("scope")
        if isinstance(claim_scope, str):
            scopes = frozenset(claim_scope.split())
        return AccessToken(value, expires_at, scopes, "jwt")

    def _verified_claims(
        self, connection: ConnectionSettings, value: str, header: dict[str, Any]
    ) -> dict[str, Any]:
        keys = self._jwks(connection, refresh=False)
        if header.get("kid") not in {k.get("kid") for k in keys["keys"] if isinstance(k, dict)}:
            keys = self._jwks(connection, refresh=True)  # the Auth Tenant may have rotated its key
        try:
            key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
            claims = dict(jwt.decode(value, key_set, algorithms=[contract.TOKEN_ALGORITHM]).claims)
        except (JoseError, ValueError, TypeError):
            raise _invalid(connection, "bad_signature") from None
        if claims.get("iss") != connection.issuer:
            raise _invalid(connection, "wrong_issuer", str(claims.get("iss"))[:100])
        aud = claims.get("aud")
        if connection.audience not in (aud if isinstance(aud, list) else [aud]):
            raise _invalid(connection, "wrong_audience")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= time.time():
            raise _invalid(connection, "expired")
        return claims

    def _jwks(self, connection: ConnectionSettings, *, refresh: bool) -> dict[str, Any]:
        key = jwks_cache_key(connection)
        cached = None if refresh else cache.get(key)
        if isinstance(cached, dict):
            return cached
        where = connection.domain
        try:
            with http.hardened_session(connection.jwks_url, connection.outbound) as session:
                reply = http.send_once(session, "GET", connection.jwks_url)
        except http.TransportFailure as failure:
            raise _failure(
                failure.kind, where, "load the signing keys", detail=failure.message
            ) from None
        verdict = http.verdict(reply.status)
        if verdict not in ("ok", "refused"):
            raise _failure(verdict, where, "load the signing keys", status=reply.status)
        document = _json_object(reply.body) if verdict == "ok" else {}
        if not isinstance(document.get("keys"), list):
            raise TokenEndpointUnavailable(
                f"Could not load the signing keys of {where} to check its token "
                f"(answer {reply.status}).",
                reason="jwks_unavailable",
                status=reply.status,
            )
        cache.set(key, document, timeout=JWKS_CACHE_SECONDS)
        return document


def _invalid(connection: ConnectionSettings, reason: str, issuer: str = "") -> TokenError:
    """A token that failed validation (§2.4), in plain words."""
    words = {
        "bad_signature": "its signature does not match the Auth Tenant's published keys",
        "wrong_issuer": f"it was issued by {issuer!r}, expected {connection.issuer!r}",
        "wrong_audience": f"it is not meant for {connection.audience}",
        "expired": "it has already expired (check the server clock)",
    }[reason]
    return TokenError(
        f"The token from {connection.domain} failed validation: {words}.", reason=reason
    )


def _call_seconds() -> float:
    """The longest one call to the token endpoint can take."""
    return float(settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT + settings.TEAMSADMIN_HTTP_READ_TIMEOUT)


def mint_lock_lease(wait: float) -> int:
    """Mint lock lifetime: a backoff of `wait` seconds, then one call to the token endpoint."""
    return int(wait + _call_seconds()) + LOCK_MARGIN_SECONDS


def _longest_mint() -> float:
    """How long a live mint can take with all its retries: how long others wait for it."""
    retries = settings.TEAMSADMIN_HTTP_MAX_RETRIES
    return _call_seconds() * (retries + 1) + http.max_sleep() * retries
