"""Walks the URLconf: who may reach what.

Every dashboard route needs a login; auditors change nothing (403 on every POST); helpdesk never
deletes or removes anything; and TABLE declares, for every route and method, the roles it serves.
New routes are covered automatically and fail until they are declared.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.urlwalk import Route, routes

# Routes that are public by design: signing in, Django's admin (own login), the sandbox API,
# the site icon, and the operations endpoints (probes and the metrics scraper have no session;
# /metrics checks its own bearer token).
PUBLIC_PREFIXES = (
    "accounts/login/",
    "admin/",
    "sandbox/",
    "static/",
    "favicon.ico",
    "healthz",
    "readyz",
    "metrics",
)
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


# POSTs that change no data, so auditors may send them: signing out, downloading what they can
# already read, and verifying the archive (POSTs because they read every stored record).
# Reviewers (auditors among them) record access review decisions: the review's own data, which
# changes nothing upstream; only owners apply them.
AUDITORS_MAY_POST = {
    "accounts:logout",
    "activity:export",
    "audit:export",
    "activity:verify",
    "reviews:decide",
    "reviews:report-export",
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_auditors_cannot_post_anywhere(auditor_client: Client, route: Route) -> None:
    if route.name in AUDITORS_MAY_POST:
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


# --- the declared table: every route x method x role ------------------------------------------

OWNER, HELPDESK, AUDITOR = "owner", "helpdesk", "auditor"
ANYONE = frozenset({OWNER, HELPDESK, AUDITOR})
OWNERS = frozenset({OWNER})
READERS_OF_HISTORY = frozenset({OWNER, AUDITOR})
INVITERS = frozenset({OWNER, HELPDESK})

# route name -> method -> the roles it serves; other roles get 403, methods not listed get 405,
# anonymous users are sent to sign in. A new route fails until it is declared here.
TABLE: dict[str, dict[str, frozenset[str]]] = {
    "core:home": {"GET": ANYONE},
    "accounts:logout": {"POST": ANYONE},
    "tenants:list": {"GET": ANYONE},
    "tenants:detail": {"GET": ANYONE},
    "tenants:create": {"GET": OWNERS, "POST": OWNERS},
    "tenants:delete": {"GET": OWNERS, "POST": OWNERS},
    "members:list": {"GET": ANYONE},
    "members:detail": {"GET": ANYONE},
    "members:invitations": {"GET": ANYONE},
    "members:invitation-resend": {"GET": INVITERS, "POST": INVITERS},
    "members:invitation-withdraw": {"GET": INVITERS, "POST": INVITERS},
    "members:invite": {"GET": INVITERS, "POST": INVITERS},
    "members:bulk": {"GET": INVITERS, "POST": INVITERS},
    "members:bulk-detail": {"GET": ANYONE},
    "members:bulk-send": {"POST": INVITERS},
    "members:bulk-results": {"GET": ANYONE},
    "members:role-change": {"GET": OWNERS, "POST": OWNERS},
    "members:remove": {"GET": OWNERS, "POST": OWNERS},
    "access:grant": {"GET": OWNERS, "POST": OWNERS},
    "access:change": {"GET": OWNERS, "POST": OWNERS},
    "access:revoke": {"GET": OWNERS, "POST": OWNERS},
    "access:result": {"GET": OWNERS},
    "people:search": {"GET": ANYONE},
    "people:offboard": {"GET": OWNERS, "POST": OWNERS},
    "people:job": {"GET": OWNERS},
    "people:step-retry": {"POST": OWNERS},
    "access:tenant-grant": {"GET": OWNERS},
    "access:copy": {"GET": OWNERS, "POST": OWNERS},
    "access:end": {"GET": OWNERS, "POST": OWNERS},
    "access:expiring": {"GET": ANYONE},
    "access:as-of": {"GET": ANYONE},
    "access:as-of-export": {"GET": ANYONE},
    "access:changes": {"GET": ANYONE},
    "access:changes-export": {"GET": ANYONE},
    "activity:list": {"GET": READERS_OF_HISTORY},
    # Exports are POSTs (CSRF-checked, never prefetched); a GET explains where the button is.
    "activity:export": {"POST": READERS_OF_HISTORY},
    "activity:detail": {"GET": READERS_OF_HISTORY},
    "activity:chart": {"GET": READERS_OF_HISTORY},
    "activity:verify": {"GET": READERS_OF_HISTORY, "POST": READERS_OF_HISTORY},
    "audit:list": {"GET": READERS_OF_HISTORY},
    "audit:export": {"POST": READERS_OF_HISTORY},
    "audit:detail": {"GET": READERS_OF_HISTORY},
    "sync:status": {"GET": ANYONE},
    "sync:sync-now": {"POST": OWNERS},
    "authtenants:list": {"GET": ANYONE},
    "authtenants:create": {"GET": OWNERS, "POST": OWNERS},
    "authtenants:edit": {"GET": OWNERS, "POST": OWNERS},
    "authtenants:delete": {"GET": OWNERS, "POST": OWNERS},
    "authtenants:test": {"POST": OWNERS},
    "authtenants:client-add": {"GET": OWNERS, "POST": OWNERS},
    "authtenants:client-edit": {"GET": OWNERS, "POST": OWNERS},
    "authtenants:client-remove": {"GET": OWNERS, "POST": OWNERS},
    "reviews:list": {"GET": READERS_OF_HISTORY},
    "reviews:create": {"GET": OWNERS, "POST": OWNERS},
    "reviews:queue": {"GET": READERS_OF_HISTORY},
    "reviews:decide": {"POST": READERS_OF_HISTORY},
    "reviews:close": {"POST": OWNERS},
    "reviews:apply": {"POST": OWNERS},
    "reviews:stop": {"POST": OWNERS},
    "reviews:reviewers": {"GET": OWNERS, "POST": OWNERS},
    "reviews:report": {"GET": READERS_OF_HISTORY},
    "reviews:report-export": {"POST": READERS_OF_HISTORY},
}


def test_every_dashboard_route_is_in_the_table() -> None:
    walked = {route.name for route in ROUTES}
    assert walked - set(TABLE) == set(), "declare who may use these routes in TABLE"
    assert set(TABLE) - walked == set(), "these TABLE entries name no route"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_each_role_is_answered_as_the_table_declares(
    route: Route, method: str, owner: User, helpdesk: User, auditor: User
) -> None:
    served = TABLE[route.name].get(method)
    for role, user in ((OWNER, owner), (HELPDESK, helpdesk), (AUDITOR, auditor)):
        client = Client()
        client.force_login(user)  # a fresh session each time: logging out must not leak
        status = (client.get if method == "GET" else client.post)(route.url).status_code
        where = f"{method} {route.url} as {role}"
        if served is None:
            assert status == 405, f"{where} answered {status}; the method is not declared"
        elif role in served:
            assert status not in (403, 405) and status < 500, f"{where} answered {status}"
        else:
            assert status == 403, f"{where} answered {status}; the table forbids it"
