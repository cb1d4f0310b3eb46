"""Activity logs (endpoint 16): schema, order, filters, validation and entries for every write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fixtures.sandbox import Sandbox
from tests.sandbox.helpers import (
    Api,
    Json,
    assert_error,
    assert_schema,
    enum_values,
    expect_all,
    fresh_uuid,
    member_path,
    parse_zulu,
    zulu,
)

LOGS = "/api/activity/logs"


def _logs(api: Api, **params: str) -> list[Json]:
    return api.walk(LOGS, "logs", **params)


def _order_key(entry: Json) -> tuple[datetime, str]:
    return parse_zulu(entry["created_at"]), entry["id"]


def _recent(api: Api, since: datetime) -> list[Json]:
    return _logs(api, since=zulu(since))


def test_every_entry_matches_the_schema_with_camel_case_actor_keys(api: Api) -> None:
    body = api.ok("GET", LOGS)
    assert_schema(body, "ListActivityResponseContent")

    entries = _logs(api)

    assert entries, "the seeded team has activity"
    for entry in entries:
        assert_schema(entry, "ActivityLogEntry")
        assert not {"is_member", "team_role"} & set(entry["actor"]), entry["actor"]
        if entry["actor"]["type"] == "user":
            assert {"picture", "isMember", "teamRole"} <= set(entry["actor"])
    assert {e["type"] for e in entries if "type" in e} <= set(
        enum_values("ActivityLogEventTypeEnum")
    )


def test_entries_are_newest_first_with_ties_by_id_descending(sandbox: Sandbox, api: Api) -> None:
    moment = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    sandbox.add_activity(5, created_at=moment)

    entries = _logs(api)

    assert entries == sorted(entries, key=_order_key, reverse=True)
    tied = [e for e in entries if parse_zulu(e["created_at"]) == moment]
    assert len(tied) >= 5


def test_since_is_inclusive_and_until_is_exclusive(sandbox: Sandbox, api: Api) -> None:
    moment = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    sandbox.add_activity(3, created_at=moment)
    everything = _logs(api)

    from_moment = _logs(api, since=zulu(moment))
    before_moment = _logs(api, until=zulu(moment))
    window = _logs(api, since=zulu(moment), until=zulu(moment + timedelta(milliseconds=1)))

    assert from_moment == [e for e in everything if parse_zulu(e["created_at"]) >= moment]
    assert before_moment == [e for e in everything if parse_zulu(e["created_at"]) < moment]
    assert len(window) >= 3
    assert all(parse_zulu(e["created_at"]) == moment for e in window)


def test_offset_datetimes_are_understood(sandbox: Sandbox, api: Api) -> None:
    moment = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    sandbox.add_activity(2, created_at=moment)

    zulu_result = _logs(api, since=zulu(moment))
    offset_result = _logs(api, since="2024-03-01T14:00:00+02:00")

    assert offset_result == zulu_result


def test_type_and_status_filters_are_exact(api: Api) -> None:
    everything = _logs(api)

    for field in ("type", "status"):
        value = next(e[field] for e in everything if field in e)
        assert _logs(api, **{field: value}) == [e for e in everything if e.get(field) == value]


def test_type_with_a_space_accepts_both_encodings(api: Api) -> None:
    plus = api.raw("GET", LOGS + "?type=Team+Member")
    percent = api.raw("GET", LOGS + "?type=Team%20Member")

    assert plus.status_code == percent.status_code == 200
    assert plus.json() == percent.json()
    assert all(e["type"] == "Team Member" for e in plus.json()["logs"])


def test_invalid_activity_queries_are_rejected(api: Api) -> None:
    queries: dict[str, dict[str, str]] = {
        "unknown type": {"type": "Team Members"},
        "lowercase type": {"type": "team member"},
        "lowercase status": {"status": "success"},
        "unknown status": {"status": "Pending"},
        "take 0": {"take": "0"},
        "take 51": {"take": "51"},
        "take word": {"take": "ten"},
        "bad cursor": {"from": "garbage"},
    }

    expect_all(
        lambda case: assert_error(api.get(LOGS, **case[1]), 400, "VALIDATION_ERROR"),
        queries.items(),
    )


def test_malformed_datetimes_are_rejected_with_the_iso_detail(api: Api) -> None:
    def check(case: tuple[str, str]) -> None:
        error = assert_error(api.get(LOGS, **dict([case])), 400, "VALIDATION_ERROR")
        assert "must be in ISO 8601 date format" in error.get("details", ""), error

    expect_all(
        check,
        (
            (field, value)
            for field in ("since", "until")
            for value in ("yesterday", "2024-13-40T00:00:00Z", "1700000000", "2024-01-15T25:00:00Z")
        ),
    )


def test_since_after_until_is_rejected(api: Api) -> None:
    response = api.get(LOGS, since="2024-02-01T00:00:00Z", until="2024-01-01T00:00:00Z")

    assert_error(response, 400, "VALIDATION_ERROR")


def test_cursor_reused_with_other_filters_is_rejected(api: Api) -> None:
    first = api.ok("GET", LOGS, take=1)
    assert "next" in first

    response = api.get(LOGS, take=1, status="Failure", **{"from": first["next"]})

    assert_error(response, 400, "VALIDATION_ERROR")


def test_reads_leave_no_activity(api: Api) -> None:
    before = _logs(api)

    api.get("/api/members")
    api.get("/api/tenants")
    api.get("/api/environments")

    assert _logs(api) == before


def _machine_actor(sandbox: Sandbox, entry: Json) -> None:
    actor = entry["actor"]
    assert actor["type"] == "machine"
    assert actor["id"] == sandbox.owner_client_id
    assert actor["name"]
    assert actor.get("isMember") is False


def _assert_entry(
    sandbox: Sandbox,
    entries: list[Json],
    event: tuple[str, str],
    details: dict[str, object],
    status: str = "Success",
) -> Json:
    matches = [
        e
        for e in entries
        if (e.get("type"), e["current_event"]) == event
        and e["status"] == status
        and all(e.get("details", {}).get(k) == v for k, v in details.items())
    ]
    assert matches, f"no {status} {event} entry with {details} in {entries[:5]}"
    _machine_actor(sandbox, matches[0])
    assert_schema(matches[0], "ActivityLogEntry")
    return matches[0]


def test_every_successful_write_is_recorded(sandbox: Sandbox, api: Api) -> None:
    start = datetime.now(UTC) - timedelta(seconds=2)
    members = api.walk("/api/members", "members")
    owner = next(m for m in members if m["role"] == "teams_owner")
    member = next(m for m in members if m["role"] == "teams_contributor")
    tenant = api.ok(
        "POST",
        "/api/tenants",
        {"tenant_name": "logged-tenant", "admin_email": owner["email"], "locality": "eu"},
    )
    tenant_id = tenant["tenant_id"]
    access = member_path(member["id"], "/tenants")
    api.ok("POST", "/api/members", {"email": "logged@example.com", "role": "teams_report_viewer"})
    api.ok("PATCH", member_path(member["id"]), {"role": "teams_tenant_manager"})
    assert api.put(access, {"tenants": [tenant_id], "roles": ["viewer-users"]}).status_code == 204
    assert api.patch(access, {"tenants": [tenant_id], "roles": ["editor-users"]}).status_code == 204
    assert api.delete(access, {"tenants": [tenant_id]}).status_code == 204
    assert api.delete(f"/api/tenants/{tenant_id}").status_code == 204
    assert api.delete(member_path(member["id"])).status_code == 204

    entries = _recent(api, start)

    invite = _assert_entry(
        sandbox,
        entries,
        ("Team Invitation", "member_invited"),
        {"email": "logged@example.com", "role": "teams_report_viewer"},
    )
    assert "tenant_ids" not in invite["details"]
    _assert_entry(
        sandbox,
        entries,
        ("Team Member", "member_role_updated"),
        {
            "member_id": member["id"],
            "from_role": "teams_contributor",
            "to_role": "teams_tenant_manager",
        },
    )
    _assert_entry(
        sandbox,
        entries,
        ("Team Member", "member_deleted"),
        {"member_id": member["id"], "email": member["email"]},
    )
    _assert_entry(
        sandbox,
        entries,
        ("Tenant Activity", "tenant_created"),
        {"tenant_id": tenant_id, "tenant_name": "logged-tenant", "environment": "EU-1"},
    )
    _assert_entry(
        sandbox,
        entries,
        ("Tenant Activity", "tenant_deleted"),
        {"tenant_id": tenant_id, "tenant_name": "logged-tenant"},
    )
    _assert_entry(
        sandbox,
        entries,
        ("Tenant Member", "tenant_member_added"),
        {"member_id": member["id"], "tenant_id": tenant_id},
    )
    _assert_entry(
        sandbox,
        entries,
        ("Tenant Member", "tenant_member_updated"),
        {"member_id": member["id"], "tenant_id": tenant_id},
    )
    _assert_entry(
        sandbox,
        entries,
        ("Tenant Member", "tenant_member_removed"),
        {"member_id": member["id"], "tenant_id": tenant_id},
    )


def test_failed_writes_are_recorded_as_failures(sandbox: Sandbox, api: Api) -> None:
    start = datetime.now(UTC) - timedelta(seconds=2)
    members = api.walk("/api/members", "members")
    existing = members[0]
    contributor = next(m for m in members if m["role"] != "teams_owner")

    assert (
        api.post(
            "/api/members", {"email": existing["email"], "role": "teams_contributor"}
        ).status_code
        == 400
    )
    assert api.delete(f"/api/tenants/{fresh_uuid()}").status_code == 404
    assert api.patch(member_path(contributor["id"]), {"role": "nobody"}).status_code == 400

    entries = _recent(api, start)

    _assert_entry(
        sandbox,
        entries,
        ("Team Invitation", "member_invited"),
        {"email": existing["email"]},
        status="Failure",
    )
    _assert_entry(sandbox, entries, ("Tenant Activity", "tenant_deleted"), {}, status="Failure")
    _assert_entry(
        sandbox,
        entries,
        ("Team Member", "member_role_updated"),
        {"member_id": contributor["id"]},
        status="Failure",
    )


def test_unauthenticated_writes_leave_no_activity(sandbox: Sandbox, api: Api) -> None:
    before = _logs(api)

    Api(sandbox.api_base_url, None).post(
        "/api/members", {"email": "x@example.com", "role": "teams_owner"}
    )

    assert _logs(api) == before
