"""JSON control endpoints under /sandbox/__sandbox/ mirroring control.py (sandbox only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.sandbox import control
from apps.sandbox.errors import json_response
from apps.sandbox.models import SandboxRequest

View = Callable[..., HttpResponse]


def _body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    data = json.loads(request.body)
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def control_view(methods: list[str]) -> Callable[[View], View]:
    """Exempt from login and CSRF, restrict methods, and turn bad input into a JSON 400."""

    def decorate(view: View) -> View:
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except (ValueError, TypeError, control.ControlError) as exc:
                return json_response({"error": str(exc)}, status=400)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return csrf_exempt(login_not_required(require_http_methods(methods)(wrapped)))

    return decorate


def _request_json(row: SandboxRequest) -> dict[str, Any]:
    return {
        "method": row.method,
        "path": row.path,
        "client_id": row.client_id,
        "status": row.status,
        "created": row.created.isoformat(),
    }


@control_view(["POST"])
def reset(request: HttpRequest) -> HttpResponse:
    control.reset()
    return json_response({"reset": True})


@control_view(["POST"])
def seed(request: HttpRequest) -> HttpResponse:
    data = _body(request)
    allowed = {"team_slug", "auth_domain", "tenants", "members", "activity", "seed"}
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    counts = control.seed(
        team_slug=str(data.get("team_slug", "acme")),
        auth_domain=str(data.get("auth_domain", "acme.us.auth0.com")),
        tenants=int(data.get("tenants", 12)),
        members=int(data.get("members", 120)),
        activity=int(data.get("activity", 5000)),
        seed=int(data.get("seed", 1)),
    )
    return json_response(
        {"tenants": counts.tenants, "members": counts.members, "activity": counts.activity}
    )


@control_view(["GET", "PUT", "DELETE"])
def faults(request: HttpRequest) -> HttpResponse:
    if request.method == "PUT":
        return json_response(control.set_faults(**_body(request)))
    if request.method == "DELETE":
        return json_response(control.clear_faults())
    return json_response(control.get_faults())


@control_view(["POST"])
def accept_invitation(request: HttpRequest, team_slug: str) -> HttpResponse:
    email = _body(request).get("email")
    if not isinstance(email, str):
        raise ValueError("email is required")
    member = control.accept_invitation(team_slug=team_slug, email=email)
    return json_response({"id": member.member_id, "email": member.email, "role": member.role})


@control_view(["GET", "DELETE"])
def requests_log(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        control.clear_requests_log()
        return json_response({"cleared": True})
    rows = control.requests_log(
        path_contains=request.GET.get("path_contains"),
        client_id=request.GET.get("client_id"),
        method=request.GET.get("method"),
    )
    return json_response({"requests": [_request_json(row) for row in rows]})


@control_view(["POST"])
def clients(request: HttpRequest) -> HttpResponse:
    data = _body(request)
    client = control.ensure_client(
        auth_domain=str(data["auth_domain"]),
        client_id=str(data["client_id"]),
        client_secret=str(data["client_secret"]),
        scopes=data.get("scopes", ""),
        name=str(data.get("name", data["client_id"])),
        token_lifetime=int(data["token_lifetime"]) if data.get("token_lifetime") else None,
    )
    return json_response(
        {"client_id": client.client_id, "name": client.name, "scopes": client.scopes}, status=201
    )


@control_view(["POST"])
def add_activity(request: HttpRequest, team_slug: str) -> HttpResponse:
    data = _body(request)
    created_at = datetime.fromisoformat(data["created_at"]) if data.get("created_at") else None
    count = control.add_activity(
        team_slug=team_slug, count=int(data.get("count", 1)), created_at=created_at
    )
    return json_response({"added": count}, status=201)
