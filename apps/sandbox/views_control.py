"""JSON control endpoints under /sandbox/__sandbox/ mirroring control.py (sandbox only).

They reset, seed and fault the simulator, so only a signed-in dashboard owner (with the CSRF
token, like every other POST) or a caller holding TEAMSADMIN_SANDBOX_CONTROL_TOKEN (tests,
benchmarks, scripts) may use them.
"""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from apps.core.capabilities import Role, role_of
from apps.sandbox import control
from apps.sandbox.errors import json_response
from apps.sandbox.models import SandboxRequest

View = Callable[..., HttpResponse]


class RequestLogFilterForm(forms.Form):
    """The request log's filters (CharField refuses NUL characters)."""

    path_contains = forms.CharField(required=False, max_length=1024, strip=False)
    client_id = forms.CharField(required=False, max_length=64, strip=False)
    method = forms.CharField(required=False, max_length=10)


# Seeding over HTTP stays small enough to answer promptly; `manage.py sandbox_seed` seeds more.
SEED_LIMITS = {"tenants": 100, "members": 1000, "activity": 10_000}
ADD_ACTIVITY_LIMIT = 10_000


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("numbers must be finite")
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _check_json(value: Any, where: str = "body") -> None:
    """Refuse what no column can hold: NUL or lone surrogates in text, integers out of range."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):
            raise ValueError(f"{where} holds a NUL or an unpaired surrogate character")
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > control.INT_LIMIT:
            raise ValueError(f"{where} is out of range (at most {control.INT_LIMIT} either way)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, where)
            _check_json(item, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            _check_json(item, where)


class Body:
    """A control call's JSON object body, read field by field; bad input raises ValueError (400)."""

    def __init__(self, request: HttpRequest, *, allowed: Iterable[str] | None = None) -> None:
        data = _parse(request.body)
        if not isinstance(data, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(data) - set(allowed) if allowed is not None else set()
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
        _check_json(data)
        self.data: dict[str, Any] = data

    def text(self, name: str, default: str | None = None, *, max_length: int = 255) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise ValueError(f"{name} is required")
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        if len(value) > max_length:
            raise ValueError(f"{name} must be at most {max_length} characters")
        return value

    def number(
        self, name: str, default: int, *, minimum: int = 0, maximum: int = control.INT_LIMIT
    ) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number")
        if not minimum <= value <= maximum:
            raise ValueError(f"{name} must be between {minimum} and {maximum}")
        return value

    def moment(self, name: str) -> datetime | None:
        """An ISO 8601 date-time (UTC when it names no offset), or None when absent."""
        raw = self.data.get(name)
        if raw is None or raw == "":
            return None
        moment = datetime.fromisoformat(self.text(name))
        try:
            return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
        except OverflowError as exc:
            raise ValueError(f"{name} is out of range") from exc


def _parse(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw, parse_float=_finite, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ValueError("body is nested too deeply") from exc


TOKEN_HEADER = "X-Sandbox-Control-Token"  # noqa: S105 - a header name, not a secret


def _presented_token(request: HttpRequest) -> str:
    """The control token the caller sent, from Authorization: Bearer or TOKEN_HEADER ("" if none)."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get(TOKEN_HEADER, "").strip()


def holds_control_token(request: HttpRequest) -> bool:
    """True when the request carries the configured control token (never when none is set)."""
    expected = settings.TEAMSADMIN_SANDBOX_CONTROL_TOKEN
    presented = _presented_token(request)
    if not expected or not presented:
        return False
    # Constant time, so response timing does not reveal how much of a guess was right.
    return hmac.compare_digest(presented.encode(), expected.encode())


def _refused(status: int, message: str) -> HttpResponse:
    response = json_response({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="sandbox controls"'
    return response


def control_view(methods: list[str]) -> Callable[[View], View]:
    """Restrict methods, admit owners (CSRF-checked) or control-token callers, and turn bad
    input into a JSON 400."""

    def decorate(view: View) -> View:
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except (ValueError, TypeError, control.ControlError) as exc:
                return json_response({"error": str(exc)}, status=400)

        # Only a signed-in owner reaches this, and the CSRF check is what a session cookie
        # alone cannot pass.
        run_as_owner = csrf_protect(run)

        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if holds_control_token(request):
                return run(request, *args, **kwargs)
            if _presented_token(request):
                return _refused(403, "The sandbox control token is not the configured one.")
            if not request.user.is_authenticated:
                return _refused(
                    401,
                    "Sign in as a dashboard owner, or send the sandbox control token "
                    f"(Authorization: Bearer … or {TOKEN_HEADER}).",
                )
            if role_of(request.user) is not Role.OWNER:
                return _refused(403, "Only dashboard owners may use the sandbox controls.")
            return run_as_owner(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        # The CSRF middleware would also refuse token callers (they send no cookie); the owner
        # path above applies the same check itself.
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
    body = Body(request, allowed={"team_slug", "auth_domain", *SEED_LIMITS, "seed"})
    counts = control.seed(
        team_slug=body.text("team_slug", "acme"),
        auth_domain=body.text("auth_domain", "acme.us.auth0.com"),
        tenants=body.number("tenants", 12, maximum=SEED_LIMITS["tenants"]),
        members=body.number("members", 120, maximum=SEED_LIMITS["members"]),
        activity=body.number("activity", 5000, maximum=SEED_LIMITS["activity"]),
        seed=body.number("seed", 1, minimum=-control.INT_LIMIT),
    )
    return json_response(
        {"tenants": counts.tenants, "members": counts.members, "activity": counts.activity}
    )


@control_view(["GET", "PUT", "DELETE"])
def faults(request: HttpRequest) -> HttpResponse:
    if request.method == "PUT":
        return json_response(control.set_faults(**Body(request).data))
    if request.method == "DELETE":
        return json_response(control.clear_faults())
    return json_response(control.get_faults())


@control_view(["POST"])
def accept_invitation(request: HttpRequest, team_slug: str) -> HttpResponse:
    email = Body(request, allowed={"email"}).text("email", max_length=254)
    member = control.accept_invitation(team_slug=team_slug, email=email)
    return json_response({"id": member.member_id, "email": member.email, "role": member.role})


@control_view(["GET", "DELETE"])
def requests_log(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        control.clear_requests_log()
        return json_response({"cleared": True})
    form = RequestLogFilterForm(request.GET)
    if not form.is_valid():
        return json_response({"error": form.errors.get_json_data()}, status=400)
    rows = control.requests_log(
        **{name: value for name, value in form.cleaned_data.items() if value}
    )
    return json_response({"requests": [_request_json(row) for row in rows]})


@control_view(["POST"])
def clients(request: HttpRequest) -> HttpResponse:
    body = Body(
        request,
        allowed={"auth_domain", "client_id", "client_secret", "scopes", "name", "token_lifetime"},
    )
    client_id = body.text("client_id", max_length=64)
    lifetime = body.data.get("token_lifetime")
    client = control.ensure_client(
        auth_domain=body.text("auth_domain"),
        client_id=client_id,
        client_secret=body.text("client_secret", max_length=10_000),
        scopes=body.text("scopes", "", max_length=10_000),
        name=body.text("name", client_id, max_length=200),
        token_lifetime=None if lifetime is None else body.number("token_lifetime", 0, minimum=1),
    )
    return json_response(
        {"client_id": client.client_id, "name": client.name, "scopes": client.scopes}, status=201
    )


@control_view(["POST"])
def add_activity(request: HttpRequest, team_slug: str) -> HttpResponse:
    body = Body(request, allowed={"count", "created_at"})
    count = control.add_activity(
        team_slug=team_slug,
        count=body.number("count", 1, maximum=ADD_ACTIVITY_LIMIT),
        created_at=body.moment("created_at"),
    )
    return json_response({"added": count}, status=201)
