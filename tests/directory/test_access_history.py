"""Access history over a scripted run of directory syncs against the sandbox: what the mirror
answers at every instant that matters, and the changes between any two of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import pytest

from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from apps.directory import history, services
from apps.directory.history import TICK, Scope, Window
from apps.directory.models import DirectorySnapshot
from apps.sandbox.models import SandboxTenant, SandboxTenantRole
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

State = dict[tuple[str, str], tuple[str, ...]]  # (member id, tenant id) -> sorted roles
Change = tuple[datetime, str, str, str, tuple[str, ...], tuple[str, ...]]


def _upstream() -> State:
    roles: dict[tuple[str, str], list[str]] = {}
    for member_id, tenant_id, role in SandboxTenantRole.objects.values_list(
        "member__member_id", "tenant__tenant_id", "role"
    ):
        roles.setdefault((member_id, tenant_id), []).append(role)
    return {key: tuple(sorted(names)) for key, names in roles.items()}


def _sync(auth_tenant: AuthTenant) -> datetime:
    """Sync and return the snapshot's instant: the date every change it saw carries."""
    services.directory_sync(auth_tenant=auth_tenant)
    return DirectorySnapshot.objects.filter(auth_tenant=auth_tenant).latest().taken_at


def _as_of(auth_tenant: AuthTenant, at: datetime, scope: Scope | None = None) -> State:
    periods = history.access_during(auth_tenant=auth_tenant, window=Window.moment(at), scope=scope)
    state = {(p.member.member_id, p.tenant.tenant_id): tuple(p.roles) for p in periods}
    assert len(state) == len(periods), "two periods for one member and tenant at one instant"
    return state


def _changes(auth_tenant: AuthTenant, window: Window, scope: Scope | None = None) -> list[Change]:
    return [
        (
            c.at,
            c.kind.value,
            c.grant.member_id,
            c.grant.tenant_id,
            tuple(c.old_roles),
            tuple(c.new_roles),
        )
        for c in history.access_changes(auth_tenant=auth_tenant, window=window, scope=scope)
    ]


def _diff(at: datetime, before: State, after: State) -> Counter[Change]:
    """The changes that turn `before` into `after`, all dated `at`."""
    changes: Counter[Change] = Counter()
    for key in before.keys() | after.keys():
        old, new = before.get(key, ()), after.get(key, ())
        if old == new:
            continue
        kind = "added" if not old else "removed" if not new else "roles changed"
        changes[(at, kind, *key, old, new)] += 1
    return changes


@dataclass
class Script:
    auth_tenant: AuthTenant
    instants: list[datetime]  # each sync's instant, oldest first
    states: list[State]  # upstream access as each sync read it


@pytest.fixture
def script(sandbox: Sandbox, auth_tenant: AuthTenant) -> Script:
    """Three syncs with changes upstream in between: roles changed, access revoked and granted,
    a member removed from the team, then roles changed back."""
    states, instants = [_upstream()], [_sync(auth_tenant)]
    grants = sorted(states[0])
    (changed_member, changed_tenant), (revoked_member, revoked_tenant) = grants[0], grants[-1]
    held = {tenant for member, tenant in states[0] if member == revoked_member}
    free = SandboxTenant.objects.exclude(tenant_id__in=held).values_list("tenant_id", flat=True)
    with teams_client(auth_tenant) as client:
        client.update_member_tenants(
            changed_member, tenant_ids=[changed_tenant], roles=["viewer-config", "viewer-users"]
        )
        client.remove_member_tenants(revoked_member, tenant_ids=[revoked_tenant])
        client.add_member_tenants(revoked_member, tenant_ids=[free[0]], roles=["editor-users"])
    states.append(_upstream())
    instants.append(_sync(auth_tenant))
    leaver = (
        SandboxTenantRole.objects.exclude(member__role="teams_owner")
        .exclude(member__member_id=changed_member)
        .values_list("member__member_id", flat=True)[0]
    )
    with teams_client(auth_tenant) as client:
        client.update_member_tenants(
            changed_member, tenant_ids=[changed_tenant], roles=list(states[0][grants[0]])
        )
        client.remove_member(leaver)
    states.append(_upstream())
    instants.append(_sync(auth_tenant))
    assert states[0] != states[1] != states[2] != states[0]
    return Script(auth_tenant, instants, states)


