"""Dashboard actions recorded from signals: exports when their download ends, sign-ins,
sign-outs, failed sign-ins and lockouts as they happen."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from apps.audit.models import AuditAction, AuditOutcome
from apps.audit.services import audit_record
from apps.core.clientip import client_ip
from apps.core.exports import ExportFormat

# What was exported (the export_ended sender) -> the action recorded.
EXPORT_ACTIONS = {
    "activity": AuditAction.EXPORT_ACTIVITY,
    "audit": AuditAction.EXPORT_AUDIT,
    "reviews": AuditAction.EXPORT_REVIEW,
}


def export_ended(
    sender: str,
    *,
    actor: Any,
    auth_tenant: Any,
    export_format: ExportFormat,
    filters: dict[str, Any],
    rows: int,
    complete: bool,
    request: Any,
    **kwargs: Any,
) -> None:
    """Record who exported which filter, in which format, and how many rows left the server."""
    noun = "row" if rows == 1 else "rows"
    audit_record(
        actor=actor,
        auth_tenant=auth_tenant,
        action=EXPORT_ACTIONS[sender],
        target_type="export",
        target_label=f"{rows:,} {noun} as {export_format.label}",
        parameters={"format": export_format.value, "filters": filters, "rows": rows},
        outcome=AuditOutcome.SUCCESS if complete else AuditOutcome.PARTIAL,
        message="" if complete else f"The download stopped after {rows:,} {noun}.",
        request=request,
    )


# Sign-ins, sign-outs and failures come from Django's auth signals, so any backend that calls
# login() (passwords today, single sign-on later) is recorded the same way. They belong to no
# Auth Tenant (chain 0) and name the user as the target, so a search for a username finds all.
USERNAME_MAX = 150


def _sign_in_parameters(request: HttpRequest | None) -> dict[str, str]:
    return {"ip_address": client_ip(request)} if request is not None else {}


def _record_sign_in(
    action: AuditAction, *, request: HttpRequest | None, user: Any, **fields: Any
) -> None:
    audit_record(
        actor=user,
        auth_tenant=None,
        action=action,
        target_type="user",
        target_label=user.get_username(),
        parameters=_sign_in_parameters(request),
        request=request,
        **fields,
    )


def signed_in(sender: Any, *, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Record a sign-in by any backend."""
    _record_sign_in(AuditAction.SIGN_IN, request=request, user=user)


def signed_out(sender: Any, *, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Record a sign-out; `request.signout_message` says why when it was not the user's click."""
    if user is None:  # signing out with no session: nothing happened
        return
    message = str(getattr(request, "signout_message", ""))
    _record_sign_in(AuditAction.SIGN_OUT, request=request, user=user, message=message)


def sign_in_failed(
    sender: Any, *, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Record a failed sign-in with the username tried (cut short) and the address; Django has
    already replaced the password in `credentials`, and it is never read here."""
    username = str(credentials.get("username") or "")[:USERNAME_MAX]
    # Axes flags a try it refused because of a lock; a try it counted carries the count.
    refused = bool(getattr(request, "axes_locked_out", False)) and _uncounted(request)
    audit_record(
        actor=None,
        auth_tenant=None,
        action=AuditAction.SIGN_IN_FAILED,
        target_type="user",
        target_label=username,
        parameters=_sign_in_parameters(request),
        outcome=AuditOutcome.FAILURE,
        message=(
            "Refused without checking the password: sign-in is locked for this username or address."
            if refused
            else "Wrong username or password."
        ),
        request=request,
    )


def _uncounted(request: HttpRequest | None) -> bool:
    """True when axes refused this try without counting it (the lock was already on)."""
    return getattr(request, "axes_failures_since_start", None) is None


def locked_out(
    sender: Any,
    *,
    request: HttpRequest | None,
    username: str | None,
    ip_address: str | None,
    **kwargs: Any,
) -> None:
    """Record the moment a username or an address gets locked (not each refused try after it)."""
    if _uncounted(request):
        return  # a try refused while already locked: recorded as a failed sign-in
    limit, minutes = settings.AXES_FAILURE_LIMIT, settings.TEAMSADMIN_LOGIN_COOLOFF_MINUTES
    audit_record(
        actor=None,
        auth_tenant=None,
        action=AuditAction.LOCKED_OUT,
        target_type="user",
        target_label=str(username or "")[:USERNAME_MAX],
        parameters={"ip_address": ip_address or "", "failure_limit": limit},
        outcome=AuditOutcome.FAILURE,
        message=(
            f"{limit} failed sign-ins for this username or from this address: sign-in is "
            f"refused for {minutes} minutes, or until an operator runs axes_reset_username "
            "or axes_reset_ip."
        ),
        request=request,
    )
