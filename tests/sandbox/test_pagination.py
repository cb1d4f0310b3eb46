"""Checkpoint pagination (§8) as properties: any take walks every item once, in order, under churn."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.sandbox import Sandbox
from tests.sandbox.helpers import (
    Api,
    Json,
    assert_error,
    enum_values,
    member_path,
    parse_zulu,
    zulu,
)

LOGS = "/api/activity/logs"

PROPERTY = settings(
    max_examples=20,
    deadline=None,
    # No example database in the working tree.
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CHURN = settings(PROPERTY, max_examples=12)
# Churn stops after a few pages so that small takes still finish; the property is per page.
CHURN_PAGES = 4
takes = st.integers(min_value=1, max_value=50)
_counter = itertools.count()


def _walk_with(
    api: Api, path: str, key: str, between: Callable[[], None], **params: object
) -> list[Json]:
    """Walk every page, running `between` after each page that announces a next one."""
    items: list[Json] = []
    for page in api.pages(path, key, **params):
        assert len(page) <= int(str(params.get("take", 50)))
        items += page
        between()
    return items


def _no_churn() -> None:
    return None


def _tenant_key(tenant: Json) -> tuple[datetime, str]:
    return parse_zulu(tenant["created_at"]), tenant["tenant_id"]


def _activity_key(entry: Json) -> tuple[datetime, str]:
    return parse_zulu(entry["created_at"]), entry["id"]


def _assert_once_in_order(walked: list[Json], expected: list[Json], key: str) -> None:
    ids = [item[key] for item in walked]
    assert [i for i, n in Counter(ids).items() if n > 1] == [], "an item was repeated"
    assert ids == [item[key] for item in expected]


def test_any_take_walks_every_member_once_in_id_order(api: Api) -> None:
    reference = api.walk("/api/members", "members")
    assert [m["id"] for m in reference] == sorted(m["id"] for m in reference)

    @PROPERTY
    @given(take=takes)
    def walk(take: int) -> None:
        walked = _walk_with(api, "/api/members", "members", _no_churn, take=take)
        _assert_once_in_order(walked, reference, "id")

    walk()


def test_any_take_walks_every_tenant_once_in_sort_order(api: Api) -> None:
    newest_first = sorted(api.walk("/api/tenants", "tenants"), key=_tenant_key, reverse=True)

    @PROPERTY
    @given(take=takes, sort=st.sampled_from([None, "created_at:-1", "created_at:1"]))
    def walk(take: int, sort: str | None) -> None:
        params: dict[str, object] = {"take": take}
        if sort is not None:
            params["sort"] = sort
        walked = _walk_with(api, "/api/tenants", "tenants", _no_churn, **params)
        expected = newest_first[::-1] if sort == "created_at:1" else newest_first
        _assert_once_in_order(walked, expected, "tenant_id")

    walk()


def test_any_take_walks_every_tenant_member_once_in_id_order(api: Api) -> None:
    tenants = api.walk("/api/tenants", "tenants")
    path, reference = max(
        (
            (path, api.walk(path, "members"))
            for path in (f"/api/tenants/{t['tenant_id']}/members" for t in tenants)
        ),
        key=lambda pair: len(pair[1]),
    )
    assert len(reference) >= 3, "the busiest seeded tenant has several members"
    assert reference == sorted(reference, key=lambda m: m["id"])

    @PROPERTY
    @given(take=takes)
    def walk(take: int) -> None:
        walked = _walk_with(api, path, "members", _no_churn, take=take)
        _assert_once_in_order(walked, reference, "id")

    walk()


def test_any_take_walks_filtered_activity_once_newest_first(api: Api) -> None:
    everything = api.walk(LOGS, "logs")
    assert everything == sorted(everything, key=_activity_key, reverse=True)

    @PROPERTY
    @given(
        take=takes,
        event_type=st.none() | st.sampled_from(enum_values("ActivityLogEventTypeEnum")),
        status=st.none() | st.sampled_from(enum_values("ActivityLogStatusEnum")),
        window=st.tuples(st.integers(0, len(everything) - 1), st.integers(1, 24 * 90)),
    )
    def walk(
        take: int, event_type: str | None, status: str | None, window: tuple[int, int]
    ) -> None:
        start, span_hours = window
        until = parse_zulu(everything[start]["created_at"]) + timedelta(milliseconds=1)
        since = until - timedelta(hours=span_hours)
        params: dict[str, object] = {"take": take, "since": zulu(since), "until": zulu(until)}
        if event_type is not None:
            params["type"] = event_type
        if status is not None:
            params["status"] = status

        walked = _walk_with(api, LOGS, "logs", _no_churn, **params)

        expected = [
            e
            for e in everything
            if since <= parse_zulu(e["created_at"]) < until
            and (event_type is None or e.get("type") == event_type)
            and (status is None or e["status"] == status)
        ]
        _assert_once_in_order(walked, expected, "id")

    walk()


@CHURN
@given(take=takes, seed=st.integers(0, 2**32 - 1))
def test_member_walk_survives_inserts_and_deletes_between_pages(
    sandbox: Sandbox, api: Api, take: int, seed: int
) -> None:
    rng = random.Random(seed)
    before = api.walk("/api/members", "members")
    deleted: set[str] = set()
    candidates = [m for m in before if m["role"] != "teams_owner"]
    pages = itertools.count()

    def churn() -> None:
        if next(pages) >= CHURN_PAGES:
            return
        email = f"churn{next(_counter)}@example.com"
        api.ok("POST", "/api/members", {"email": email, "role": "teams_contributor"})
        sandbox.accept_invitation(email)
        remaining = [m for m in candidates if m["id"] not in deleted]
        if remaining and rng.random() < 0.7:
            victim = rng.choice(remaining)
            assert api.delete(member_path(victim["id"])).status_code == 204
            deleted.add(victim["id"])

    walked = _walk_with(api, "/api/members", "members", churn, take=take)

    ids = [m["id"] for m in walked]
    assert len(ids) == len(set(ids)), "no member appears twice"
    assert ids == sorted(ids)
    survivors = {m["id"] for m in before} - deleted
    assert survivors <= set(ids), "members present for the whole walk are all listed"


@CHURN
@given(
    take=takes,
    sort=st.sampled_from(["created_at:-1", "created_at:1"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_tenant_walk_survives_inserts_and_deletes_between_pages(
    sandbox: Sandbox, api: Api, take: int, sort: str, seed: int
) -> None:
    rng = random.Random(seed)
    before = api.walk("/api/tenants", "tenants")
    owner = next(m for m in api.walk("/api/members", "members") if m["role"] == "teams_owner")
    deleted: set[str] = set()
    pages = itertools.count()

    def churn() -> None:
        if next(pages) >= CHURN_PAGES:
            return
        api.ok("POST", "/api/tenants", {"admin_email": owner["email"], "locality": "us"})
        remaining = [t for t in before if t["tenant_id"] not in deleted]
        if len(remaining) > 1 and rng.random() < 0.7:
            victim = rng.choice(remaining)
            assert api.delete(f"/api/tenants/{victim['tenant_id']}").status_code == 204
            deleted.add(victim["tenant_id"])

    walked = _walk_with(api, "/api/tenants", "tenants", churn, take=take, sort=sort)

    ids = [t["tenant_id"] for t in walked]
    assert len(ids) == len(set(ids)), "no tenant appears twice"
    assert walked == sorted(walked, key=_tenant_key, reverse=sort == "created_at:-1")
    survivors = {t["tenant_id"] for t in before} - deleted
    assert survivors <= set(ids), "tenants present for the whole walk are all listed"


@CHURN
@given(take=takes, seed=st.integers(0, 2**32 - 1))
def test_activity_walk_survives_inserts_between_pages(
    sandbox: Sandbox, api: Api, take: int, seed: int
) -> None:
    rng = random.Random(seed)
    before = api.ok("GET", "/api/activity/logs", take=50)["logs"]
    since = parse_zulu(before[-1]["created_at"])
    until = parse_zulu(before[0]["created_at"]) + timedelta(milliseconds=1)
    span_ms = int((until - since).total_seconds() * 1000)
    pages = itertools.count()

    def churn() -> None:
        if next(pages) >= CHURN_PAGES:
            return
        moment = since + timedelta(milliseconds=rng.randrange(span_ms))
        sandbox.add_activity(2, created_at=moment)

    walked = _walk_with(
        api, "/api/activity/logs", "logs", churn, take=take, since=zulu(since), until=zulu(until)
    )

    ids = [e["id"] for e in walked]
    assert len(ids) == len(set(ids)), "no entry appears twice"
    assert walked == sorted(walked, key=_activity_key, reverse=True)
    assert {e["id"] for e in before} <= set(ids)


def test_next_is_omitted_exactly_when_the_last_item_is_on_the_page(api: Api) -> None:
    total = len(api.walk("/api/members", "members"))
    assert 2 <= total <= 50

    whole = api.ok("GET", "/api/members", take=total)
    short = api.ok("GET", "/api/members", take=total - 1)
    rest = api.ok("GET", "/api/members", take=total - 1, **{"from": short["next"]})

    assert "next" not in whole
    assert len(short["members"]) == total - 1
    assert len(rest["members"]) == 1
    assert "next" not in rest


def test_cursor_from_another_list_is_rejected(api: Api) -> None:
    tenants = api.ok("GET", "/api/tenants")["tenants"]
    busiest = sorted(
        tenants,
        key=lambda t: len(api.walk(f"/api/tenants/{t['tenant_id']}/members", "members")),
    )
    first_path = f"/api/tenants/{busiest[-1]['tenant_id']}/members"
    other_path = f"/api/tenants/{busiest[0]['tenant_id']}/members"
    member_cursor = api.ok("GET", "/api/members", take=1)["next"]
    tenant_member_cursor = api.ok("GET", first_path, take=1)["next"]

    assert_error(api.get("/api/tenants", **{"from": member_cursor}), 400, "VALIDATION_ERROR")
    assert_error(api.get(LOGS, **{"from": member_cursor}), 400, "VALIDATION_ERROR")
    assert_error(api.get(other_path, **{"from": tenant_member_cursor}), 400, "VALIDATION_ERROR")
    assert_error(api.get("/api/members", **{"from": member_cursor + "x"}), 400, "VALIDATION_ERROR")


def test_page_size_changes_between_pages_keep_the_position(api: Api) -> None:
    reference = api.walk("/api/members", "members")
    first = api.ok("GET", "/api/members", take=3)

    rest = api.walk("/api/members", "members", take=7, **{"from": first["next"]})

    assert [m["id"] for m in first["members"] + rest] == [m["id"] for m in reference]
