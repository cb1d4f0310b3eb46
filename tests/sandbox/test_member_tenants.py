"""Member tenant access: bulk PUT/PATCH/DELETE and the per-environment view (endpoints 6-9)."""

from __future__ import annotations

from tests.sandbox.helpers import (
    UNKNOWN_MEMBER_ID,
    Api,
    Json,
    assert_error,
    assert_schema,
    expect_all,
    fresh_uuid,
    member_path,
)


def _tenants(api: Api) -> list[Json]:
    return api.walk("/api/tenants", "tenants")


def _member_without_access(api: Api) -> Json:
    """A non-owner member stripped of all tenant access, so each test starts from nothing."""
    member = next(m for m in api.walk("/api/members", "members") if m["role"] != "teams_owner")
    tenant_ids = [t["tenant_id"] for t in _access(api, member["id"])]
    for start in range(0, len(tenant_ids), 10):
        response = api.delete(
            member_path(member["id"], "/tenants"), {"tenants": tenant_ids[start : start + 10]}
        )
        assert response.status_code == 204
    return member


def _access(api: Api, member_id: str) -> list[Json]:
    environments = api.ok("GET", "/api/environments")["environments"]
    items = []
    for environment in environments:
        items += api.ok("GET", member_path(member_id, f"/tenants/{environment}"))["tenants"]
    return items


def _roles_by_tenant(api: Api, member_id: str) -> dict[str, list[Json]]:
    return {item["tenant_id"]: item["roles"] for item in _access(api, member_id)}


def test_put_granting_every_tenant_answers_204_without_body(api: Api) -> None:
    member = _member_without_access(api)
    tenant_ids = [t["tenant_id"] for t in _tenants(api)[:2]]

    response = api.put(
        member_path(member["id"], "/tenants"),
        {"tenants": tenant_ids, "roles": ["viewer-config", "editor-users"]},
    )

    assert response.status_code == 204
    assert response.content == b""
    granted = _roles_by_tenant(api, member["id"])
    assert set(granted) == set(tenant_ids)
    for roles in granted.values():
        assert sorted(r["role"] for r in roles) == ["editor-users", "viewer-config"]
        assert all("client_ids" not in r for r in roles)


def test_put_with_some_failures_answers_200_with_items(api: Api) -> None:
    member = _member_without_access(api)
    first, second = (t["tenant_id"] for t in _tenants(api)[:2])
    api.put(member_path(member["id"], "/tenants"), {"tenants": [first], "roles": ["viewer-users"]})
    stranger = fresh_uuid()

    response = api.put(
        member_path(member["id"], "/tenants"),
        {"tenants": [first, second, stranger], "roles": ["viewer-users"]},
    )

    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "CreateMembersTenantsResponseContent")
    assert body["status_code"] == 200
    assert body["message"]
    assert body["summary"] == {"total_count": 3, "success_count": 1, "failure_count": 2}
    assert body["success"] == [{"tenant_id": second, "roles": ["viewer-users"]}]
    failures = {item["tenant_id"]: item for item in body["failure"]}
    assert failures[first] == {
        "tenant_id": first,
        "status": 409,
        "type": "TENANT_ALREADY_EXISTS",
        "title": "This tenant is already added",
    }
    assert failures[stranger] == {
        "tenant_id": stranger,
        "status": 404,
        "type": "NOT_FOUND",
        "title": "Tenant not found",
    }


