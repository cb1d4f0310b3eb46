"""TeamsClient: the only code that speaks HTTP to the Teams API, through one _request chokepoint."""

from __future__ import annotations

import base64
import json
import logging
import os
import platform
import random
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import requests
from django.conf import settings

from apps.teamsapi import contract
from apps.teamsapi.contract import Operation, OperationName
from apps.teamsapi.cursors import CursorLoopGuard
from apps.teamsapi.errors import (
    NoClientForScope,
    TeamsApiBadResponse,
    TeamsApiConflict,
    TeamsApiError,
    TeamsApiForbidden,
    TeamsApiNotFound,
    TeamsApiPagingLoop,
    TeamsApiRateLimited,
    TeamsApiTimeout,
    TeamsApiUnavailable,
    TeamsApiValidationError,
    TokenError,
)
from apps.teamsapi.tokens import TokenProvider
from apps.teamsapi.types import (
    ActivityLogEntry,
    BulkResult,
    CreatedTenant,
    ErrorBody,
    Invitation,
    MemberTenants,
    Page,
    TeamMember,
    Tenant,
    TenantMember,
)

if TYPE_CHECKING:
    from apps.authtenants.models import AuthClient, AuthTenant

logger = logging.getLogger("apps.teamsapi")

T = TypeVar("T")
_NO_BODY = object()


def _auth0_client_header() -> str:
    """§3: base64 of compact JSON naming the client, like the SDK's telemetry header."""
    info = {
        "name": contract.CLIENT_NAME,
        "version": settings.VERSION,
        "env": {"python": platform.python_version()},
    }
    return base64.b64encode(json.dumps(info, separators=(",", ":")).encode()).decode()


def _seconds_until_epoch(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


def _retry_after(response: requests.Response, *, bucket_reset: bool) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date), else X-RateLimit-Reset on 429 (§10)."""
    header = response.headers.get(contract.RETRY_AFTER)
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    if not bucket_reset:
        return None
    return _seconds_until_epoch(response.headers.get(contract.RATE_LIMIT_RESET))


def _as_is(item: object) -> object:
    return item


def _session(base_url: str) -> requests.Session:
    """A session that reads the environment once, not on every request.

    With trust_env on, requests looks up proxy variables, the CA bundle and ~/.netrc for every
    call (a measurable share of a page), and a .netrc entry for the host would even replace the
    bearer token. The proxies and CA bundle the environment names still apply.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if ca_bundle:
        session.verify = ca_bundle
    return session


def _field_errors(error: ErrorBody) -> dict[str, list[str]]:
    """§9.1 gives validation detail as one text; attach it to a field when it starts with one."""
    text = error.details or error.title
    if not text:
        return {}
    head, sep, rest = text.partition(":")
    if sep and head.strip().isidentifier() and rest.strip():
        return {head.strip(): [rest.strip()]}
    return {"__all__": [text]}