def test_access_at_each_instant_is_what_the_sync_before_it_read(script: Script) -> None:
    at = script.auth_tenant
    assert _as_of(at, script.instants[0] - TICK) == {}  # before the first read: nothing known
    for instant, state in zip(script.instants, script.states, strict=True):
        assert _as_of(at, instant) == state  # a change is in effect at the instant it is dated
        assert _as_of(at, instant + TICK) == state
    for earlier, later in zip(script.instants, script.instants[1:], strict=False):
        assert _as_of(at, later - TICK) == _as_of(at, earlier)  # the last instant before the next


def test_a_tenant_or_member_scope_is_the_team_answer_narrowed(script: Script) -> None:
    at, instant, state = script.auth_tenant, script.instants[1], script.states[1]
    member_id, tenant_id = sorted(state)[0]
    member = script.auth_tenant.directory_members.get(member_id=member_id)
    grants = _as_of(at, instant, Scope(tenant_id=tenant_id))
    by_member = _as_of(at, instant, Scope(email=member.email.upper()))
    assert grants == {key: roles for key, roles in state.items() if key[1] == tenant_id}
    assert by_member == {key: roles for key, roles in state.items() if key[0] == member_id}


def test_the_changes_between_two_syncs_are_exactly_the_difference(script: Script) -> None:
    at, (t0, t1, t2), (s0, s1, s2) = script.auth_tenant, script.instants, script.states
    assert Counter(_changes(at, Window.moment(t1))) == _diff(t1, s0, s1)
    assert Counter(_changes(at, Window(t1 + TICK, t2))) == Counter()  # both bounds just outside
    assert Counter(_changes(at, Window(t1, t2 + TICK))) == _diff(t1, s0, s1) + _diff(t2, s1, s2)
    everything = Counter(_changes(at, Window(t0 - TICK, t2 + TICK)))
    assert everything == _diff(t0, {}, s0) + _diff(t1, s0, s1) + _diff(t2, s1, s2)
    kinds = {change[1] for change in _diff(t1, s0, s1) + _diff(t2, s1, s2)}
    assert kinds == {"added", "removed", "roles changed"}


def test_replaying_the_changes_on_one_instant_gives_the_next(script: Script) -> None:
    at = script.auth_tenant
    start, end = script.instants[0], script.instants[2]
    state = dict(_as_of(at, start))
    changes = _changes(at, Window(start + TICK, end + TICK))
    assert [c[0] for c in changes] == sorted(c[0] for c in changes)  # oldest first
    for _when, kind, member_id, tenant_id, old, new in changes:
        assert state.get((member_id, tenant_id), ()) == old
        if kind == "removed":
            del state[(member_id, tenant_id)]
        else:
            state[(member_id, tenant_id)] = new
    assert state == _as_of(at, end)


def test_a_long_window_lists_each_period_once(script: Script) -> None:
    at, states = script.auth_tenant, script.states
    periods = history.access_during(
        auth_tenant=at, window=Window(script.instants[0], script.instants[2] + TICK)
    )
    seen = {(p.member.member_id, p.tenant.tenant_id, tuple(p.roles)) for p in periods}
    assert seen == {(*key, roles) for state in states for key, roles in state.items()}
    # A grant unchanged across syncs is one period; roles changed and back again are three.
    runs = sum(
        1
        for n, state in enumerate(states)
        for key, roles in state.items()
        if n == 0 or states[n - 1].get(key) != roles
    )
    assert len(periods) == runs
