"""Tenants: list/sort/filter, create (public and private), get, delete, tenant members (10-14)."""

from __future__ import annotations

import re

from apps.sandbox.models import SandboxTeam
from tests.fixtures.sandbox import Sandbox
from tests.sandbox.helpers import (
    Api,
    Json,
    assert_error,
    assert_schema,
    contract,
    expect_all,
    fresh_uuid,
    member_path,
    parse_zulu,
)

LOCALITIES: dict[str, str] = {
    k: v
    for k, v in contract()["derived_values"]["public_locality_to_environment"].items()
    if k != "status"
}


def _tenants(api: Api, **params: str) -> list[Json]:
    return api.walk("/api/tenants", "tenants", **params)


def _admin(api: Api) -> Json:
    return next(m for m in api.walk("/api/members", "members") if m["role"] == "teams_owner")


def _private_environment(sandbox: Sandbox) -> tuple[str, str]:
    team = SandboxTeam.objects.get(slug=sandbox.team_slug)
    environment, locality = next(iter(team.private_environments.items()))
    return environment, locality


def _create(api: Api, **payload: object) -> Json:
    response = api.post("/api/tenants", payload)
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def test_tenant_list_matches_the_schema(api: Api) -> None:
    body = api.ok("GET", "/api/tenants")

    assert_schema(body, "ListTenantsResponseContent")
    assert body["tenants"], "the seeded team has tenants"


def _sort_key(tenant: Json) -> tuple[object, str]:
    return parse_zulu(tenant["created_at"]), tenant["tenant_id"]


def test_default_sort_is_newest_first_with_ties_by_tenant_id(api: Api) -> None:
    default = _tenants(api)

    assert default == sorted(default, key=_sort_key, reverse=True)
    assert _tenants(api, sort="created_at:-1") == default


def test_ascending_sort_is_oldest_first(api: Api) -> None:
    ascending = _tenants(api, sort="created_at:1")

    assert ascending == sorted(ascending, key=_sort_key)
    assert {t["tenant_id"] for t in ascending} == {t["tenant_id"] for t in _tenants(api)}


def test_unsupported_sorts_are_rejected(api: Api) -> None:
    expect_all(
        lambda sort: assert_error(api.get("/api/tenants", sort=sort), 400, "VALIDATION_ERROR"),
        ["created_at", "created_at:0", "name:1", "created_at:-1 ", "", "created_at:+1"],
    )


def test_filters_are_exact_matches(api: Api) -> None:
    everything = _tenants(api)

    def check(field: str) -> None:
        value = next(t[field] for t in everything if field in t)
        filtered = _tenants(api, **{field: value})
        assert filtered
        assert filtered == [t for t in everything if t.get(field) == value]

    expect_all(check, ("environment", "environment_tag", "locality"))


def test_free_text_filters_are_case_sensitive(api: Api) -> None:
    tenant = _tenants(api)[0]

    for field in ("environment", "locality"):
        assert _tenants(api, **{field: tenant[field].swapcase()}) == [], field


def test_invalid_tenant_list_queries_are_rejected(api: Api) -> None:
    queries: dict[str, dict[str, str]] = {
        "unknown tag": {"environment_tag": "qa"},
        "empty environment": {"environment": ""},
        "empty locality": {"locality": ""},
        "take zero": {"take": "0"},
        "take 51": {"take": "51"},
        "take not an integer": {"take": "five"},
        "malformed cursor": {"from": "garbage"},
    }

    expect_all(
        lambda case: assert_error(api.get("/api/tenants", **case[1]), 400, "VALIDATION_ERROR"),
        queries.items(),
    )


def test_cursor_reused_with_other_filters_is_rejected(api: Api) -> None:
    first = api.ok("GET", "/api/tenants", take=1)
    assert "next" in first

    response = api.get("/api/tenants", take=1, sort="created_at:1", **{"from": first["next"]})

    assert_error(response, 400, "VALIDATION_ERROR")


def test_tenant_detail_equals_its_list_item(api: Api) -> None:
    tenant = _tenants(api)[0]

    body = api.ok("GET", f"/api/tenants/{tenant['tenant_id']}")

    assert_schema(body, "GetTenantsResponseContent")
    assert body == tenant
    assert "management_client" not in body


def test_malformed_tenant_id_is_a_validation_error(api: Api) -> None:
    assert_error(api.get("/api/tenants/not-a-uuid"), 400, "VALIDATION_ERROR")


def test_unknown_tenant_is_tenant_not_found(api: Api) -> None:
    error = assert_error(api.get(f"/api/tenants/{fresh_uuid()}"), 404, "TENANT_NOT_FOUND")
    assert error["title"] == "The tenant was not found"


