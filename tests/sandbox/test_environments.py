"""Environments (endpoint 15): derived from the team's current tenants, not paginated."""

from __future__ import annotations

from tests.sandbox.helpers import Api, Json, assert_schema


def _owner(api: Api) -> Json:
    return next(m for m in api.walk("/api/members", "members") if m["role"] == "teams_owner")


def _environments(api: Api) -> list[str]:
    body = api.ok("GET", "/api/environments")
    assert_schema(body, "ListEnvironmentsResponseContent")
    assert "next" not in body
    environments: list[str] = body["environments"]
    return environments


def test_environments_are_those_of_the_current_tenants(api: Api) -> None:
    environments = _environments(api)

    assert len(environments) == len(set(environments))
    assert set(environments) == {t["environment"] for t in api.walk("/api/tenants", "tenants")}


def test_environments_ignore_paging_parameters(api: Api) -> None:
    response = api.get("/api/environments", take="1")

    assert response.status_code == 200
    assert set(response.json()["environments"]) == set(_environments(api))


def test_a_tenant_in_a_new_region_adds_its_environment(api: Api) -> None:
    used = set(_environments(api))
    locality, environment = next(
        (loc, env)
        for loc, env in [("jp", "JP-1"), ("ca", "CA-1"), ("uk", "UK-1"), ("au", "AU-1")]
        if env not in used
    )

    created = api.post("/api/tenants", {"admin_email": _owner(api)["email"], "locality": locality})

    assert created.status_code == 201
    assert environment in _environments(api)
    api.delete(f"/api/tenants/{created.json()['tenant_id']}")
    assert environment not in _environments(api)


def test_deleting_every_tenant_of_an_environment_removes_it(api: Api) -> None:
    tenants = api.walk("/api/tenants", "tenants")
    environment = min(
        {t["environment"] for t in tenants},
        key=lambda env: sum(t["environment"] == env for t in tenants),
    )

    for tenant in tenants:
        if tenant["environment"] == environment:
            assert api.delete(f"/api/tenants/{tenant['tenant_id']}").status_code == 204

    assert environment not in _environments(api)
