"""Every list page: a filter it refuses is explained in the page, and the page lists nothing.

Never a wider list than asked for (the old fallback kept only the raw search), and never the
raw value in a query.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.core.filters import FilterSelect
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
        "activity:list": "Member deleted",
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


class _Choices(forms.Form):
    """The same choices through Django's own <select> and through FilterSelect."""

    CHOICES = [("", "Any"), ("a&b", "A <b>"), ("Group", [("g1", "One"), ("g2", 'Two "2"')])]
    django = forms.ChoiceField(required=False, choices=CHOICES)
    ours = forms.ChoiceField(required=False, choices=CHOICES, widget=FilterSelect)


class _Elements(HTMLParser):
    """Tags with their attributes (in any order) and text, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, frozenset[tuple[str, str | None]]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, frozenset(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.found.append((data.strip(), frozenset()))


@pytest.mark.parametrize("chosen", ["", "a&b", "g2", "not-a-choice"])
def test_filter_select_renders_what_djangos_select_renders(chosen: str) -> None:
    form = _Choices({"django": chosen, "ours": chosen})
    form.is_valid()
    ours, django = str(form["ours"]), str(form["django"]).replace("django", "ours")
    assert _Elements(ours).found == _Elements(django).found
    assert "A &lt;b&gt;" in ours and 'value="a&amp;b"' in ours and "<optgroup" in ours
