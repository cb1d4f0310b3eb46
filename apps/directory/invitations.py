"""Reads of the invitations sent from Teams Admin.

A pending invitation older than TEAMSADMIN_INVITATION_EXPIRY_DAYS reads as expired here before
the periodic task stores that state, so every page agrees with the clock, not with the task.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from apps.directory.models import DirectoryMember, Invitation

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

# The state the pages show and filter on (the stored one, or expired when past the limit).
SHOWN_STATE = "shown_state"


class Age(StrEnum):
    DAY = "day"
    WEEK = "week"
    OLDER = "older"


AGE_LABELS = {Age.DAY: "Under a day", Age.WEEK: "1–7 days", Age.OLDER: "Older than 7 days"}


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Invitations sent before this moment are past the expiry limit."""
    return (now or timezone.now()) - timedelta(days=settings.TEAMSADMIN_INVITATION_EXPIRY_DAYS)


def shown_state(now: datetime | None = None) -> Case:
    """The stored state, except a pending invitation past the limit reads as expired."""
    return Case(
        When(
            state=Invitation.State.PENDING,
            invited_at__lt=expiry_cutoff(now),
            then=Value(Invitation.State.EXPIRED.value),
        ),
        default=F("state"),
        output_field=CharField(),
    )


def _age_filter(age: str, now: datetime) -> Q:
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    if age == Age.DAY:
        return Q(invited_at__gte=day)
    if age == Age.WEEK:
        return Q(invited_at__lt=day, invited_at__gte=week)
    if age == Age.OLDER:
        return Q(invited_at__lt=week)
    return Q()


def _ledger(auth_tenant: AuthTenant, now: datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(auth_tenant=auth_tenant).annotate(
        **{SHOWN_STATE: shown_state(now)}
    )


def invitation_list(
    auth_tenant: AuthTenant,
    state: Invitation.State | str | None = None,
    *,
    sender: str = "",
    age: str = "",
) -> QuerySet[Invitation]:
    """The Auth Tenant's invitations, newest first, each with its shown state; filtered by the
    shown state, the sender's username and the age bucket when given."""
    now = timezone.now()
    invitations = _ledger(auth_tenant, now).filter(_age_filter(age, now))
    if state:
        invitations = invitations.filter(**{SHOWN_STATE: state})
    if sender:
        invitations = invitations.filter(invited_by_username=sender)
    return invitations.order_by("-invited_at", "-pk")


def state_counts(auth_tenant: AuthTenant) -> dict[str, int]:
    """How many invitations are in each shown state (every state listed, zeros too); one query."""
    grouped = (
        _ledger(auth_tenant, timezone.now())
        .order_by()
        .values(SHOWN_STATE)
        .annotate(n=Count("pk"))
        .values_list(SHOWN_STATE, "n")
    )
    counts = dict.fromkeys(Invitation.State.values, 0)
    counts.update(dict(grouped))
    return counts


def senders(auth_tenant: AuthTenant) -> list[str]:
    """Usernames that sent invitations here, alphabetically."""
    names = Invitation.objects.filter(auth_tenant=auth_tenant).exclude(invited_by_username="")
    return list(
        names.order_by("invited_by_username")
        .values_list("invited_by_username", flat=True)
        .distinct()
    )


def invitations_for_email(auth_tenant: AuthTenant, email: str) -> QuerySet[Invitation]:
    """Every invitation sent to this address (each resend too), newest first."""
    return (
        _ledger(auth_tenant, timezone.now())
        .annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .order_by("-invited_at", "-pk")
    )


def joined_after_withdrawal() -> Exists:
    """For a member query: whether the member's email joined on an invitation withdrawn here."""
    withdrawn = Invitation.objects.annotate(email_lower=Lower("email")).filter(
        auth_tenant=OuterRef("auth_tenant"),
        email_lower=Lower(OuterRef("email")),
        state=Invitation.State.WITHDRAWN,
        accepted_at__isnull=False,
    )
    return Exists(withdrawn)


def members_joined_after_withdrawal(auth_tenant: AuthTenant) -> QuerySet[DirectoryMember]:
    """Current members who joined although their invitation was withdrawn, by email."""
    return (
        DirectoryMember.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
        .exclude(email="")
        .filter(joined_after_withdrawal())
        .order_by("email", "member_id")
    )


def invitation_get(auth_tenant: AuthTenant, pk: int) -> Invitation | None:
    """One invitation of the Auth Tenant with its shown state, or None."""
    return _ledger(auth_tenant, timezone.now()).filter(pk=pk).select_related("auth_tenant").first()
