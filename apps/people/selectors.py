"""People reads: one person found by email in every configured team's mirror, and what
offboarding them would do in each team."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from apps.authtenants.models import AuthTenant
from apps.authtenants.scopes import action_gates
from apps.directory.models import (
    DirectoryAccess,
    DirectoryMember,
    DirectorySnapshot,
    Invitation,
)
from apps.members import services as members
from apps.people.models import OffboardJob, OffboardStep
from apps.teamsapi.contract import OperationName

CANDIDATES_MAX = 20
RECENT_JOBS = 10


@dataclass
class PersonTeam:
    """The person as one team's mirror knows them, with how fresh that mirror is."""

    auth_tenant: AuthTenant
    as_of: datetime | None
    member: DirectoryMember | None = None
    accesses: list[DirectoryAccess] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.member is not None or bool(self.invitations)


@dataclass(frozen=True)
class PersonSearch:
    """Every enabled team with what it holds for `email`; `candidates` when nothing matched exactly."""

    email: str
    teams: list[PersonTeam]
    candidates: list[str]

    @property
    def found_in(self) -> list[PersonTeam]:
        return [team for team in self.teams if team.found]


def _teams() -> QuerySet[AuthTenant]:
    """Enabled Auth Tenants by name, each with its latest directory snapshot's time (one query)."""
    snapshots = DirectorySnapshot.objects.filter(auth_tenant=OuterRef("pk"))
    newest = Subquery(snapshots.order_by("-taken_at", "-pk").values("taken_at")[:1])
    return AuthTenant.objects.filter(enabled=True).annotate(as_of=newest).order_by("name")


def _candidates(text: str) -> list[str]:
    """Current members' and pending invitees' emails containing `text`, alphabetically."""
    members = DirectoryMember.objects.filter(
        removed_at__isnull=True, auth_tenant__enabled=True, email__icontains=text
    ).values_list("email", flat=True)
    invited = Invitation.objects.filter(
        state=Invitation.State.PENDING, auth_tenant__enabled=True, email__icontains=text
    ).values_list("email", flat=True)
    emails = {e.lower() for e in members.distinct()[:CANDIDATES_MAX]}
    emails |= {e.lower() for e in invited.distinct()[:CANDIDATES_MAX]}
    return sorted(emails)[:CANDIDATES_MAX]


def person_search(*, email: str) -> PersonSearch:
    """The person with exactly this email (any case) in every enabled team's mirror.

    A fixed number of queries however many teams are configured: the teams with their
    freshness, the members with their current access, the pending invitations, and the
    candidates when nothing matched exactly.
    """
    email = email.strip()
    teams = {
        team.pk: PersonTeam(auth_tenant=team, as_of=getattr(team, "as_of", None))
        for team in _teams()
    }
    current = DirectoryAccess.objects.filter(removed_at__isnull=True).select_related("tenant")
    found = DirectoryMember.objects.filter(
        auth_tenant_id__in=teams, removed_at__isnull=True, email__iexact=email
    ).prefetch_related(
        Prefetch("accesses", queryset=current.order_by("tenant__tenant_name"), to_attr="current")
    )
    for member in found:
        teams[member.auth_tenant_id].member = member
        teams[member.auth_tenant_id].accesses = member.current
    pending = Invitation.objects.filter(
        auth_tenant_id__in=teams, state=Invitation.State.PENDING, email__iexact=email
    ).order_by("-invited_at", "-pk")
    for invitation in pending:
        teams[invitation.auth_tenant_id].invitations.append(invitation)
    result = PersonSearch(email=email, teams=list(teams.values()), candidates=[])
    if email and not result.found_in:
        return PersonSearch(email=email, teams=result.teams, candidates=_candidates(email))
    return result


@dataclass(frozen=True)
class TeamPlan:
    """What offboarding does in one team: remove the membership, or say why it will not."""

    team: PersonTeam
    skipped_scope: str = ""  # the scope no client of the team holds
    skip_reason: str = ""
    refused: str = ""  # the last-owner message

    @property
    def removes(self) -> bool:
        return self.team.member is not None and not self.skip_reason and not self.refused


@dataclass(frozen=True)
class OffboardPlan:
    """Everything one offboarding will do, team by team."""

    email: str
    teams: list[TeamPlan]

    @property
    def has_work(self) -> bool:
        return any(plan.removes or plan.team.invitations for plan in self.teams)


def missing_scope(auth_tenant: AuthTenant, operation: OperationName) -> str:
    """The scope no enabled client of the Auth Tenant holds for `operation`, or ""."""
    gate = action_gates(auth_tenant)[operation]
    return gate.scope if gate is not None else ""


def skip_message(auth_tenant: AuthTenant, scope: str) -> str:
    return (
        f"Skipped: no client of {auth_tenant.name} holds the `{scope}` scope, "
        "so Teams Admin cannot remove members there. Grant it, then offboard again."
    )


def offboard_plan(*, email: str) -> OffboardPlan:
    """Per team where the person is a member or invited: what offboarding would do there."""
    plans = []
    for team in person_search(email=email).found_in:
        plan = TeamPlan(team=team)
        if team.member is not None:
            scope = missing_scope(team.auth_tenant, OperationName.REMOVE_MEMBER)
            if scope:
                reason = skip_message(team.auth_tenant, scope)
                plan = TeamPlan(team=team, skipped_scope=scope, skip_reason=reason)
            elif members.is_last_owner(team.auth_tenant, team.member):
                name = team.member.name or team.member.email
                plan = TeamPlan(team=team, refused=members.LAST_OWNER.format(name=name))
        plans.append(plan)
    return OffboardPlan(email=email, teams=plans)


def offboard_job_get(*, pk: int) -> OffboardJob | None:
    """One offboarding job with its steps, or None."""
    steps = Prefetch("steps", queryset=OffboardStep.objects.select_related("invitation"))
    return OffboardJob.objects.prefetch_related(steps).filter(pk=pk).first()


def offboard_job_recent() -> QuerySet[OffboardJob]:
    """The latest offboardings, each with its steps counted by state, in one query."""
    State = OffboardStep.State
    counts = {
        f"{state}_count": Count("steps", filter=Q(steps__state=state))
        for state in (State.DONE, State.FAILED, State.SKIPPED)
    }
    open_steps = Count("steps", filter=Q(steps__state__in=[State.PENDING, State.IN_PROGRESS]))
    return OffboardJob.objects.annotate(**counts, open_count=open_steps)[:RECENT_JOBS]