def test_put_where_every_tenant_fails_still_answers_200(api: Api) -> None:
    member = _member_without_access(api)

    response = api.put(
        member_path(member["id"], "/tenants"), {"tenants": [fresh_uuid()], "roles": ["owner"]}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["success"] == []
    assert body["summary"] == {"total_count": 1, "success_count": 0, "failure_count": 1}


def test_specific_apps_role_stores_client_ids(api: Api) -> None:
    member = _member_without_access(api)
    tenant = _tenants(api)[0]

    response = api.put(
        member_path(member["id"], "/tenants"),
        {
            "tenants": [tenant["tenant_id"]],
            "roles": ["editor-specific-apps", "viewer-users"],
            "client_ids": ["appClient01"],
        },
    )

    assert response.status_code == 204
    view = api.ok("GET", member_path(member["id"], f"/tenants/{tenant['environment']}"))
    assert_schema(view, "ListMembersTenantsResponseContent")
    roles = {r["role"]: r for r in view["tenants"][0]["roles"]}
    assert roles["editor-specific-apps"] == {
        "role": "editor-specific-apps",
        "client_ids": ["appClient01"],
    }
    assert roles["viewer-users"] == {"role": "viewer-users"}


BAD_BODIES: dict[str, Json] = {
    "no tenants": {"tenants": [], "roles": ["owner"]},
    "eleven tenants": {"tenants": ["MANY"], "roles": ["owner"]},
    "malformed uuid": {"tenants": ["not-a-uuid"], "roles": ["owner"]},
    "no roles": {"tenants": ["ONE"], "roles": []},
    "unknown role": {"tenants": ["ONE"], "roles": ["admin"]},
    "unknown field": {"tenants": ["ONE"], "roles": ["owner"], "note": "x"},
    "missing roles": {"tenants": ["ONE"]},
    "specific apps without client ids": {"tenants": ["ONE"], "roles": ["editor-specific-apps"]},
    "client ids without specific apps": {
        "tenants": ["ONE"],
        "roles": ["owner"],
        "client_ids": ["appClient01"],
    },
    "client id too short": {
        "tenants": ["ONE"],
        "roles": ["editor-specific-apps"],
        "client_ids": ["abc"],
    },
}


def _fill(body: Json, tenant_id: str) -> Json:
    filled = dict(body)
    if filled.get("tenants") == ["MANY"]:
        filled["tenants"] = [fresh_uuid() for _ in range(11)]
    elif filled.get("tenants") == ["ONE"]:
        filled["tenants"] = [tenant_id]
    return filled


def test_invalid_bulk_grants_are_rejected_as_a_whole(api: Api) -> None:
    member = _member_without_access(api)
    tenant_id = _tenants(api)[0]["tenant_id"]
    path = member_path(member["id"], "/tenants")

    expect_all(
        lambda case: assert_error(
            api.request(case[0], path, json_body=_fill(BAD_BODIES[case[1]], tenant_id)),
            400,
            "VALIDATION_ERROR",
        ),
        ((method, case) for method in ("PUT", "PATCH") for case in sorted(BAD_BODIES)),
    )
    assert _access(api, member["id"]) == []


def test_invalid_bulk_removals_are_rejected(api: Api) -> None:
    member = _member_without_access(api)
    tenant_id = _tenants(api)[0]["tenant_id"]
    path = member_path(member["id"], "/tenants")
    bodies: dict[str, Json] = {
        "no tenants": {"tenants": []},
        "eleven tenants": {"tenants": ["MANY"]},
        "malformed uuid": {"tenants": ["not-a-uuid"]},
        "unknown field": {"tenants": ["ONE"], "roles": ["owner"]},
        "missing tenants": {},
    }

    expect_all(
        lambda case: assert_error(
            api.delete(path, _fill(case[1], tenant_id)), 400, "VALIDATION_ERROR"
        ),
        bodies.items(),
    )


def test_ten_tenants_in_one_call_are_allowed(api: Api) -> None:
    member = _member_without_access(api)
    tenant_ids = [t["tenant_id"] for t in _tenants(api)][:10]
    tenant_ids += [fresh_uuid() for _ in range(10 - len(tenant_ids))]

    response = api.put(
        member_path(member["id"], "/tenants"), {"tenants": tenant_ids, "roles": ["viewer-users"]}
    )

    assert response.status_code in (200, 204)


def test_bulk_calls_for_an_unknown_member_are_member_not_found(api: Api) -> None:
    tenant_id = _tenants(api)[0]["tenant_id"]
    path = member_path(UNKNOWN_MEMBER_ID, "/tenants")
    bodies: dict[str, Json] = {
        "PUT": {"tenants": [tenant_id], "roles": ["owner"]},
        "PATCH": {"tenants": [tenant_id], "roles": ["owner"]},
        "DELETE": {"tenants": [tenant_id]},
    }

    expect_all(
        lambda case: assert_error(
            api.request(case[0], path, json_body=case[1]), 404, "MEMBER_NOT_FOUND"
        ),
        bodies.items(),
    )


def test_patch_replaces_roles_on_accessible_tenants(api: Api) -> None:
    member = _member_without_access(api)
    tenant_id = _tenants(api)[0]["tenant_id"]
    api.put(
        member_path(member["id"], "/tenants"),
        {"tenants": [tenant_id], "roles": ["owner", "viewer-users"]},
    )

    response = api.patch(
        member_path(member["id"], "/tenants"), {"tenants": [tenant_id], "roles": ["editor-kms"]}
    )

    assert response.status_code == 204
    assert _roles_by_tenant(api, member["id"]) == {tenant_id: [{"role": "editor-kms"}]}


def test_patch_on_a_tenant_without_access_is_a_failure_item(api: Api) -> None:
    member = _member_without_access(api)
    accessible, other = (t["tenant_id"] for t in _tenants(api)[:2])
    api.put(member_path(member["id"], "/tenants"), {"tenants": [accessible], "roles": ["owner"]})

    response = api.patch(
        member_path(member["id"], "/tenants"),
        {"tenants": [accessible, other], "roles": ["viewer-config"]},
    )

    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "UpdateMembersTenantsResponseContent")
    assert body["success"] == [{"tenant_id": accessible, "roles": ["viewer-config"]}]
    assert body["failure"] == [
        {
            "tenant_id": other,
            "status": 404,
            "type": "NOT_FOUND",
            "title": "Member has no access to this tenant",
        }
    ]
    assert body["summary"] == {"total_count": 2, "success_count": 1, "failure_count": 1}