def test_public_tenants_are_created_with_derived_environment_and_domain(api: Api) -> None:
    admin = _admin(api)

    def check(locality: str) -> None:
        name = f"new-{locality}-tenant"
        body = _create(api, tenant_name=name, admin_email=admin["email"], locality=locality)
        assert_schema(body, "PublicCloudResponseContent")
        assert body["tenant_name"] == name
        assert body["locality"] == locality
        assert body["environment"] == LOCALITIES[locality]
        assert body["environment_tag"] == "development"
        assert body["domain"] == f"{name}.{locality}.auth0.com"
        client = body["management_client"]
        assert re.fullmatch(r"[A-Za-z0-9]{32}", client["client_id"])
        assert re.fullmatch(r"[A-Za-z0-9_-]{64}", client["client_secret"])
        stored = api.ok("GET", f"/api/tenants/{body['tenant_id']}")
        assert stored == {k: v for k, v in body.items() if k != "management_client"}

    expect_all(check, LOCALITIES)


def test_tenant_creator_becomes_its_owner(api: Api) -> None:
    admin = _admin(api)

    body = _create(
        api,
        tenant_name="owned-tenant",
        admin_email=admin["email"],
        locality="eu",
        environment_tag="staging",
    )

    assert body["environment_tag"] == "staging"
    members = api.walk(f"/api/tenants/{body['tenant_id']}/members", "members")
    assert [(m["id"], m["roles"]) for m in members] == [(admin["id"], ["owner"])]


def test_omitted_tenant_name_is_generated(api: Api) -> None:
    body = _create(api, admin_email=_admin(api)["email"], locality="us")

    assert re.fullmatch(r"dev-[a-z0-9]{12}", body["tenant_name"])


def test_private_tenant_is_created_without_locality_or_tag(sandbox: Sandbox, api: Api) -> None:
    environment, locality = _private_environment(sandbox)

    body = _create(
        api, tenant_name="private-one", admin_email=_admin(api)["email"], environment=environment
    )

    assert_schema(body, "PrivateCloudResponseContent")
    assert body["environment"] == environment
    assert body["domain"] == f"private-one.{environment}.auth0app.com"
    stored = api.ok("GET", f"/api/tenants/{body['tenant_id']}")
    assert "environment_tag" not in stored
    assert stored["locality"] == locality
    assert environment in api.ok("GET", "/api/environments")["environments"]


INVALID_CREATES: dict[str, Json] = {
    "both locality and environment": {"locality": "us", "environment": "acme-dev"},
    "neither locality nor environment": {},
    "unknown field": {"locality": "us", "region": "us"},
    "tag on a private payload": {"environment": "acme-dev", "environment_tag": "production"},
    "unknown tag": {"locality": "us", "environment_tag": "qa"},
    "unknown locality": {"locality": "mars"},
    "locality too long": {"locality": "toolong"},
    "malformed private environment": {"environment": "Acme_Dev"},
    "name starting with a dash": {"locality": "us", "tenant_name": "-abc"},
    "name ending with a dash": {"locality": "us", "tenant_name": "abc-"},
    "name with capitals": {"locality": "us", "tenant_name": "Acme"},
    "name too short": {"locality": "us", "tenant_name": "ab"},
    "name with underscore": {"locality": "us", "tenant_name": "acme_dev"},
    "malformed admin email": {"locality": "us", "admin_email": "nobody"},
    "missing admin email": {"locality": "us", "admin_email": None},
}


def test_invalid_tenant_payloads_are_rejected(api: Api) -> None:
    admin_email = _admin(api)["email"]

    def check(case: str) -> None:
        payload: Json = {"admin_email": admin_email, **INVALID_CREATES[case]}
        payload = {k: v for k, v in payload.items() if v is not None}
        assert_error(api.post("/api/tenants", payload), 400, "VALIDATION_ERROR")

    expect_all(check, sorted(INVALID_CREATES))


def test_name_of_sixty_four_characters_is_rejected(api: Api) -> None:
    # §6 TenantName is 3-63 characters even though its pattern alone would admit 64.
    payload = {"tenant_name": "a" * 64, "admin_email": _admin(api)["email"], "locality": "us"}

    assert_error(api.post("/api/tenants", payload), 400, "VALIDATION_ERROR")


def test_name_of_sixty_three_characters_is_accepted(api: Api) -> None:
    name = "a" + "-b" * 30 + "cd"

    assert len(name) == 63
    assert (
        _create(api, tenant_name=name, admin_email=_admin(api)["email"], locality="us")[
            "tenant_name"
        ]
        == name
    )


def test_taken_tenant_name_is_a_conflict(api: Api) -> None:
    existing = _tenants(api)[0]

    response = api.post(
        "/api/tenants",
        {
            "tenant_name": existing["tenant_name"],
            "admin_email": _admin(api)["email"],
            "locality": "us",
        },
    )

    error = assert_error(response, 409, "TENANT_ALREADY_EXISTS")
    assert error["title"] == "A tenant with the same name already exists"


