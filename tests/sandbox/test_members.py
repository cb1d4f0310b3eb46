"""Team members and invitations: endpoints 1-5 of CONTRACT.md §5, with §6 schemas."""

from __future__ import annotations

from tests.fixtures.sandbox import Sandbox
from tests.sandbox.helpers import (
    UNKNOWN_MEMBER_ID,
    Api,
    Json,
    assert_error,
    assert_schema,
    enum_values,
    expect_all,
    fresh_uuid,
    member_path,
)


def _members(api: Api) -> list[Json]:
    return api.walk("/api/members", "members")


def _tenants(api: Api) -> list[Json]:
    return api.walk("/api/tenants", "tenants")


def _non_owner(api: Api) -> Json:
    return next(m for m in _members(api) if m["role"] != "teams_owner")


def _invite(api: Api, email: str, **extra: object) -> Json:
    response = api.post("/api/members", {"email": email, "role": "teams_contributor", **extra})
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def test_member_list_matches_the_schema_and_is_ordered_by_id(api: Api) -> None:
    body = api.ok("GET", "/api/members")

    assert_schema(body, "ListMembersResponseContent")
    members = _members(api)
    assert members, "the seeded team has members"
    ids = [m["id"] for m in members]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert {m["role"] for m in members} <= set(enum_values("TeamMemberRoleEnum"))


