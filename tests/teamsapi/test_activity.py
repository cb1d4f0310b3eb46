"""Activity log paging of TeamsClient against the sandbox over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from apps.sandbox import control
from apps.sandbox.models import SandboxActivity
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.contract import ActivityStatus

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_iter_activity_pages_yields_every_entry_newest_first(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    pages = list(api.iter_activity_pages(take=50))
    entries = [e for page in pages for e in page.items]
    stored = SandboxActivity.objects.filter(team__slug=sandbox.team_slug)
    assert len(entries) == stored.count() > 50
    assert len({e.id for e in entries}) == len(entries)
    assert [e.created_at for e in entries] == sorted((e.created_at for e in entries), reverse=True)
    assert all(e.created_at.tzinfo is not None and e.actor.type for e in entries)
    assert api.requests_made == len(pages)


def test_iter_activity_honours_since_inclusive_and_until_exclusive(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    moment = datetime(2031, 5, 4, 12, 0, 0, tzinfo=UTC)
    control.add_activity(team_slug=sandbox.team_slug, count=3, created_at=moment)
    control.add_activity(
        team_slug=sandbox.team_slug, count=2, created_at=moment + timedelta(seconds=10)
    )
    window = list(api.iter_activity(since=moment, until=moment + timedelta(seconds=10)))
    assert len(window) == 3 and {e.created_at for e in window} == {moment}
    later = list(api.iter_activity(since=moment + timedelta(seconds=1)))
    assert len(later) == 2


def test_iter_activity_filters_by_status(api: TeamsClient, sandbox: Sandbox) -> None:
    failures = list(api.iter_activity(status=ActivityStatus.FAILURE))
    expected = SandboxActivity.objects.filter(
        team__slug=sandbox.team_slug, status=ActivityStatus.FAILURE
    ).count()
    assert len(failures) == expected
    assert {e.status for e in failures} <= {ActivityStatus.FAILURE}