class TeamsClient:
    """One Auth Tenant's view of its team's Teams API; one method per operation (§5).

    Every call picks the enabled client with the fewest scopes that covers the operation, sends
    a cached bearer token, re-mints once on 401, retries idempotent calls on 408/429/5xx and
    connection failures with capped backoff, and raises the TeamsApiError family.
    """

    def __init__(
        self,
        auth_tenant: AuthTenant,
        *,
        token_provider: TokenProvider | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.auth_tenant = auth_tenant
        self.tokens = token_provider or TokenProvider(sleep=sleep)
        self.requests_made = 0
        self.max_pages = contract.MAX_PAGES
        self._sleep = sleep
        self._session = _session(auth_tenant.api_base_url)
        self._session.headers.update(
            {
                "Accept": "application/json",
                "User-Agent": f"{contract.CLIENT_NAME}/{settings.VERSION}",
                "Auth0-Client": _auth0_client_header(),
            }
        )
        self._clients: list[AuthClient] | None = None
        self._throttle_until: dict[int, float] = {}

    def __repr__(self) -> str:
        return f"<TeamsClient auth_tenant={self.auth_tenant.pk} requests_made={self.requests_made}>"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> TeamsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- client picking ------------------------------------------------------------------------

    def client_for(self, operation: Operation) -> AuthClient:
        """The enabled client granted the operation's scope, preferring the fewest scopes."""
        if self._clients is None:
            self._clients = list(self.auth_tenant.clients.filter(enabled=True).order_by("pk"))
        candidates = [c for c in self._clients if operation.scope in c.scope_set]
        if not candidates:
            raise NoClientForScope(
                scope=operation.scope, feature=operation.feature, auth_tenant=self.auth_tenant.name
            )
        return min(candidates, key=lambda c: (len(c.scope_set), c.pk))

    # --- the chokepoint ------------------------------------------------------------------------

    def _request(
        self,
        name: OperationName,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = _NO_BODY,
    ) -> Any:
        """Perform one operation; returns the decoded JSON body, or None for an empty body."""
        operation = contract.OPERATIONS[name]
        auth_client = self.client_for(operation)
        encoded = {k: quote(str(v), safe="") for k, v in (path_params or {}).items()}
        url = self.auth_tenant.api_base_url + operation.path.format(**encoded)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        headers: dict[str, str] = {}
        data: bytes | None = None
        if body is not _NO_BODY:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        timeout = (settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT, settings.TEAMSADMIN_HTTP_READ_TIMEOUT)
        max_retries = settings.TEAMSADMIN_HTTP_MAX_RETRIES
        retries = 0
        reminted = False
        attempt = 0
        while True:
            attempt += 1
            token = self.tokens.token(auth_client)
            if token.scopes and operation.scope not in token.scopes:
                raise TeamsApiForbidden(
                    f"The access token of client {auth_client.label!r} was not granted the scope "
                    f"{operation.scope}, which is needed to {operation.feature}.",
                    scope=operation.scope,
                    code="INSUFFICIENT_SCOPE",
                )
            self._throttle(auth_client)
            started = time.monotonic()
            status = 0
            response: requests.Response | None = None
            body = b""
            error: TeamsApiError
            delay: float | None = None
            try:
                answer = self._session.request(
                    operation.method,
                    url,
                    params=query,
                    data=data,
                    headers={**headers, "Authorization": f"Bearer {token.value}"},
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                )
                # The body in one read: requests reads it in 10 KB chunks, and each one waits
                # its turn for the interpreter when another thread is busy (a sync storing
                # pages while the next one is fetched).
                try:
                    body = b"".join(answer.iter_content(chunk_size=None))
                finally:
                    answer.close()  # back to the pool once read; dropped if the read failed
                response, status = answer, answer.status_code
            except requests.exceptions.Timeout:
                error = TeamsApiTimeout()
            except requests.exceptions.RequestException:
                error = TeamsApiUnavailable(
                    "The Teams API could not be reached. Check the Auth Tenant's API URL, "
                    "or try again in a few minutes."
                )
            finally:
                self.requests_made += 1
                self._log(operation, status, started, attempt)
            if response is not None:
                self._note_rate_limit(auth_client, response)
                if status == 404 and retries and operation.method == "DELETE":
                    return None  # an earlier attempt deleted it before its reply was lost
                if status == 401 and not reminted:
                    # §2.5: the token expired or was revoked early; one fresh token, one retry.
                    reminted = True
                    self.tokens.invalidate(auth_client, token)
                    continue
                try:
                    return self._result(operation, response, body)
                except TeamsApiError as exc:
                    error = exc
                if status in contract.RETRY_STATUSES:
                    delay = _retry_after(response, bucket_reset=status == 429)
            if not self._retryable(operation, error, status) or retries >= max_retries:
                raise error
            retries += 1
            wait = self._backoff(retries, delay)
            if wait is None:
                raise error
            self._sleep(wait)

    def _retryable(self, operation: Operation, error: TeamsApiError, status: int) -> bool:
        if isinstance(error, TeamsApiRateLimited):
            return True  # §10: a 429 was not processed, so even a POST is safe to repeat
        if not operation.idempotent:
            return False  # §10: never repeat a POST the server may have acted on
        return isinstance(error, TeamsApiUnavailable | TeamsApiTimeout) or status == 408

    def _backoff(self, retry: int, hinted: float | None) -> float | None:
        """Exponential backoff with jitter; a server hint wins. None when the hint exceeds the cap."""
        cap = float(settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS)
        if hinted is not None:
            return None if hinted > cap else hinted
        base: float = settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS * 2.0 ** (retry - 1)
        return min(base + random.uniform(0, base), cap)  # noqa: S311 - jitter, not crypto

    def _note_rate_limit(self, auth_client: AuthClient, response: requests.Response) -> None:
        """Remember when a drained bucket refills so the next call waits instead of hitting 429."""
        remaining = response.headers.get(contract.RATE_LIMIT_REMAINING)
        if response.status_code == 429:
            return  # the retry delay already waits for the bucket
        if remaining is not None and remaining.strip() == "0":
            wait = _seconds_until_epoch(response.headers.get(contract.RATE_LIMIT_RESET))
            if wait:
                self._throttle_until[auth_client.pk] = time.monotonic() + wait
        else:
            self._throttle_until.pop(auth_client.pk, None)

    def _throttle(self, auth_client: AuthClient) -> None:
        until = self._throttle_until.pop(auth_client.pk, None)
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                self._sleep(min(wait, float(settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS)))

    def _result(self, operation: Operation, response: requests.Response, body: bytes) -> Any:
        """Decode a success body or raise the mapped error for a failure status."""
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not body.strip():
                return None
            try:
                return json.loads(body)
            except ValueError:
                raise TeamsApiBadResponse(status=status) from None
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = None  # §9.1: a non-JSON error body must not crash the client
        error = ErrorBody.from_api(payload, http_status=status)
        title = error.title
        if status == 429:
            raise TeamsApiRateLimited(
                retry_after=_retry_after(response, bucket_reset=True),
                code=error.type,
                status=status,
            )
        if status >= 500 or status == 408:
            if payload is None:
                raise TeamsApiBadResponse(
                    f"The Teams API failed ({status}) and sent a page Teams Admin could not read.",
                    status=status,
                )
            raise TeamsApiUnavailable(
                f"The Teams API failed ({status}). Try again in a few minutes.",
                code=error.type,
                status=status,
            )
        if status == 401:
            raise TokenError(
                "The Teams API did not accept a freshly minted access token; check the Auth "
                "Tenant's domain, audience and API URL.",
                reason="rejected_by_api",
                code=error.type or "UNAUTHORIZED",
                status=status,
            )
        if status == 403:
            if error.type in ("", "INSUFFICIENT_SCOPE", "FORBIDDEN"):
                raise TeamsApiForbidden(scope=operation.scope, code=error.type, status=status)
            raise TeamsApiForbidden(
                f"The Teams API refused this: {title or error.type}.",
                scope=operation.scope,
                code=error.type,
                status=status,
            )
        if status == 404:
            raise TeamsApiNotFound(title or None, code=error.type, status=status)
        if status == 409:
            raise TeamsApiConflict(title or None, code=error.type, status=status)
        if status in (400, 422):
            message = title
            if error.details and error.details != title:
                message = f"{title}: {error.details}" if title else error.details
            raise TeamsApiValidationError(
                message or None, field_errors=_field_errors(error), code=error.type, status=status
            )
        if 300 <= status < 400:
            raise TeamsApiBadResponse(
                f"The Teams API redirected ({status}); check the Auth Tenant's API URL.",
                status=status,
            )
        raise TeamsApiError(
            f"The Teams API answered {status}: {title or 'unexpected error'}.",
            code=error.type,
            status=status,
        )

    def _log(self, operation: Operation, status: int, started: float, attempt: int) -> None:
        duration_ms = round((time.monotonic() - started) * 1000)
        logger.info(
            "teams api %s auth_tenant=%s status=%s duration_ms=%s attempt=%s",
            operation.name.value,
            self.auth_tenant.pk,
            status,
            duration_ms,
            attempt,
            extra={
                "operation": operation.name.value,
                "auth_tenant": self.auth_tenant.pk,
                "status": status,
                "duration_ms": duration_ms,
                "attempt": attempt,
            },
        )

    def _paginate(
        self,
        name: OperationName,
        items_key: str,
        parse: Callable[[object], T],
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Iterator[Page[T]]:
        """Yield one Page per HTTP call, resending filters (§8.1); guards against looping cursors."""
        query: dict[str, Any] = dict(params or {})
        loop_guard = CursorLoopGuard()
        for _ in range(self.max_pages):
            payload = self._request(name, path_params=path_params, params=query)
            if not isinstance(payload, Mapping):
                raise TeamsApiBadResponse("The Teams API sent a list page that is not an object.")
            raw_items = payload.get(items_key)
            items = [parse(item) for item in raw_items] if isinstance(raw_items, list) else []
            cursor = payload.get(contract.NEXT_FIELD)
            next_cursor = cursor if isinstance(cursor, str) and cursor else None
            if next_cursor is not None and loop_guard.repeats(next_cursor):
                raise TeamsApiPagingLoop(
                    "The Teams API sent a page cursor it had already sent (a paging loop); "
                    "paging stopped."
                )
            yield Page(items=items, next=next_cursor)
            if next_cursor is None:
                return
            query[contract.CURSOR_PARAM] = next_cursor
        raise TeamsApiPagingLoop(
            f"The Teams API kept sending more pages after {self.max_pages}; paging stopped."
        )

    @staticmethod
    def _take(take: int) -> int:
        return max(1, min(int(take), contract.PAGE_SIZE_MAX))

    # --- members (§5: 1-9) ---------------------------------------------------------------------

    def iter_member_pages(
        self, *, take: int = contract.PAGE_SIZE_MAX
    ) -> Iterator[Page[TeamMember]]:
        """Pages of team members, ordered by id (§5.1 (1))."""
        return self._paginate(
            OperationName.LIST_MEMBERS,
            "members",
            TeamMember.from_api,
            params={"take": self._take(take)},
        )

    def list_members(self, *, take: int = contract.PAGE_SIZE_MAX) -> Iterator[TeamMember]:
        """Every team member (pending invitees are not members yet)."""
        for page in self.iter_member_pages(take=take):
            yield from page.items

    def get_member(self, member_id: str) -> TeamMember:
        """One member's identity and team role; raises TeamsApiNotFound."""
        payload = self._request(OperationName.GET_MEMBER, path_params={"id": member_id})
        return TeamMember.from_api(payload)

    def invite_member(
        self,
        *,
        email: str,
        role: str,
        tenant_ids: list[str] | None = None,
        tenant_roles: list[str] | None = None,
        client_ids: list[str] | None = None,
    ) -> Invitation:
        """Invite someone to the team; never retried on 5xx because the invitation may exist."""
        body: dict[str, Any] = {"email": email, "role": role}
        if tenant_ids:
            body["tenant_ids"] = list(tenant_ids)
        if tenant_roles:
            body["tenant_roles"] = list(tenant_roles)
        if client_ids:
            body["client_ids"] = list(client_ids)
        payload = self._request(OperationName.INVITE_MEMBER, body=body)
        return Invitation.from_api(payload)

    def update_member(self, member_id: str, *, role: str) -> TeamMember:
        """Change a member's team role; returns the updated member."""
        payload = self._request(
            OperationName.UPDATE_MEMBER, path_params={"id": member_id}, body={"role": role}
        )
        return TeamMember.from_api(payload)

    def remove_member(self, member_id: str) -> None:
        """Remove a member from the team and every team tenant (§5.1 (5))."""
        self._request(OperationName.REMOVE_MEMBER, path_params={"id": member_id})

    def _bulk(
        self,
        name: OperationName,
        member_id: str,
        tenant_ids: list[str],
        roles: list[str] | None,
        client_ids: list[str] | None,
    ) -> BulkResult:
        body: dict[str, Any] = {"tenants": list(tenant_ids)}
        if roles is not None:
            body["roles"] = list(roles)
        if client_ids:
            body["client_ids"] = list(client_ids)
        payload = self._request(name, path_params={"id": member_id}, body=body)
        if payload is None:  # §5.1 (6-8): 204 means every tenant succeeded
            return BulkResult.all_succeeded(list(tenant_ids))
        return BulkResult.from_api(payload)

    def add_member_tenants(
        self,
        member_id: str,
        *,
        tenant_ids: list[str],
        roles: list[str],
        client_ids: list[str] | None = None,
    ) -> BulkResult:
        """Grant a member roles on up to 10 tenants; per-tenant failures are in the result."""
        return self._bulk(
            OperationName.ADD_MEMBER_TENANTS, member_id, tenant_ids, roles, client_ids
        )

    def update_member_tenants(
        self,
        member_id: str,
        *,
        tenant_ids: list[str],
        roles: list[str],
        client_ids: list[str] | None = None,
    ) -> BulkResult:
        """Replace a member's roles on tenants they already access."""
        return self._bulk(
            OperationName.UPDATE_MEMBER_TENANTS, member_id, tenant_ids, roles, client_ids
        )

    def remove_member_tenants(self, member_id: str, *, tenant_ids: list[str]) -> BulkResult:
        """Revoke a member's access to up to 10 tenants (JSON body on DELETE, §5.1 (8))."""
        return self._bulk(OperationName.REMOVE_MEMBER_TENANTS, member_id, tenant_ids, None, None)

    def list_member_tenants(self, member_id: str, environment: str) -> MemberTenants:
        """The tenants a member can access in one environment, with their roles."""
        payload = self._request(
            OperationName.LIST_MEMBER_TENANTS,
            path_params={"id": member_id, "environment": environment},
        )
        return MemberTenants.from_api(payload)

    # --- tenants (§5: 10-15) -------------------------------------------------------------------

    def iter_tenant_pages(
        self,
        *,
        environment: str | None = None,
        environment_tag: str | None = None,
        locality: str | None = None,
        sort: str = contract.TENANTS_SORT_NEWEST_FIRST,
        take: int = contract.PAGE_SIZE_MAX,
    ) -> Iterator[Page[Tenant]]:
        """Pages of tenants, filtered exactly (§5.1 (10))."""
        params = {
            "take": self._take(take),
            "sort": sort,
            "environment": environment or None,
            "environment_tag": environment_tag or None,
            "locality": locality or None,
        }
        return self._paginate(OperationName.LIST_TENANTS, "tenants", Tenant.from_api, params=params)

    def list_tenants(
        self,
        *,
        environment: str | None = None,
        environment_tag: str | None = None,
        locality: str | None = None,
        sort: str = contract.TENANTS_SORT_NEWEST_FIRST,
        take: int = contract.PAGE_SIZE_MAX,
    ) -> Iterator[Tenant]:
        """Every tenant matching the filters, newest first by default."""
        for page in self.iter_tenant_pages(
            environment=environment,
            environment_tag=environment_tag,
            locality=locality,
            sort=sort,
            take=take,
        ):
            yield from page.items

    def get_tenant(self, tenant_id: str) -> Tenant:
        """One tenant; raises TeamsApiNotFound (or TeamsApiValidationError for a malformed id)."""
        payload = self._request(OperationName.GET_TENANT, path_params={"tenant_id": tenant_id})
        return Tenant.from_api(payload)

    def create_tenant(
        self,
        *,
        admin_email: str,
        tenant_name: str | None = None,
        locality: str | None = None,
        environment_tag: str | None = None,
        environment: str | None = None,
    ) -> CreatedTenant:
        """Create a public (`locality`) or private (`environment`) tenant; never retried on 5xx.

        The reply holds management client credentials that the API never returns again.
        """
        body: dict[str, Any] = {"admin_email": admin_email}
        if tenant_name:
            body["tenant_name"] = tenant_name
        if locality:
            body["locality"] = locality
        if environment_tag:
            body["environment_tag"] = environment_tag
        if environment:
            body["environment"] = environment
        payload = self._request(OperationName.CREATE_TENANT, body=body)
        return CreatedTenant.from_api(payload)

    def delete_tenant(self, tenant_id: str) -> None:
        """Delete a tenant; every member loses access to it."""
        self._request(OperationName.DELETE_TENANT, path_params={"tenant_id": tenant_id})

    def iter_tenant_member_pages(
        self, tenant_id: str, *, take: int = contract.PAGE_SIZE_MAX
    ) -> Iterator[Page[TenantMember]]:
        """Pages of the members who can access one tenant."""
        return self._paginate(
            OperationName.LIST_TENANT_MEMBERS,
            "members",
            TenantMember.from_api,
            path_params={"tenant_id": tenant_id},
            params={"take": self._take(take)},
        )

    def list_tenant_members(
        self, tenant_id: str, *, take: int = contract.PAGE_SIZE_MAX
    ) -> Iterator[TenantMember]:
        """Every member who can access one tenant, with their tenant roles."""
        for page in self.iter_tenant_member_pages(tenant_id, take=take):
            yield from page.items

    def list_environments(self) -> list[str]:
        """The environment ids where the team has tenants (§5.1 (15))."""
        payload = self._request(OperationName.LIST_ENVIRONMENTS)
        if not isinstance(payload, Mapping):
            raise TeamsApiBadResponse(
                "The Teams API sent an environment list that is not an object."
            )
        values = payload.get("environments")
        return [str(v) for v in values if isinstance(v, str)] if isinstance(values, list) else []

    # --- activity (§5: 16) ---------------------------------------------------------------------

    def iter_activity_pages(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        type: str | None = None,  # noqa: A002 - the API's parameter name
        status: str | None = None,
        take: int = contract.PAGE_SIZE_MAX,
    ) -> Iterator[Page[ActivityLogEntry]]:
        """Pages of activity, newest first; `since` inclusive, `until` exclusive (§5.1 (16))."""
        params = self._activity_params(since, until, take, type=type, status=status)
        return self._paginate(
            OperationName.LIST_ACTIVITY, "logs", ActivityLogEntry.from_api, params=params
        )

    def iter_raw_activity_pages(
        self, *, since: datetime | None, until: datetime | None, take: int
    ) -> Iterator[Page[object]]:
        """Activity pages with the entries left as decoded JSON, to be parsed elsewhere with
        `page.map(ActivityLogEntry.from_api)` (off a thread that should only fetch)."""
        params = self._activity_params(since, until, take)
        return self._paginate(OperationName.LIST_ACTIVITY, "logs", _as_is, params=params)

    def _activity_params(
        self,
        since: datetime | None,
        until: datetime | None,
        take: int,
        *,
        type: str | None = None,  # noqa: A002 - the API's parameter name
        status: str | None = None,
    ) -> dict[str, Any]:
        return {
            "take": self._take(take),
            "since": contract.format_datetime(since) if since else None,
            "until": contract.format_datetime(until) if until else None,
            "type": type or None,
            "status": status or None,
        }

    def iter_activity(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        type: str | None = None,  # noqa: A002 - the API's parameter name
        status: str | None = None,
        take: int = contract.PAGE_SIZE_MAX,
    ) -> Iterator[ActivityLogEntry]:
        """Every activity entry in the window, newest first."""
        for page in self.iter_activity_pages(
            since=since, until=until, type=type, status=status, take=take
        ):
            yield from page.items


def teams_client(
    auth_tenant: AuthTenant, *, token_provider: TokenProvider | None = None
) -> TeamsClient:
    """A TeamsClient for the Auth Tenant, sharing tokens through the Django cache."""
    return TeamsClient(auth_tenant, token_provider=token_provider)
