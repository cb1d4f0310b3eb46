"""Walks the URLconf: GET and HEAD change nothing, and no POST is accepted without a CSRF token.

Signed in as an owner (who may open every page), every route is read with GET and HEAD against
a synced Auth Tenant pointing at the sandbox. Afterwards every table holds the same rows (count,
highest id and a checksum of every value) and the sandbox saw no Teams API write. Every route
then refuses unsafe methods without the CSRF token (403): none is exempt, the sandbox's controls
included; only the simulated Teams API and Auth Tenant (bearer-token APIs, not browser forms) are.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db.models import Max
from django.test import Client

from apps.activity import services as activity_services
from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction
from apps.authtenants.models import AuthClient, AuthTenant
from apps.directory import services as directory_services
from apps.directory.models import DirectoryMember, DirectoryTenant, Invitation
from apps.members.models import BulkInvite, BulkInviteRow
from apps.sandbox.models import SandboxRequest
from tests.fixtures.sandbox import Sandbox
from tests.history.conftest import entry
from tests.urlwalk import ARGUMENT, SIMULATOR_PREFIXES, Route, routes

ROUTES = routes(skip=("admin/", "static/"))
# Reads the sandbox records as it serves them; its rows are checked separately.
REQUEST_LOG = SandboxRequest
CONTROLS = "/sandbox/__sandbox/"
READINESS = "/readyz"
# The identity provider sends people back with a GET (the OAuth 2.0 redirect, bound to the
# session by its state): the sign-in it completes, or refuses, is recorded as it should be.
GET_WRITES = {"accounts:sso-callback"}
FORM = "application/x-www-form-urlencoded"
# How the connection to Auth0 is doing: a read that calls Auth0 records it (at most once a
# minute, so a slow walk sees it written), and a token minted for that call records its own.
CONNECTION_STATUS = {
    "authtenants.AuthTenant": {
        "health_state",
        "health_error",
        "health_error_at",
        "health_changed_at",
        "health_checked_at",
        "health_failures",
        "health_alerted",
    },
    "authtenants.AuthClient": {
        "token_last_ok_at",
        "token_last_error_at",
        "token_last_error",
        "token_expires_at",
        "token_scopes",
        "token_kind",
    },
}


def _snapshot() -> dict[str, tuple[int, object, str]]:
    """Each table's row count, highest primary key and a checksum of every row's values (but
    the connection's status)."""
    state: dict[str, tuple[int, object, str]] = {}
    for model in apps.get_models():
        if model is REQUEST_LOG or not model._meta.managed:
            continue
        status = CONNECTION_STATUS.get(model._meta.label, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.name not in status]
        rows = model._default_manager.order_by("pk")
        digest = hashlib.sha256()
        for values in rows.values_list(*columns):
            digest.update(repr(values).encode())
        top = rows.aggregate(top=Max("pk"))["top"]
        state[model._meta.label] = (rows.count(), top, digest.hexdigest())
    return state


def test_the_connection_status_columns_exist() -> None:
    """The columns left out of the checksum are real ones (a rename must not widen the gap)."""
    for label, names in CONNECTION_STATUS.items():
        fields = {field.name for field in apps.get_model(label)._meta.concrete_fields}
        assert names <= fields, label


def _url(route: Route, ids: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        # <int:pk> names a different row on each detail page.
        return ids.get(route.name, ids.get(name, "x")) if name == "pk" else ids.get(name, "x")

    return ARGUMENT.sub(fill, route.pattern)


def _ids(auth_tenant: AuthTenant) -> dict[str, str]:
    """Real values for the routes' arguments, so pages render their data, not a 404."""
    member = DirectoryMember.objects.filter(auth_tenant=auth_tenant, removed_at=None).first()
    tenant = DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at=None).first()
    event = ActivityEvent.objects.filter(auth_tenant=auth_tenant).first()
    action = entry(auth_tenant, datetime(2026, 11, 1, tzinfo=UTC), AuditAction.TENANT_CREATE)
    client = AuthClient.objects.filter(auth_tenant=auth_tenant).first()
    invitation = Invitation.objects.create(
        auth_tenant=auth_tenant, email="walk@acme.test", team_role="teams_contributor"
    )
    assert member and tenant and event and client
    job = BulkInvite.objects.create(auth_tenant=auth_tenant, source="list.csv", state="running")
    BulkInviteRow.objects.create(job=job, line=2, email="new@acme.test", state="ready")
    return {
        "pk": str(auth_tenant.pk),
        "client_pk": str(client.pk),
        "job_id": str(job.pk),
        "invitation_pk": str(invitation.pk),
        "member_id": member.member_id,
        "tenant_id": tenant.tenant_id,
        "team_slug": "acme",
        "domain": "acme.us.auth0.com",
        "environment": tenant.environment,
        "key": "x",
    } | {"activity:detail": str(event.pk), "audit:detail": str(action.pk)}


def test_the_snapshot_sees_a_new_row(db: None) -> None:
    before = _snapshot()
    User.objects.create(username="someone")
    assert _snapshot() != before


def test_get_and_head_change_nothing_anywhere(
    sandbox: Sandbox, auth_tenant: AuthTenant, owner: User
) -> None:
    directory_services.directory_sync(auth_tenant=auth_tenant)
    activity_services.activity_sync(auth_tenant=auth_tenant)
    ids = _ids(auth_tenant)
    client = Client()
    client.force_login(owner)
    # Tokens are minted and cached before the walk: a mint records its time on the Auth Tenant.
    client.get("/members/")
    sandbox.clear_requests_log()
    before = _snapshot()

    statuses = {}
    for route in ROUTES:
        if route.name in GET_WRITES:
            continue
        url = _url(route, ids)
        for method in ("get", "head"):
            response = getattr(client, method)(url)
            # /readyz answers 503 by design while a service is down (no broker folder here).
            limit = 504 if url == READINESS else 500
            assert response.status_code < limit, f"{method.upper()} {url}: {response.status_code}"
            statuses[f"{method.upper()} {url}"] = response.status_code

    after = _snapshot()
    changed = {
        label: (before[label], after[label]) for label in before if before[label] != after[label]
    }
    assert changed == {}, f"reads changed rows: {changed}"
    writes = [
        f"{row.method} {row.path}"
        for row in sandbox.requests_log(path_contains="/api/")
        if row.method not in ("GET", "HEAD")
    ]
    assert writes == [], f"reads sent Teams API writes: {writes}"
    # The walk reached real pages, not only 404s.
    assert sum(status == 200 for status in statuses.values()) >= 35, statuses


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_no_post_is_accepted_without_the_csrf_token(route: Route, owner: User) -> None:
    if route.url.startswith(SIMULATOR_PREFIXES):
        return
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(owner)
    anonymous = Client(enforce_csrf_checks=True)

    controls = route.url.startswith(CONTROLS)
    refused = set()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = signed_in.generic(method, route.url, b"next=%2F", FORM)
        where = f"{method} {route.url} answered {response.status_code}"
        # The controls name their methods before anything else (405 for the others).
        if controls and response.status_code == 405:
            continue
        assert response.status_code == 403, where
        assert b"CSRF" in response.content, f"{where}, but not for want of the CSRF token"
        refused.add(method)
    assert refused, f"{route.url} accepts no unsafe method at all"
    # Signed out, the controls ask for credentials first (401); everything else wants CSRF.
    response = anonymous.generic(refused.pop(), route.url, b"next=%2F", FORM)
    assert response.status_code == (401 if controls else 403), route.url