def test_member_list_respects_take_and_omits_next_on_the_last_page(api: Api) -> None:
    total = len(_members(api))
    take = max(1, total // 3)

    pages = list(api.pages("/api/members", "members", take=take))

    assert all(len(page) <= take for page in pages)
    assert sum(len(page) for page in pages) == total
    last = api.ok("GET", "/api/members", take=50)
    if total <= 50:
        assert "next" not in last


def test_explicit_default_take_is_accepted(api: Api) -> None:
    assert api.get("/api/members", take=50).status_code == 200


def test_take_outside_one_to_fifty_or_not_an_integer_is_rejected(api: Api) -> None:
    expect_all(
        lambda take: assert_error(api.get("/api/members", take=take), 400, "VALIDATION_ERROR"),
        ["0", "51", "-1", "abc", "1.5", ""],
    )


def test_malformed_cursor_is_rejected(api: Api) -> None:
    assert_error(api.get("/api/members", **{"from": "not-a-cursor"}), 400, "VALIDATION_ERROR")


def test_member_detail_matches_the_schema(api: Api) -> None:
    member = _members(api)[0]

    response = api.get(member_path(member["id"]))

    assert response.status_code == 200
    assert_schema(response.json(), "GetMembersResponseContent")
    assert response.json() == member


def test_member_id_with_a_raw_pipe_is_accepted(api: Api) -> None:
    member = next(m for m in _members(api) if "|" in m["id"])

    response = api.get("/api/members/" + member["id"])

    assert response.status_code == 200
    assert response.json()["id"] == member["id"]


def test_unknown_member_is_member_not_found(api: Api) -> None:
    assert_error(api.get(member_path(UNKNOWN_MEMBER_ID)), 404, "MEMBER_NOT_FOUND")


def test_invitation_is_created_with_an_invitation_id(api: Api) -> None:
    response = api.post(
        "/api/members", {"email": "new.person@example.com", "role": "teams_contributor"}
    )

    assert response.status_code == 201
    body = response.json()
    assert_schema(body, "InviteMembersResponseContent")
    assert body["id"].startswith("invite_")
    assert body["email"] == "new.person@example.com"
    assert body["role"] == "teams_contributor"
    assert "tenant_ids" not in body and "client_ids" not in body


def test_invitation_with_tenant_access_echoes_it(api: Api) -> None:
    tenant = _tenants(api)[0]

    body = _invite(
        api,
        "with.access@example.com",
        tenant_ids=[tenant["tenant_id"]],
        tenant_roles=["viewer-config"],
    )

    assert body["tenant_ids"] == [tenant["tenant_id"]]
    assert body["tenant_roles"] == ["viewer-config"]


def test_pending_invitee_is_not_a_member_until_accepted(sandbox: Sandbox, api: Api) -> None:
    by_environment: dict[str, list[Json]] = {}
    for tenant in _tenants(api):
        by_environment.setdefault(tenant["environment"], []).append(tenant)
    environment, tenants = max(by_environment.items(), key=lambda item: len(item[1]))
    tenant_ids = [t["tenant_id"] for t in tenants[:2]]
    _invite(
        api,
        "pending@example.com",
        tenant_ids=tenant_ids,
        tenant_roles=["viewer-users", "editor-kms"],
    )
    assert "pending@example.com" not in {m["email"] for m in _members(api)}

    sandbox.accept_invitation("pending@example.com")

    member = next(m for m in _members(api) if m["email"] == "pending@example.com")
    assert member["role"] == "teams_contributor"
    assert member["id"].startswith("auth0|")
    access = api.ok("GET", member_path(member["id"], "/tenants/" + environment))
    # Every invited role is granted on every invited tenant.
    assert {
        item["tenant_id"]: sorted(r["role"] for r in item["roles"]) for item in access["tenants"]
    } == {tenant_id: ["editor-kms", "viewer-users"] for tenant_id in tenant_ids}


def test_reinviting_a_pending_email_replaces_the_invitation(sandbox: Sandbox, api: Api) -> None:
    first = _invite(api, "twice@example.com")

    second = api.post("/api/members", {"email": "twice@example.com", "role": "teams_report_viewer"})

    assert second.status_code == 201
    assert second.json()["id"] != first["id"]
    sandbox.accept_invitation("twice@example.com")
    joined = [m for m in _members(api) if m["email"] == "twice@example.com"]
    assert [m["role"] for m in joined] == ["teams_report_viewer"]


def test_inviting_an_existing_member_is_member_already_exists(api: Api) -> None:
    member = _members(api)[0]

    response = api.post("/api/members", {"email": member["email"], "role": "teams_contributor"})

    assert_error(response, 400, "MEMBER_ALREADY_EXISTS")


def test_invite_for_an_unknown_tenant_is_tenant_not_found(api: Api) -> None:
    response = api.post(
        "/api/members",
        {
            "email": "lost@example.com",
            "role": "teams_contributor",
            "tenant_ids": [fresh_uuid()],
            "tenant_roles": ["owner"],
        },
    )

    assert_error(response, 404, "TENANT_NOT_FOUND")


TENANT = "TENANT_ID"
INVALID_INVITES: dict[str, Json] = {
    "unknown field": {"email": "a@example.com", "role": "teams_contributor", "name": "A"},
    "missing email": {"role": "teams_contributor"},
    "missing role": {"email": "a@example.com"},
    "malformed email": {"email": "not-an-email", "role": "teams_contributor"},
    "unknown team role": {"email": "a@example.com", "role": "teams_admin"},
    "role not a string": {"email": "a@example.com", "role": 3},
    "tenant ids without roles": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [TENANT],
    },
    "tenant roles without ids": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_roles": ["owner"],
    },
    "empty tenant ids": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [],
        "tenant_roles": ["owner"],
    },
    "malformed tenant id": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": ["nope"],
        "tenant_roles": ["owner"],
    },
    "unknown tenant role": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [TENANT],
        "tenant_roles": ["admin"],
    },
    "specific apps without client ids": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [TENANT],
        "tenant_roles": ["editor-specific-apps"],
    },
    "client ids without specific apps": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [TENANT],
        "tenant_roles": ["owner"],
        "client_ids": ["abcdef"],
    },
    "client id too short": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [TENANT],
        "tenant_roles": ["editor-specific-apps"],
        "client_ids": ["abcd"],
    },
    "client id too long": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [TENANT],
        "tenant_roles": ["editor-specific-apps"],
        "client_ids": ["a" * 51],
    },
    "client id with a bad character": {
        "email": "a@example.com",
        "role": "teams_contributor",
        "tenant_ids": [TENANT],
        "tenant_roles": ["editor-specific-apps"],
        "client_ids": ["abc def"],
    },
}


