"""TeamsClient: one method per Teams API operation, all sent through one `_request` chokepoint."""

from __future__ import annotations

import base64
import json
import platform
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, Protocol, TypedDict, TypeVar, Unpack
from urllib.parse import quote

from django.conf import settings

from apps.core import metrics
from apps.teamsapi import contract, http
from apps.teamsapi.connection import ClientSettings, ConnectionSettings, fewest_scope_client
from apps.teamsapi.contract import Operation, OperationName
from apps.teamsapi.cursors import CursorLoopGuard
from apps.teamsapi.errors import (
    NoClientForScope,
    TeamsApiBadResponse,
    TeamsApiConflict,
    TeamsApiError,
    TeamsApiForbidden,
    TeamsApiHostRefused,
    TeamsApiNotFound,
    TeamsApiPagingLoop,
    TeamsApiRateLimited,
    TeamsApiTimeout,
    TeamsApiUnavailable,
    TeamsApiValidationError,
    TokenError,
)
from apps.teamsapi.tokens import AccessToken, TokenProvider
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


def _as_is(item: object) -> object:
    return item


def _items(pages: Iterator[Page[T]]) -> Iterator[T]:
    for page in pages:
        yield from page.items


def _field_errors(error: ErrorBody) -> dict[str, list[str]]:
    """§9.1 gives validation detail as one text; attach it to a field when it starts with one."""
    text = error.details or error.title
    if not text:
        return {}
    head, sep, rest = text.partition(":")
    if sep and head.strip().isidentifier() and rest.strip():
        return {head.strip(): [rest.strip()]}
    return {"__all__": [text]}


# --- the status table: what each failing answer becomes (§9, §10) ---------------------------


@dataclass(frozen=True, slots=True)
class _Failure:
    operation: Operation
    reply: http.Reply
    error: ErrorBody
    readable: bool  # whether the body was JSON at all

    @property
    def status(self) -> int:
        return self.reply.status


_Builder = Callable[[_Failure], TeamsApiError]


def _redirected(f: _Failure) -> TeamsApiError:
    return TeamsApiError(
        f"The Teams API redirected ({f.status}) and redirects are never followed; check "
        "the Auth Tenant's API URL.",
        code="REDIRECTED",
        status=f.status,
    )


def _rate_limited(f: _Failure) -> TeamsApiError:
    return TeamsApiRateLimited(
        retry_after=http.retry_after(f.reply), code=f.error.type, status=f.status
    )


def _unavailable(f: _Failure) -> TeamsApiError:
    failed = f"The Teams API failed ({f.status})"
    exc: TeamsApiError = (
        TeamsApiUnavailable(
            f"{failed}. Try again in a few minutes.", code=f.error.type, status=f.status
        )
        if f.readable
        else TeamsApiBadResponse(
            f"{failed} and sent a page Teams Admin could not read.", status=f.status
        )
    )
    exc.retry_after = http.retry_after(f.reply)
    return exc


def _unauthorized(f: _Failure) -> TeamsApiError:
    return TokenError(
        "The Teams API did not accept a freshly minted access token; check the Auth "
        "Tenant's domain, audience and API URL.",
        reason="rejected_by_api",
        code=f.error.type or "UNAUTHORIZED",
        status=f.status,
    )


def _forbidden(f: _Failure) -> TeamsApiError:
    message = None
    if f.error.type not in ("", "INSUFFICIENT_SCOPE", "FORBIDDEN"):
        message = f"The Teams API refused this: {f.error.title or f.error.type}."
    return TeamsApiForbidden(message, scope=f.operation.scope, code=f.error.type, status=f.status)


def _not_found(f: _Failure) -> TeamsApiError:
    return TeamsApiNotFound(f.error.title or None, code=f.error.type, status=f.status)


def _conflict(f: _Failure) -> TeamsApiError:
    return TeamsApiConflict(f.error.title or None, code=f.error.type, status=f.status)


def _invalid(f: _Failure) -> TeamsApiError:
    message = f.error.title
    if f.error.details and f.error.details != f.error.title:
        message = f"{f.error.title}: {f.error.details}" if f.error.title else f.error.details
    return TeamsApiValidationError(
        message or None, field_errors=_field_errors(f.error), code=f.error.type, status=f.status
    )


def _other(f: _Failure) -> TeamsApiError:
    return TeamsApiError(
        f"The Teams API answered {f.status}: {f.error.title or 'unexpected error'}.",
        code=f.error.type,
        status=f.status,
    )


# Keyed by http.verdict() first, then by status for the refusals.
_ERRORS: dict[str | int, _Builder] = {
    "redirected": _redirected,
    "rate_limited": _rate_limited,
    "unavailable": _unavailable,
    400: _invalid,
    401: _unauthorized,
    403: _forbidden,
    404: _not_found,
    409: _conflict,
    422: _invalid,
}