def test_admin_email_of_a_non_member_is_member_not_found(api: Api) -> None:
    response = api.post("/api/tenants", {"admin_email": "stranger@example.com", "locality": "us"})

    assert_error(response, 404, "MEMBER_NOT_FOUND")


def test_unknown_private_environment_is_environment_not_found(api: Api) -> None:
    response = api.post(
        "/api/tenants", {"admin_email": _admin(api)["email"], "environment": "no-such-space"}
    )

    assert_error(response, 404, "ENVIRONMENT_NOT_FOUND")


def test_private_payload_without_the_beta_is_refused(sandbox: Sandbox, api: Api) -> None:
    environment, _ = _private_environment(sandbox)
    SandboxTeam.objects.filter(slug=sandbox.team_slug).update(private_cloud_enabled=False)

    response = api.post(
        "/api/tenants", {"admin_email": _admin(api)["email"], "environment": environment}
    )

    assert_error(response, 403, "PRIVATE_CLOUD_NOT_ENABLED")
    assert all(t["environment"] != environment for t in _tenants(api))


def test_private_tenants_are_listed_only_with_the_beta(sandbox: Sandbox, api: Api) -> None:
    with_beta = _tenants(api)
    assert any(t["domain"].endswith(".auth0app.com") for t in with_beta)
    SandboxTeam.objects.filter(slug=sandbox.team_slug).update(private_cloud_enabled=False)

    without_beta = _tenants(api)

    assert without_beta == [t for t in with_beta if not t["domain"].endswith(".auth0app.com")]


def test_tenant_limit_is_enforced(sandbox: Sandbox, api: Api) -> None:
    SandboxTeam.objects.filter(slug=sandbox.team_slug).update(tenant_limit=len(_tenants(api)))

    response = api.post("/api/tenants", {"admin_email": _admin(api)["email"], "locality": "us"})

    error = assert_error(response, 403, "TENANT_LIMIT_REACHED")
    assert error["title"] == "You have reached the limit for tenants in your current plan"


def test_deleting_a_tenant_removes_it_and_everyones_access(api: Api) -> None:
    tenant = max(
        _tenants(api),
        key=lambda t: len(api.walk(f"/api/tenants/{t['tenant_id']}/members", "members")),
    )
    holders = api.walk(f"/api/tenants/{tenant['tenant_id']}/members", "members")
    assert holders, "some member can access the busiest tenant"

    response = api.delete(f"/api/tenants/{tenant['tenant_id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_error(api.get(f"/api/tenants/{tenant['tenant_id']}"), 404, "TENANT_NOT_FOUND")
    assert_error(api.get(f"/api/tenants/{tenant['tenant_id']}/members"), 404, "TENANT_NOT_FOUND")
    for holder in holders:
        view = api.ok("GET", member_path(holder["id"], f"/tenants/{tenant['environment']}"))
        assert tenant["tenant_id"] not in {item["tenant_id"] for item in view["tenants"]}


def test_deleting_an_unknown_tenant_is_tenant_not_found(api: Api) -> None:
    assert_error(api.delete(f"/api/tenants/{fresh_uuid()}"), 404, "TENANT_NOT_FOUND")


def test_deleting_a_malformed_tenant_id_is_a_validation_error(api: Api) -> None:
    assert_error(api.delete("/api/tenants/123"), 400, "VALIDATION_ERROR")


def test_tenant_members_match_the_schema_and_are_ordered_by_id(api: Api) -> None:
    tenant = _tenants(api)[0]
    body = api.ok("GET", f"/api/tenants/{tenant['tenant_id']}/members")

    assert_schema(body, "ListTenantsMembersResponseContent")
    members = api.walk(f"/api/tenants/{tenant['tenant_id']}/members", "members")
    assert [m["id"] for m in members] == sorted(m["id"] for m in members)
    team = {m["id"]: m for m in api.walk("/api/members", "members")}
    for member in members:
        assert member["roles"]
        for key in ("name", "email", "given_name", "family_name", "nickname"):
            assert member[key] == team[member["id"]][key]


def test_tenant_members_of_an_unknown_tenant_is_tenant_not_found(api: Api) -> None:
    assert_error(api.get(f"/api/tenants/{fresh_uuid()}/members"), 404, "TENANT_NOT_FOUND")


def test_tenant_members_take_is_validated(api: Api) -> None:
    path = f"/api/tenants/{_tenants(api)[0]['tenant_id']}/members"

    expect_all(
        lambda take: assert_error(api.get(path, take=take), 400, "VALIDATION_ERROR"),
        ("0", "51", "x"),
    )
