"""Tolerant parsing of API objects: unknown fields and enum values, nulls, string statuses."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from apps.teamsapi.contract import OPERATIONS, OperationName, format_datetime, parse_datetime
from apps.teamsapi.errors import (
    NoClientForScope,
    TeamsApiBadResponse,
    TeamsApiRateLimited,
    TeamsApiValidationError,
)
from apps.teamsapi.types import (
    ActivityLogEntry,
    BulkResult,
    ErrorBody,
    MemberTenants,
    TeamMember,
    Tenant,
)


def test_every_contract_operation_has_exactly_one_scope_and_posts_are_not_idempotent() -> None:
    assert len(OPERATIONS) == 16 == len(OperationName)
    assert {op.method for op in OPERATIONS.values() if not op.idempotent} == {"POST"}
    assert OPERATIONS[OperationName.LIST_ENVIRONMENTS].scope == "read:members"


def test_datetimes_are_sent_as_utc_with_z_and_parsed_as_aware_utc() -> None:
    assert format_datetime(datetime(2024, 1, 15, 9, 30, tzinfo=UTC)) == "2024-01-15T09:30:00Z"
    parsed = parse_datetime("2024-01-15T10:30:00.123+01:00")
    assert parsed == datetime(2024, 1, 15, 9, 30, 0, 123000, tzinfo=UTC)
    assert parse_datetime("2024-01-15T09:30:00") == datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    assert parse_datetime(None) is None and parse_datetime("yesterday") is None


def test_member_tolerates_nulls_unknown_fields_and_unknown_roles() -> None:
    member = TeamMember.from_api(
        {"id": "auth0|1", "name": None, "email": "a@example.com", "role": "teams_galactic", "x": 1}
    )
    assert (member.name, member.role, member.given_name) == ("", "teams_galactic", "")
    assert member.display_name == "a@example.com"


def test_objects_without_their_id_or_not_objects_are_bad_responses() -> None:
    with pytest.raises(TeamsApiBadResponse):
        TeamMember.from_api({"email": "a@example.com"})
    with pytest.raises(TeamsApiBadResponse):
        Tenant.from_api(["not", "an", "object"])


def test_activity_entry_reads_camel_case_actor_and_open_enums() -> None:
    entry = ActivityLogEntry.from_api(
        {
            "id": "0b7c",
            "type": "Brand New Type",
            "status": "Partial",
            "current_event": "member_invited",
            "created_at": "2024-01-15T09:30:00.000Z",
            "actor": {"id": "u1", "type": "user", "name": "Ann", "isMember": True, "teamRole": "x"},
            "details": None,
            "future_field": {"a": 1},
        }
    )
    assert (entry.type, entry.status) == ("Brand New Type", "Partial")
    assert entry.actor.is_member is True and entry.actor.team_role == "x"
    assert entry.details == {} and entry.ip == ""
    assert entry.created_at == datetime(2024, 1, 15, 9, 30, tzinfo=UTC)


def test_activity_entry_without_a_date_is_a_bad_response() -> None:
    with pytest.raises(TeamsApiBadResponse):
        ActivityLogEntry.from_api({"id": "1", "created_at": None, "actor": None})


def test_error_body_accepts_string_status_and_the_beta_code_field() -> None:
    error = ErrorBody.from_api(
        {"status": "404", "code": "TENANT_NOT_FOUND", "title": "Gone"}, http_status=404
    )
    assert (error.status, error.type, error.title, error.details) == (
        404,
        "TENANT_NOT_FOUND",
        "Gone",
        "",
    )
    assert ErrorBody.from_api("<html>", http_status=502).status == 502


def test_bulk_result_reads_delete_success_shape_and_failures() -> None:
    result = BulkResult.from_api(
        {
            "status_code": 200,
            "message": "Partial success",
            "summary": {"total_count": 3, "success_count": "2", "failure_count": 1},
            "success": [{"tenant_ids": ["t1", "t2"]}],
            "failure": [{"tenant_id": "t3", "status": "404", "code": "NOT_FOUND", "title": "No"}],
        }
    )
    assert result.succeeded_tenant_ids == ["t1", "t2"]
    assert (result.success_count, result.failure_count, result.ok) == (2, 1, False)
    assert result.failures[0].status == 404 and result.failures[0].type == "NOT_FOUND"


def test_member_tenants_accepts_roles_as_objects_or_strings() -> None:
    tenants = MemberTenants.from_api(
        {
            "environment": "US-3",
            "tenants": [
                {
                    "tenant_id": "t1",
                    "domain": "d",
                    "roles": [{"role": "editor-specific-apps", "client_ids": ["abcde"]}, "owner"],
                }
            ],
        }
    )
    roles = tenants.tenants[0].roles
    assert [(r.role, r.client_ids) for r in roles] == [
        ("editor-specific-apps", ["abcde"]),
        ("owner", []),
    ]


def test_errors_survive_pickling_with_their_details() -> None:
    for error in (
        TeamsApiRateLimited(retry_after=3.0, status=429),
        TeamsApiValidationError("Bad", field_errors={"email": ["taken"]}, code="X"),
        NoClientForScope(scope="read:members", feature="list members"),
    ):
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(copy) is type(error)
        assert copy.__dict__ == error.__dict__ and str(copy) == str(error)
