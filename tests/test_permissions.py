"""Walks the URLconf: who may reach what.

Every dashboard route needs a login; auditors change nothing (403 on every POST); helpdesk never
deletes or removes anything. New routes are covered automatically.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.urlwalk import Route, routes

# Routes that are public by design: signing in, Django's admin (own login), the sandbox API and
# the site icon.
PUBLIC_PREFIXES = ("accounts/login/", "admin/", "sandbox/", "static/", "favicon.ico")
DESTRUCTIVE = re.compile(r"(delete|remove|revoke)")
ROUTES = routes(skip=PUBLIC_PREFIXES)


def test_the_walk_finds_the_dashboard_routes() -> None:
    names = {route.name for route in ROUTES}
    assert "core:home" in names
    assert "accounts:logout" in names


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_every_route_needs_a_login(client: Client, route: Route) -> None:
    for method in (client.get, client.post):
        response = method(route.url)
        assert response.status_code == 302, (
            f"{route.name} answered {response.status_code} to an anonymous user"
        )
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_auditors_cannot_post_anywhere(auditor_client: Client, route: Route) -> None:
    if route.name == "accounts:logout":
        return
    response = auditor_client.post(route.url)
    assert response.status_code in (403, 405), (
        f"{route.name} let an auditor POST ({response.status_code})"
    )


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if DESTRUCTIVE.search(r.name)], ids=lambda r: r.name
)
def test_helpdesk_cannot_delete_or_remove(helpdesk_client: Client, route: Route) -> None:
    response = helpdesk_client.post(route.url)
    assert response.status_code in (403, 405), (
        f"{route.name} let helpdesk POST ({response.status_code})"
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_no_route_fails_with_a_server_error_for_any_role(
    owner_client: Client, helpdesk_client: Client, auditor_client: Client, route: Route
) -> None:
    for client in (owner_client, helpdesk_client, auditor_client):
        response = client.get(route.url)
        assert response.status_code < 500, f"{route.name} answered {response.status_code}"


def test_dashboard_actions_page_is_walked_and_open_to_owners_and_auditors_only(
    owner_client: Client, helpdesk_client: Client, auditor_client: Client
) -> None:
    assert "audit:list" in {route.name for route in ROUTES}
    statuses = [
        c.get("/audit/").status_code for c in (owner_client, auditor_client, helpdesk_client)
    ]
    assert statuses == [200, 200, 403]