def test_patch_with_client_ids_allows_only_one_tenant(api: Api) -> None:
    member = _member_without_access(api)
    first, second = (t["tenant_id"] for t in _tenants(api)[:2])
    api.put(member_path(member["id"], "/tenants"), {"tenants": [first, second], "roles": ["owner"]})
    path = member_path(member["id"], "/tenants")

    too_many = api.patch(
        path,
        {
            "tenants": [first, second],
            "roles": ["editor-specific-apps"],
            "client_ids": ["appClient01"],
        },
    )
    single = api.patch(
        path, {"tenants": [first], "roles": ["editor-specific-apps"], "client_ids": ["appClient01"]}
    )

    assert_error(too_many, 400, "VALIDATION_ERROR")
    assert single.status_code == 204
    assert _roles_by_tenant(api, member["id"])[first] == [
        {"role": "editor-specific-apps", "client_ids": ["appClient01"]}
    ]


def test_delete_removes_access_and_answers_204(api: Api) -> None:
    member = _member_without_access(api)
    tenant_ids = [t["tenant_id"] for t in _tenants(api)[:2]]
    api.put(member_path(member["id"], "/tenants"), {"tenants": tenant_ids, "roles": ["owner"]})

    response = api.delete(member_path(member["id"], "/tenants"), {"tenants": tenant_ids})

    assert response.status_code == 204
    assert response.content == b""
    assert _access(api, member["id"]) == []


def test_partial_delete_lists_removed_ids_in_one_success_item(api: Api) -> None:
    member = _member_without_access(api)
    first, second, third = (t["tenant_id"] for t in _tenants(api)[:3])
    api.put(member_path(member["id"], "/tenants"), {"tenants": [first, second], "roles": ["owner"]})

    response = api.delete(
        member_path(member["id"], "/tenants"), {"tenants": [first, second, third]}
    )

    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "DeleteMembersTenantsResponseContent")
    assert len(body["success"]) == 1
    assert sorted(body["success"][0]["tenant_ids"]) == sorted([first, second])
    assert body["failure"] == [
        {
            "tenant_id": third,
            "status": 404,
            "type": "NOT_FOUND",
            "title": "Member has no access to this tenant",
        }
    ]
    assert body["summary"] == {"total_count": 3, "success_count": 2, "failure_count": 1}


def test_environment_view_echoes_the_environment_and_lists_matching_tenants(api: Api) -> None:
    member = _member_without_access(api)
    tenants = _tenants(api)
    tenant = tenants[0]
    api.put(
        member_path(member["id"], "/tenants"),
        {"tenants": [t["tenant_id"] for t in tenants[:10]], "roles": ["viewer-users"]},
    )

    view = api.ok("GET", member_path(member["id"], f"/tenants/{tenant['environment']}"))

    assert_schema(view, "ListMembersTenantsResponseContent")
    assert view["environment"] == tenant["environment"]
    expected = {
        t["tenant_id"]: t["domain"]
        for t in tenants[:10]
        if t["environment"] == tenant["environment"]
    }
    assert {item["tenant_id"]: item["domain"] for item in view["tenants"]} == expected


def test_environment_view_without_access_is_an_empty_list(api: Api) -> None:
    member = _member_without_access(api)
    environment = _tenants(api)[0]["environment"]

    view = api.ok("GET", member_path(member["id"], f"/tenants/{environment}"))

    assert view == {"environment": environment, "tenants": []}


def test_environment_view_of_an_unknown_environment_is_environment_not_found(api: Api) -> None:
    member = _member_without_access(api)

    response = api.get(member_path(member["id"], "/tenants/XX-9"))

    assert_error(response, 404, "ENVIRONMENT_NOT_FOUND")


def test_environment_view_of_an_unknown_member_is_member_not_found(api: Api) -> None:
    environment = _tenants(api)[0]["environment"]

    assert_error(
        api.get(member_path(UNKNOWN_MEMBER_ID, f"/tenants/{environment}")), 404, "MEMBER_NOT_FOUND"
    )
