"""The TeamsApiError family: every failure of a Teams API or token call, worded for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TeamsApiError(Exception):
    """Base of every Teams API failure; `message` is safe to show and log (no tokens, no secrets)."""

    default_message = "The Teams API call failed."
    retry_after: float | None = None  # seconds the server asked us to wait, when it did

    def __init__(
        self, message: str | None = None, *, code: str = "", status: int | None = None
    ) -> None:
        self.message = message or self.default_message
        self.code = code
        self.status = status
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, code={self.code!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling (worker pools pickle errors).
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[TeamsApiError], state: dict[str, Any]) -> TeamsApiError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class TeamsApiUnavailable(TeamsApiError):
    """The API could not be reached or answered with a server error (5xx)."""

    default_message = "The Teams API is unavailable right now. Try again in a few minutes."


class TeamsApiBadResponse(TeamsApiUnavailable):
    """The API answered with a body we cannot read (HTML, truncated JSON)."""

    default_message = "The Teams API sent a response Teams Admin could not read."


class TeamsApiPagingLoop(TeamsApiError):
    """A listing that never ends: a cursor sent before, or more pages than allowed.

    Not retryable (unlike a malformed body): the same listing would loop again.
    """

    default_message = "The Teams API kept sending more pages; paging stopped."


class TeamsApiTimeout(TeamsApiError):
    """The API did not answer within the configured timeout."""

    default_message = "The Teams API did not answer in time. Try again in a few minutes."


class TeamsApiRateLimited(TeamsApiError):
    """The API (or its token endpoint) asked us to slow down; `retry_after` is in seconds."""

    default_message = "The Teams API rate limit was reached."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        code: str = "",
        status: int | None = None,
    ) -> None:
        self.retry_after = retry_after
        if message is None:
            message = self.default_message
            if retry_after is not None:
                message += f" Try again in {max(1, round(retry_after))} seconds."
        super().__init__(message, code=code, status=status)


class TeamsApiNotFound(TeamsApiError):
    """The member, tenant or environment does not exist (404)."""

    default_message = "The Teams API could not find that item; it may have been removed already."


class TeamsApiForbidden(TeamsApiError):
    """The API refused the call (403), usually because the token lacks `scope`."""

    def __init__(
        self,
        message: str | None = None,
        *,
        scope: str | None = None,
        code: str = "",
        status: int | None = None,
    ) -> None:
        self.scope = scope
        if message is None:
            message = (
                f"The Teams API refused this: the Auth Tenant's credentials lack the scope {scope}."
                if scope
                else "The Teams API refused this call."
            )
        super().__init__(message, code=code, status=status)


class TeamsApiConflict(TeamsApiError):
    """The change conflicts with existing data, e.g. a tenant name already taken (409)."""

    default_message = "That conflicts with something that already exists."


class TeamsApiValidationError(TeamsApiError):
    """The API rejected the input (400/422); `field_errors` maps request fields to messages."""

    default_message = "The Teams API rejected the request as invalid."

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: Mapping[str, list[str]] | None = None,
        code: str = "",
        status: int | None = None,
    ) -> None:
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})
        super().__init__(message, code=code, status=status)


class TokenError(TeamsApiError):
    """No access token could be obtained: credentials or Auth Tenant configuration are wrong.

    `reason` is our short code (e.g. "wrong_secret"), `code`/`description` the endpoint's own
    `error`/`error_description` (§2.3, secret-scrubbed); `message` says it in plain words.
    """

    default_message = "Teams Admin could not get an access token."

    def __init__(
        self,
        message: str | None = None,
        *,
        reason: str = "",
        description: str = "",
        code: str = "",
        status: int | None = None,
    ) -> None:
        self.reason = reason
        self.description = description
        super().__init__(message, code=code, status=status)


class TokenEndpointUnavailable(TokenError, TeamsApiUnavailable):
    """The token endpoint was unreachable, rate limited or failing (5xx): worth retrying later."""

    default_message = "The Auth Tenant's token endpoint is unavailable right now."


class TeamsApiHostRefused(TeamsApiError):
    """The API host resolves to an address Teams Admin must not contact; a person must decide."""


class NoClientForScope(TeamsApiError):
    """No enabled client of the Auth Tenant was granted the scope an operation needs."""

    def __init__(self, *, scope: str, feature: str, auth_tenant: str = "") -> None:
        self.scope = scope
        self.feature = feature
        where = f" of Auth Tenant {auth_tenant}" if auth_tenant else ""
        super().__init__(
            f"To {feature}, an enabled client{where} needs the scope {scope}; none has it.",
            code="NO_CLIENT_FOR_SCOPE",
        )


# Failures a background job may retry later with backoff; everything else needs a person.
RETRYABLE: tuple[type[TeamsApiError], ...] = (
    TeamsApiUnavailable,
    TeamsApiTimeout,
    TeamsApiRateLimited,
)