def _decoded(operation: Operation, reply: http.Reply) -> Any:
    """The JSON body of a success (None when empty), or the mapped error raised."""
    verdict = http.verdict(reply.status)
    if verdict == "ok":
        if reply.status == 204 or not reply.body.strip():
            return None
        try:
            return json.loads(reply.body)
        except ValueError:
            raise TeamsApiBadResponse(status=reply.status) from None
    try:
        payload: Any = json.loads(reply.body)
    except ValueError:
        payload = None  # §9.1: a non-JSON error body must not crash the client
    error = ErrorBody.from_api(payload, http_status=reply.status)
    build = _ERRORS.get(verdict) or _ERRORS.get(reply.status, _other)
    raise build(_Failure(operation, reply, error, readable=payload is not None))


def _unanswered(failure: http.TransportFailure) -> TeamsApiError:
    if failure.kind == "timeout":
        return TeamsApiTimeout()
    if failure.kind == "blocked":
        return TeamsApiHostRefused(f"The Teams API was not contacted: {failure.message}.")
    return TeamsApiUnavailable(
        "The Teams API could not be reached. Check the Auth Tenant's API URL, "
        "or try again in a few minutes."
    )


def _retry_policy(operation: Operation) -> Callable[[TeamsApiError], bool]:
    def may_retry(error: TeamsApiError) -> bool:
        if isinstance(error, TokenError):
            return False  # the token provider has retried the token endpoint already
        if isinstance(error, TeamsApiRateLimited):
            return True  # §10: a 429 was not processed, so even a POST is safe to repeat
        # §10: never repeat a POST the server may have acted on
        return operation.idempotent and isinstance(error, TeamsApiUnavailable | TeamsApiTimeout)

    return may_retry


class CallObserver(Protocol):
    """Told how each try of an operation ended: `error` is None when the API answered with
    success, else the TeamsApiError the try raised (the Auth Tenants app derives health)."""

    def call_finished(
        self, connection: ConnectionSettings, operation: str, error: TeamsApiError | None
    ) -> None: ...


@dataclass(slots=True)
class _Call:
    """One operation on its way out: where, with which client, and how many tries so far."""

    operation: Operation
    client: ClientSettings
    url: str
    query: dict[str, Any]
    data: bytes | None = field(default=None, repr=False)
    tries: int = 0


class TenantAccess(TypedDict):
    """Which tenants, with which roles (client_ids only for editor-specific-apps, §6)."""

    tenant_ids: list[str]
    roles: list[str]
    client_ids: NotRequired[list[str] | None]


class TenantFilters(TypedDict, total=False):
    environment: str | None
    environment_tag: str | None
    locality: str | None
    sort: str
    take: int


class ActivityFilters(TypedDict, total=False):
    since: datetime | None
    until: datetime | None
    type: str | None
    status: str | None
    take: int


