"""The Teams API request pipeline: log, faults, rate limit, bearer token, scope, then the handler."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from apps.sandbox import contract, faults, inflight, ratelimit
from apps.sandbox.auth import Caller, authenticate, rate_limit_on, unverified_client_id
from apps.sandbox.errors import ApiError, error_response, every_value, holds_nul, validation_error
from apps.sandbox.members import accept_invitation_row
from apps.sandbox.models import (
    SandboxActivity,
    SandboxFaults,
    SandboxInvitation,
    SandboxRequest,
    SandboxTeam,
)

logger = logging.getLogger(__name__)


@dataclass
class Ctx:
    """What a handler gets: the team, the caller and the request."""

    request: HttpRequest
    team: SandboxTeam
    caller: Caller
    faults: SandboxFaults
    failure_details: dict[str, Any]

    def actor(self) -> dict[str, Any]:
        return {
            "id": self.caller.client_id,
            "type": "machine",
            "name": self.caller.name,
            "isMember": False,
        }

    def record(
        self, event: tuple[str, str], details: dict[str, Any], *, status: str = "Success"
    ) -> None:
        """Append an activity entry for a write made by this caller (§6)."""
        record_activity(
            self.team, event, details, actor=self.actor(), status=status, request=self.request
        )


def now_ms() -> Any:
    value = timezone.now()
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def record_activity(
    team: SandboxTeam,
    event: tuple[str, str],
    details: dict[str, Any],
    *,
    actor: dict[str, Any],
    status: str,
    request: HttpRequest | None = None,
) -> SandboxActivity:
    type_, current_event = event
    return SandboxActivity.objects.create(
        id=str(uuid.uuid4()),
        team=team,
        created_at=now_ms(),
        type=type_,
        status=status,
        current_event=current_event,
        actor=actor,
        details=details,
        ip=(request.META.get("REMOTE_ADDR", "") if request else "")[:64],
        hostname=f"{team.slug}.teams.auth0.com",
        user_agent=(request.headers.get("User-Agent", "") if request else "")[:255],
        version=contract.ACTIVITY_VERSION,
    )


Handler = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Operation:
    """One endpoint method: the scope it needs and, for writes, the activity event it logs."""

    handler: Handler
    scope: str
    event: tuple[str, str] | None = None


def log_request(request: HttpRequest, client_id: str, status: int) -> None:
    SandboxRequest.objects.create(
        method=request.method or "",
        path=request.get_full_path()[:1024],
        client_id=client_id[:64],
        status=status,
    )


def auto_accept() -> None:
    """Accept invitations older than TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS (0 = never)."""
    seconds = settings.TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS
    if seconds <= 0:
        return
    cutoff = timezone.now() - timedelta(seconds=seconds)
    for invitation in SandboxInvitation.objects.filter(created_at__lte=cutoff).select_related(
        "team"
    ):
        accept_invitation_row(invitation)


def _malformed(kind: str, response: HttpResponse) -> HttpResponse:
    if kind == "html":
        body = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return HttpResponse(body, status=502, content_type="text/html")
    content = response.content or b'{"status":200}'
    return HttpResponse(
        content[: max(1, len(content) // 2)], status=200, content_type="application/json"
    )


def _run(
    request: HttpRequest, team_slug: str, operations: dict[str, Operation], kwargs: dict[str, Any]
) -> HttpResponse:
    """Faults and rate limit first, then the call itself; every answer carries the limit headers."""
    state = faults.current()
    if state.latency_ms:
        time.sleep(state.latency_ms / 1000)
    client_key = request.sandbox_client_id  # type: ignore[attr-defined]
    size = state.rate_limit_bucket or contract.API_RATE_LIMIT[0]
    window = state.rate_limit_window or contract.API_RATE_LIMIT[1]
    verdict = ratelimit.hit(
        "api", client_key, size=size, window=window, enforce=rate_limit_on(state.rate_limit)
    )
    if state.rate_limit_burst and faults.take_burst():
        verdict = ratelimit.Verdict(
            False, verdict.limit, 0, verdict.reset, max(1, verdict.retry_after)
        )
    if not verdict.allowed:
        return verdict.apply(error_response(ApiError(429, "TOO_MANY_REQUESTS")))
    injected = faults.injected_status(state)
    if injected is not None:
        error = ApiError(injected, "UNKNOWN_ERROR", contract.FAULT_TITLES[injected])
        return verdict.apply(error_response(error))
    response = verdict.apply(_call(request, team_slug, operations, kwargs, state))
    if state.malformed:
        response = verdict.apply(_malformed(state.malformed, response))
    return response


def _call(
    request: HttpRequest,
    team_slug: str,
    operations: dict[str, Operation],
    kwargs: dict[str, Any],
    state: SandboxFaults,
) -> HttpResponse:
    if holds_nul(team_slug, *kwargs.values(), *every_value(request.GET)):
        return error_response(validation_error("A path or query parameter holds a NUL character."))
    team = SandboxTeam.objects.select_related("auth_tenant").filter(slug=team_slug).first()
    if team is None:
        return error_response(ApiError(404, "NOT_FOUND", details=f"No team {team_slug}"))
    operation = operations.get(request.method or "")
    try:
        caller = authenticate(request, team)
    except ApiError as error:
        return error_response(error)
    if operation is None:
        response = error_response(ApiError(405, "METHOD_NOT_ALLOWED"))
        response["Allow"] = ", ".join(operations)
        return response
    ctx = Ctx(request=request, team=team, caller=caller, faults=state, failure_details=dict(kwargs))
    try:
        if operation.scope not in caller.scopes:
            raise ApiError(
                403, "INSUFFICIENT_SCOPE", details=f"Missing required scope: {operation.scope}"
            )
        if request.method == "GET":
            # Reads write nothing to roll back, and each statement sees committed data anyway.
            return operation.handler(ctx, **kwargs)
        with transaction.atomic():
            return operation.handler(ctx, **kwargs)
    except ApiError as error:
        if operation.event is not None and 400 <= error.status < 500:
            ctx.record(
                operation.event, {**ctx.failure_details, "error": error.type}, status="Failure"
            )
        return error_response(error)


def teams_api(operations: dict[str, Operation]) -> Callable[..., HttpResponse]:
    """Build the view serving one Teams API path, one Operation per HTTP method."""

    @csrf_exempt
    @login_not_required
    def view(request: HttpRequest, team_slug: str, **kwargs: Any) -> HttpResponse:
        with inflight.tracked():
            request.sandbox_client_id = unverified_client_id(request)  # type: ignore[attr-defined]
            auto_accept()
            try:
                response = _run(request, team_slug, operations, kwargs)
            except Exception:
                # A simulator bug must still answer like the real API does: a JSON 500.
                logger.exception("sandbox handler failed")
                response = error_response(ApiError(500, "UNKNOWN_ERROR"))
            log_request(request, request.sandbox_client_id, response.status_code)  # type: ignore[attr-defined]
            return response

    view.__name__ = next(iter(operations.values())).handler.__name__
    return view