def test_invalid_invitations_are_rejected(api: Api) -> None:
    tenant_id = _tenants(api)[0]["tenant_id"]

    def check(case: str) -> None:
        body = {
            key: [tenant_id if v == TENANT else v for v in value]
            if isinstance(value, list)
            else value
            for key, value in INVALID_INVITES[case].items()
        }
        assert_error(api.post("/api/members", body), 400, "VALIDATION_ERROR")

    expect_all(check, sorted(INVALID_INVITES))


def test_non_json_body_is_rejected(api: Api) -> None:
    response = api.request(
        "POST", "/api/members", headers={"Content-Type": "application/json"}, json_body=None
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    raw = api.raw(
        "POST", "/api/members", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(raw, 400, "VALIDATION_ERROR")


def test_role_change_returns_the_full_member(api: Api) -> None:
    member = _non_owner(api)
    new_role = (
        "teams_report_viewer" if member["role"] != "teams_report_viewer" else "teams_tenant_manager"
    )

    response = api.patch(member_path(member["id"]), {"role": new_role})

    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "UpdateMembersResponseContent")
    assert body == {**member, "role": new_role}
    assert api.ok("GET", member_path(member["id"]))["role"] == new_role


def test_invalid_role_changes_are_rejected(api: Api) -> None:
    path = member_path(_non_owner(api)["id"])
    bodies: dict[str, Json] = {
        "unknown role": {"role": "superuser"},
        "extra field": {"role": "teams_owner", "email": "x@example.com"},
        "empty body": {},
        "null role": {"role": None},
    }

    expect_all(
        lambda case: assert_error(api.patch(path, case[1]), 400, "VALIDATION_ERROR"),
        bodies.items(),
    )


def test_role_change_of_an_unknown_member_is_member_not_found(api: Api) -> None:
    response = api.patch(member_path(UNKNOWN_MEMBER_ID), {"role": "teams_contributor"})

    assert_error(response, 404, "MEMBER_NOT_FOUND")


def _single_owner(api: Api) -> Json:
    owners = [m for m in _members(api) if m["role"] == "teams_owner"]
    for extra in owners[1:]:
        api.ok("PATCH", member_path(extra["id"]), {"role": "teams_contributor"})
    return owners[0]


def test_demoting_the_last_owner_is_refused(api: Api) -> None:
    last = _single_owner(api)

    response = api.patch(member_path(last["id"]), {"role": "teams_contributor"})

    assert_error(response, 400, "LAST_OWNER")
    assert api.ok("GET", member_path(last["id"]))["role"] == "teams_owner"


def test_deleting_the_last_owner_is_refused(api: Api) -> None:
    last = _single_owner(api)

    assert_error(api.delete(member_path(last["id"])), 400, "LAST_OWNER")
    assert api.get(member_path(last["id"])).status_code == 200


def test_deleting_a_member_removes_them_and_their_tenant_access(api: Api) -> None:
    tenant = _tenants(api)[0]
    member = _non_owner(api)
    api.put(
        member_path(member["id"], "/tenants"),
        {"tenants": [tenant["tenant_id"]], "roles": ["viewer-users"]},
    )
    assert member["id"] in {
        m["id"] for m in api.walk(f"/api/tenants/{tenant['tenant_id']}/members", "members")
    }

    response = api.delete(member_path(member["id"]))

    assert response.status_code == 204
    assert response.content == b""
    assert_error(api.get(member_path(member["id"])), 404, "MEMBER_NOT_FOUND")
    assert member["id"] not in {m["id"] for m in _members(api)}
    for each in _tenants(api):
        listed = api.walk(f"/api/tenants/{each['tenant_id']}/members", "members")
        assert member["id"] not in {m["id"] for m in listed}


def test_deleting_an_unknown_member_is_member_not_found(api: Api) -> None:
    assert_error(api.delete(member_path(UNKNOWN_MEMBER_ID)), 404, "MEMBER_NOT_FOUND")
