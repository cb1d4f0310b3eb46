"""Every list page: a filter it refuses is explained in the page, and the page lists nothing.

Never a wider list than asked for (the old fallback kept only the raw search), and never the
raw value in a query.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.activity.models import ActivityEvent
from tests.fixtures.directory import Directory

REFUSED = [
    ("activity:list", {"until": "9999-12-31"}, "To: Enter a date on or before 9999-12-30."),
    ("activity:list", {"since": "0001-01-01"}, "From: Enter a date on or after 0001-01-02."),
    ("activity:list", {"status": "Sideways", "q": "member"}, "Status: Select a valid choice."),
    ("activity:list", {"q": "mem\x00ber"}, "Search: Null characters are not allowed."),
    ("members:list", {"role": "emperor", "q": "a"}, "Team role: Select a valid choice."),
    ("members:list", {"q": "ada\x00"}, "Search: Null characters are not allowed."),
    ("tenants:list", {"environment_tag": "moon", "q": "acme-dev"}, "Tag: Select a valid choice."),
    ("tenants:list", {"q": "x" * 101}, "Search: Ensure this value has at most 100 characters"),
]


@pytest.fixture
def shown(directory: Directory) -> dict[str, str]:
    """Per list page, text of a row it shows when no filter is refused."""
    ActivityEvent.objects.create(
        auth_tenant=directory.auth_tenant,
        external_id="00000000-0000-4000-8000-000000000001",
        type="Team Member",
        status="Success",
        current_event="member_deleted",
        actor_id="auth0|ada",
        created_at=timezone.now(),
    )
    return {
        "activity:list": "member_deleted",
        "members:list": "ada@acme.test",
        "tenants:list": directory.dev.domain,
    }


@pytest.mark.parametrize(("name", "query", "message"), REFUSED)
def test_a_refused_filter_says_why_and_lists_nothing(
    owner_client: Client, shown: dict[str, str], name: str, query: dict[str, str], message: str
) -> None:
    url = reverse(name)
    assert shown[name] in owner_client.get(url).content.decode()
    response = owner_client.get(url, query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing is listed until these filters are corrected:" in page
    assert message in page
    assert shown[name] not in page
