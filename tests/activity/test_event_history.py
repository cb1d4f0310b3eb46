"""The Activity history at scale: combined filters, cursor pages that never skip or repeat, the word index."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.activity import actors, selectors
from apps.activity.bulk import insert_new
from apps.activity.models import ActivityActor, ActivityEvent
from apps.activity.selectors import ActivityFilters, Cursor
from apps.authtenants.models import AuthTenant
from tests.activity.conftest import entry as log_entry
from tests.factories import AuthTenantFactory

URL = reverse("activity:list")
NOW = timezone.now().replace(microsecond=0)


def _event(auth_tenant: AuthTenant, name: str, hours_ago: float, **fields: Any) -> ActivityEvent:
    values: dict[str, Any] = {
        "external_id": f"{name}-{hours_ago}",
        "type": "Team Member",
        "status": "Success",
        "current_event": name,
        "actor_id": "auth0|ada",
        "actor_type": "user",
        "actor_name": "Ada Lovelace",
        "created_at": NOW - timedelta(hours=hours_ago),
        "details": {},
    }
    values.update(fields)
    return ActivityEvent.objects.create(auth_tenant=auth_tenant, **values)


@pytest.fixture
def log(db: None) -> AuthTenant:
    """Six events whose names say which filters find them."""
    acme = AuthTenantFactory.create(name="Acme")
    _event(
        acme,
        "member_role_updated",
        1,
        details={"member_id": "auth0|grace", "to_role": "teams_owner"},
    )
    _event(
        acme,
        "tenant_created",
        2,
        type="Tenant Activity",
        actor_id="cli_deploy",
        actor_type="machine",
        actor_name="Deploy bot",
        details={"tenant_id": "ten_42", "tenant_name": "payments-prod"},
    )
    _event(
        acme,
        "member_deleted",
        30,
        status="Failure",
        details={"member_id": "auth0|linus", "email": "linus@example.com"},
    )
    _event(
        acme,
        "tenant_member_added",
        24 * 10,
        type="Tenant Member",
        actor_id="cli_deploy",
        actor_type="machine",
        actor_name="Deploy bot",
        details={"member_id": "auth0|grace", "tenant_id": "ten_42", "roles": ["owner"]},
    )
    _event(
        acme,
        "member_invited",
        24 * 40,
        type="Team Invitation",
        details={"email": "zora@example.com"},
    )
    _event(
        acme,
        "security_policy_updated",
        24 * 60,
        type="Security Policy",
        status="Failure",
        details={"source": "dashboard", "setting": "mfa"},
    )
    return acme  # fmt: skip


def _names(client: Client, query: dict[str, str]) -> list[str]:
    response = client.get(URL, query)
    assert response.status_code == 200
    page = response.context["page"]
    return [] if page is None else [event.current_event for event in page.events]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "Tenant Activity"}, ["tenant_created"]),
        ({"status": "Failure"}, ["member_deleted", "security_policy_updated"]),
        ({"actor": "deploy"}, ["tenant_created", "tenant_member_added"]),
        ({"actor": "cli_deploy"}, ["tenant_created", "tenant_member_added"]),
        ({"actor_type": "machine"}, ["tenant_created", "tenant_member_added"]),
        ({"target": "auth0|grace"}, ["member_role_updated", "tenant_member_added"]),
        ({"target": "Linus@Example.com"}, ["member_deleted"]),
        ({"target": "payments-prod"}, ["tenant_created"]),
        ({"target": "ten_42"}, ["tenant_created", "tenant_member_added"]),
        ({"target": "payments"}, []),  # a target is a whole name or id, not part of one
        ({"q": "zora@example"}, ["member_invited"]),  # a detail's value, typed so far
        ({"q": "mfa dashboard"}, ["security_policy_updated"]),  # every word, anywhere
        ({"q": "teams_owner"}, ["member_role_updated"]),
        ({"q": "nothing-like-this"}, []),
        ({"range": "24h"}, ["member_role_updated", "tenant_created"]),
        ({"range": "7d"}, ["member_role_updated", "tenant_created", "member_deleted"]),
        ({"range": "30d", "type": "Tenant Member"}, ["tenant_member_added"]),
        ({"status": "Failure", "range": "7d"}, ["member_deleted"]),
        ({"actor_type": "machine", "target": "ten_42", "type": "Tenant Member"}, ["tenant_member_added"]),
        ({"actor": "ada", "q": "grace"}, ["member_role_updated"]),
        ({"actor_type": "user", "status": "Failure", "q": "linus"}, ["member_deleted"]),
    ],
)  # fmt: skip
def test_filters_combine_to_exactly_the_matching_events(
    auditor_client: Client, log: AuthTenant, query: dict[str, str], expected: list[str]
) -> None:
    assert _names(auditor_client, query) == expected


def _actors(auth_tenant: AuthTenant) -> set[tuple[str, str]]:
    return set(
        ActivityActor.objects.filter(auth_tenant=auth_tenant).values_list("actor_id", "actor_name")
    )


def test_actors_are_recorded_however_events_are_stored(log: AuthTenant) -> None:
    # Created one by one through the ORM (the fixture), each pair once.
    assert _actors(log) == {("auth0|ada", "Ada Lovelace"), ("cli_deploy", "Deploy bot")}
    # The sync's bulk insert (COPY on PostgreSQL), and an actor renamed in place.
    insert_new(log, [log_entry(1, actor={"id": "auth0|kay", "type": "user", "name": "Kay"})])
    ActivityEvent.objects.filter(current_event="member_invited").update(actor_name="Ada L.")
    assert _actors(log) >= {("auth0|kay", "Kay"), ("auth0|ada", "Ada L.")}
    other = AuthTenantFactory.create(name="Other")
    _event(other, "x", 1)
    assert _actors(other) == {("auth0|ada", "Ada Lovelace")}  # per Auth Tenant


def test_actor_filter_compares_each_event_with_the_text(
    auditor_client: Client, log: AuthTenant
) -> None:
    # The same id under an earlier name: only the events whose own name matches.
    _event(log, "renamed", 3, actor_name="Countess of Lovelace")
    assert _names(auditor_client, {"actor": "countess"}) == ["renamed"]
    assert "renamed" in _names(auditor_client, {"actor": "auth0|ada"})
    assert _names(auditor_client, {"actor": "nobody at all"}) == []
    # More matching actors than the lookup narrows to: compared with the text directly.
    for n in range(actors.MAX_ACTORS + 1):
        _event(log, f"many-{n}", 4, actor_id=f"auth0|a{n}", actor_name=f"Agent {n}")
    assert len(_names(auditor_client, {"actor": "agent"})) == actors.MAX_ACTORS  # one page
    assert _names(auditor_client, {"actor": "agent 7"}) == ["many-7"]


def test_custom_dates_are_inclusive_days(auditor_client: Client, log: AuthTenant) -> None:
    day = (NOW - timedelta(days=40)).date().isoformat()
    query = {"range": "custom", "since": day, "until": day}
    assert _names(auditor_client, query) == ["member_invited"]


def test_team_picker_lists_the_teams_and_shows_the_chosen_one(
    auditor_client: Client, log: AuthTenant
) -> None:
    zeta = AuthTenantFactory.create(name="Zeta")
    _event(zeta, "zeta_only_event", 1)
    page = auditor_client.get(URL).content.decode()
    assert f'<option value="{log.pk}" selected>Acme</option>' in page
    assert ">Zeta</option>" in page
    assert _names(auditor_client, {"auth_tenant": str(zeta.pk)}) == ["zeta_only_event"]
    assert _names(auditor_client, {"auth_tenant": "999999"}) == []  # and says why


def test_an_invalid_filter_lists_nothing_and_says_why(
    auditor_client: Client, log: AuthTenant
) -> None:
    response = auditor_client.get(URL, {"range": "forever", "q": "grace"})
    assert response.context["page"] is None
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "member_role_updated" not in body


@pytest.mark.parametrize(
    "cursor", ["garbage!", "bm90LWEtY3Vyc29y", "OTk5OTk5OTk5OTk5OTk5OTk5OTk6eA", "MTox"[:3]]
)
def test_a_bad_cursor_lists_nothing_with_a_message(
    auditor_client: Client, log: AuthTenant, cursor: str
) -> None:
    for direction in ("before", "after"):
        response = auditor_client.get(URL, {direction: cursor})
        assert response.status_code == 200
        assert response.context["page"] is None
        assert "This page link is not valid" in response.content.decode()


def test_cursor_round_trips() -> None:
    cursor = Cursor(datetime(2026, 11, 1, 12, 0, 0, 123456, tzinfo=UTC), "a:b|c")
    assert Cursor.decode(cursor.encode()) == cursor


def _walk(
    client: Client, query: dict[str, str], between: Callable[[int], None] = lambda n: None
) -> list[str]:
    """Every event reached by following Older from the newest page."""
    seen: list[str] = []
    params = dict(query)
    for n in range(1000):
        page = client.get(URL, params).context["page"]
        seen += [event.external_id for event in page.events]
        if page.older is None:
            return seen
        between(n)
        params = {**query, "before": page.older.encode()}
    raise AssertionError("the walk did not end")


@pytest.fixture
def busy_log(db: None) -> AuthTenant:
    """130 events, many sharing a timestamp, so pages split inside a tie."""
    acme = AuthTenantFactory.create(name="Acme")
    ActivityEvent.objects.bulk_create(
        ActivityEvent(
            auth_tenant=acme, external_id=f"e{n:04d}", status="Failure" if n % 3 else "Success",
            current_event="member_deleted", created_at=NOW - timedelta(minutes=n // 7),
        )
        for n in range(130)
    )  # fmt: skip
    return acme


@pytest.mark.parametrize("query", [{}, {"status": "Failure"}])
def test_walking_older_pages_meets_every_event_once(
    auditor_client: Client, busy_log: AuthTenant, query: dict[str, str]
) -> None:
    expected = set(ActivityEvent.objects.filter(**query).values_list("external_id", flat=True))
    seen = _walk(auditor_client, query)
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected


def test_events_stored_during_a_walk_neither_shift_nor_repeat_it(
    auditor_client: Client, busy_log: AuthTenant
) -> None:
    before = set(ActivityEvent.objects.values_list("external_id", flat=True))

    def sync_stores_more(n: int) -> None:  # newer events, and late ones inside the walked range
        for k in range(60):
            _event(busy_log, f"new-{n}-{k}", -k / 60, external_id=f"new-{n}-{k}")
        _event(busy_log, f"late-{n}", 0.2 + n / 10, external_id=f"late-{n}")

    seen = _walk(auditor_client, {}, between=sync_stores_more)
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_newer_goes_back_to_the_same_page(auditor_client: Client, busy_log: AuthTenant) -> None:
    first = auditor_client.get(URL).context["page"]
    second = auditor_client.get(URL, {"before": first.older.encode()}).context["page"]
    third = auditor_client.get(URL, {"before": second.older.encode()}).context["page"]
    back = auditor_client.get(URL, {"after": third.newer.encode()}).context["page"]
    assert [e.pk for e in back.events] == [e.pk for e in second.events]
    newest = auditor_client.get(URL, {"after": second.newer.encode()}).context["page"]
    assert newest.is_newest and [e.pk for e in newest.events] == [e.pk for e in first.events]


def test_count_stops_at_the_cap(
    auditor_client: Client, busy_log: AuthTenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "130 events" in auditor_client.get(URL).content.decode()
    monkeypatch.setattr(selectors, "COUNT_CAP", 100)
    assert "100+ events" in auditor_client.get(URL).content.decode()


def test_page_queries_stay_bounded(
    auditor_client: Client, busy_log: AuthTenant, django_assert_max_num_queries: Any
) -> None:
    auditor_client.get(URL)  # session and team choice settle
    # Session, user, teams, sync status (4), the page, and the capped count in a savepoint
    # with its time limit set and put back: none per row.
    with django_assert_max_num_queries(15):
        auditor_client.get(URL, {"q": "member", "status": "Failure", "actor_type": "user"})


def test_word_index_follows_stored_and_deleted_events(log: AuthTenant) -> None:
    def found() -> list[ActivityEvent]:
        return list(selectors.activity_list(auth_tenant=log, filters=ActivityFilters(q="quokka")))

    assert found() == []
    event = _event(log, "member_invited", 3, details={"email": "quokka@example.com"})
    assert found() == [event]
    event.delete()
    assert found() == []


def test_target_matches_each_item_of_a_list_and_only_the_subject_keys(log: AuthTenant) -> None:
    def found(target: str) -> list[str]:
        events = selectors.activity_list(auth_tenant=log, filters=ActivityFilters(target=target))
        return [event.current_event for event in events]

    _event(log, "tenants_shared", 3, details={"tenant_ids": ["ten_7", "TEN_8"], "note": "ten_9"})
    _event(log, "odd_details", 4, details=["ten_7"])
    assert found("ten_8") == ["tenants_shared"]
    assert found("Ten_7") == ["tenants_shared"]
    assert found("ten_9") == []  # "note" names nothing the filter looks for


def test_chart_counts_each_day_by_status_and_type(auditor_client: Client, log: AuthTenant) -> None:
    response = auditor_client.get(reverse("activity:chart"), {"range": "7d"})
    chart = response.context["chart"]
    assert chart.total == 3
    assert {(d.day, d.success, d.failure) for d in chart.days if d.total} >= {
        (timezone.localdate(NOW - timedelta(hours=30)), 0, 1)
    }
    body = response.content.decode()
    assert "<svg" in body and "Figures per day and type" in body and "Tenant Activity" in body
    partial = auditor_client.get(reverse("activity:chart"), headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="event-chart"')


# An uncorrelated subquery that counts to ten million: seconds on either database.
_SLOW = (
    "(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000000) "
    "SELECT count(*) FROM c)"
)


def test_a_slow_count_is_cut_short_and_the_database_keeps_its_settings(log: AuthTenant) -> None:
    slow = ActivityEvent.objects.filter(id__lt=RawSQL(_SLOW, []))  # noqa: S611 - fixed text
    started = time.perf_counter()
    assert selectors._count_within(slow, 50) is None
    assert time.perf_counter() - started < 2
    # The limit ended with the count: the next statement and count run to the end.
    assert selectors._count_within(ActivityEvent.objects.all(), 5_000) == 6
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("0",)


@pytest.mark.django_db(transaction=True)
def test_a_count_outside_a_transaction_leaves_no_limit_behind() -> None:
    _event(AuthTenantFactory.create(name="Acme"), "x", 1)
    slow = ActivityEvent.objects.filter(id__lt=RawSQL(_SLOW, []))  # noqa: S611 - fixed text
    assert not connection.in_atomic_block
    assert selectors._count_within(slow, 50) is None
    assert selectors._count_within(ActivityEvent.objects.all(), 5_000) == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("0",)


def test_far_more_matches_than_the_cap_are_estimated_not_counted(
    log: AuthTenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "ESTIMATE_FROM", 1)  # six events count as "far more"
    newest = selectors.activity_page(auth_tenant=log, filters=ActivityFilters(), size=2)
    assert newest.older is not None
    older = selectors.activity_page(
        auth_tenant=log, filters=ActivityFilters(), before=newest.older, size=2
    )
    if connection.vendor == "postgresql":
        assert older.count is None
        assert older.estimate is not None and older.estimate >= 1
        assert older.count_text.startswith("About ") and older.count_text.endswith("(estimated)")
    else:  # SQLite gives no estimate: the events are counted
        assert (older.count, older.estimate) == (6, None)


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 event"), (1234, "1,234 events"), (10_001, "10,000+ events"), (None, "Many events")],
)
def test_the_count_reads_as_words(count: int | None, text: str) -> None:
    page = selectors.ActivityPage(events=[], newer=None, older=None, count=count, is_newest=True)
    assert page.count_text.startswith(text)


@pytest.mark.parametrize(
    ("estimate", "text"), [(100_000, "About 100,000 events"), (502_480, "About 500,000 events")]
)
def test_an_estimate_reads_as_one(estimate: int, text: str) -> None:
    page = selectors.ActivityPage(
        events=[], newer=None, older=None, count=None, is_newest=False, estimate=estimate
    )
    assert page.count_text == f"{text} (estimated)"
