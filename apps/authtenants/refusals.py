"""The Teams API's refusals in words a person can act on: what every write service shares.

Each service first words the refusals that mean something particular to it (a duplicate tenant
name, a member who left), then hands the rest here, so rate limits, missing scopes and the API's
field errors read the same on every form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from apps.authtenants.scopes import scope_gate_message
from apps.core.errors import ServiceError
from apps.teamsapi.errors import (
    NoClientForScope,
    TeamsApiError,
    TeamsApiForbidden,
    TeamsApiRateLimited,
    TeamsApiValidationError,
)


def rate_limit_message(error: TeamsApiRateLimited) -> str:
    """How long to wait, in whole seconds (at least one)."""
    seconds = max(1, math.ceil(error.retry_after or 1))
    return f"Auth0 is rate-limiting; try again in {seconds} s."


def plain_refusal(error: TeamsApiError, *, fields: Mapping[str, str] | None = None) -> ServiceError:
    """A refusal as a ServiceError; the API's field errors move onto the form fields that
    `fields` maps them to (API field -> form field), the others stay in the message."""
    if isinstance(error, TeamsApiRateLimited):
        return ServiceError(rate_limit_message(error))
    if isinstance(error, NoClientForScope | TeamsApiForbidden) and error.scope:
        return ServiceError(scope_gate_message(error.scope))
    if isinstance(error, TeamsApiValidationError) and fields is not None:
        moved = {fields[k]: v for k, v in error.field_errors.items() if k in fields}
        return ServiceError(error.message, field_errors=moved)
    return ServiceError(error.message)