class TeamsClient:
    """One team's Teams API, reached with one connection's settings; one method per operation (§5).

    Every call picks the client with the fewest scopes that covers the operation, sends a
    cached bearer token, re-mints once on 401, retries idempotent calls on 408/429/5xx and
    connection failures with capped backoff, and raises the TeamsApiError family. Use it as a
    context manager so its connections are closed.
    """

    def __init__(
        self,
        connection: ConnectionSettings,
        *,
        token_provider: TokenProvider | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observer: CallObserver | None = None,
    ) -> None:
        self.connection = connection
        self.observer = observer
        self.tokens = token_provider or TokenProvider(sleep=sleep)
        self.requests_made = 0
        self.max_pages = contract.MAX_PAGES
        self._sleep = sleep
        self._session = http.hardened_session(connection.api_base_url, connection.outbound)
        self._session.headers.update(
            {"Accept": "application/json", "Auth0-Client": _auth0_client_header()}
        )
        self._throttle_until: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"<TeamsClient auth_tenant={self.connection.ref} requests_made={self.requests_made}>"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> TeamsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def client_for(self, operation: Operation) -> ClientSettings:
        """The client granted the operation's scope, preferring the fewest scopes."""
        client = fewest_scope_client(self.connection.clients, operation)
        if client is None:
            raise NoClientForScope(
                scope=operation.scope, feature=operation.feature, auth_tenant=self.connection.name
            )
        return client

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
        encoded = {k: quote(str(v), safe="") for k, v in (path_params or {}).items()}
        call = _Call(
            operation,
            self.client_for(operation),
            url=self.connection.api_base_url + operation.path.format(**encoded),
            query={k: v for k, v in (params or {}).items() if v is not None},
            data=None if body is _NO_BODY else json.dumps(body).encode(),
        )
        retried = metrics.API_RETRIES.labels(self.connection.ref, operation.name.value)
        return http.retrying(
            lambda retries: self._attempt(call, retries),
            may_retry=_retry_policy(operation),
            sleep=self._sleep,
            before_wait=lambda _wait: retried.inc(),
        )

    def _attempt(self, call: _Call, retries: int) -> Any:
        """One try; a token the API rejects is replaced once and the call sent again (§2.5)."""
        token = self._token(call)  # a failed mint is the token provider's to report
        try:
            reply = self._send(call, token)
            if reply.status == 401:
                self.tokens.invalidate(self.connection, call.client, token)
                reply = self._send(call, self._token(call))
            if reply.status == 404 and retries and call.operation.method == "DELETE":
                result = None  # an earlier attempt deleted it before its reply was lost
            else:
                result = _decoded(call.operation, reply)
        except TeamsApiError as error:
            self._observe(call, error)
            raise
        self._observe(call, None)
        return result

    def _observe(self, call: _Call, error: TeamsApiError | None) -> None:
        if self.observer is not None:
            self.observer.call_finished(self.connection, call.operation.name.value, error)

    def _token(self, call: _Call) -> AccessToken:
        token = self.tokens.token(self.connection, call.client)
        operation = call.operation
        if token.scopes and operation.scope not in token.scopes:
            raise TeamsApiForbidden(
                f"The access token of client {call.client.label!r} was not granted the scope "
                f"{operation.scope}, which is needed to {operation.feature}.",
                scope=operation.scope,
                code="INSUFFICIENT_SCOPE",
            )
        return token

    def _send(self, call: _Call, token: AccessToken) -> http.Reply:
        self._throttle(call.client)
        headers = {"Authorization": f"Bearer {token.value}"}
        if call.data is not None:
            headers["Content-Type"] = "application/json"
        call.tries += 1
        started, status = time.monotonic(), 0
        try:
            reply = http.send_once(
                self._session,
                call.operation.method,
                call.url,
                params=call.query,
                data=call.data,
                headers=headers,
            )
            status = reply.status
        except http.TransportFailure as failure:
            raise _unanswered(failure) from None
        finally:
            self.requests_made += 1
            name = call.operation.name.value
            status_class = metrics.status_class(status)
            metrics.API_CALLS.labels(self.connection.ref, name, status_class).inc()
            if status == 429:
                metrics.API_RATE_LIMITED.labels(self.connection.ref, name).inc()
            http.log_call(
                "teams api " + name,
                operation=name,
                started=started,
                auth_tenant=self.connection.ref,
                status=status,
                attempt=call.tries,
            )
        self._note_rate_limit(call.client, reply)
        return reply

    def _note_rate_limit(self, client: ClientSettings, reply: http.Reply) -> None:
        """Remember when a drained bucket refills so the next call waits instead of hitting 429."""
        if reply.status == 429:
            return  # the retry delay already waits for the bucket
        remaining = reply.headers.get(contract.RATE_LIMIT_REMAINING)
        if remaining is not None and remaining.strip() == "0":
            wait = http.seconds_until_epoch(reply.headers.get(contract.RATE_LIMIT_RESET))
            if wait:
                self._throttle_until[client.key] = time.monotonic() + wait
        else:
            self._throttle_until.pop(client.key, None)

    def _throttle(self, client: ClientSettings) -> None:
        until = self._throttle_until.pop(client.key, None)
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                self._sleep(min(wait, http.max_sleep()))

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
        return _items(self.iter_member_pages(take=take))

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
        *,
        tenant_ids: list[str],
        roles: list[str] | None = None,
        client_ids: list[str] | None = None,
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

    def add_member_tenants(self, member_id: str, **access: Unpack[TenantAccess]) -> BulkResult:
        """Grant a member roles on up to 10 tenants; per-tenant failures are in the result."""
        return self._bulk(OperationName.ADD_MEMBER_TENANTS, member_id, **access)

    def update_member_tenants(self, member_id: str, **access: Unpack[TenantAccess]) -> BulkResult:
        """Replace a member's roles on tenants they already access."""
        return self._bulk(OperationName.UPDATE_MEMBER_TENANTS, member_id, **access)

    def remove_member_tenants(self, member_id: str, *, tenant_ids: list[str]) -> BulkResult:
        """Revoke a member's access to up to 10 tenants (JSON body on DELETE, §5.1 (8))."""
        return self._bulk(OperationName.REMOVE_MEMBER_TENANTS, member_id, tenant_ids=tenant_ids)

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

    def list_tenants(self, **filters: Unpack[TenantFilters]) -> Iterator[Tenant]:
        """Every tenant matching the filters of iter_tenant_pages, newest first by default."""
        return _items(self.iter_tenant_pages(**filters))

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
        return _items(self.iter_tenant_member_pages(tenant_id, take=take))

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

    def iter_activity(self, **filters: Unpack[ActivityFilters]) -> Iterator[ActivityLogEntry]:
        """Every activity entry matching the filters of iter_activity_pages, newest first."""
        return _items(self.iter_activity_pages(**filters))
