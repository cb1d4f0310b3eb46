"""Connection health per Auth Tenant: derived from mints and calls, written sparingly, shown on
the Auth Tenants page and in the top bar, and emailed to owners once per change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks as CaptureOnCommit
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.services import user_ensure
from apps.authtenants import health
from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant, HealthState
from apps.core.capabilities import Role
from apps.teamsapi.errors import (
    TeamsApiError,
    TeamsApiNotFound,
    TeamsApiRateLimited,
    TeamsApiUnavailable,
    TokenError,
)
from tests.factories import AuthTenantFactory
from tests.fixtures.sandbox import Sandbox

# Transactional: health is not written inside a transaction the failure may roll back.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owners(db: None) -> list[User]:
    """Two owners with an address, one without, and a helpdesk user (never emailed)."""
    made = [
        user_ensure(username="ada", password="pw", role=Role.OWNER, email="ada@example.com")[0],
        user_ensure(username="bob", password="pw", role=Role.OWNER, email="bob@example.com")[0],
        user_ensure(username="cy", password="pw", role=Role.OWNER)[0],
    ]
    user_ensure(username="hd", password="pw", role=Role.HELPDESK, email="hd@example.com")
    return made


def _state(auth_tenant: AuthTenant) -> AuthTenant:
    auth_tenant.refresh_from_db()
    return auth_tenant


def _fail(auth_tenant: AuthTenant, error: TeamsApiError | None = None) -> None:
    health.record(auth_tenant.pk, ok=False, error=error or TeamsApiUnavailable())


def test_a_new_auth_tenant_is_not_used_yet() -> None:
    assert AuthTenantFactory.create().health_state == HealthState.UNKNOWN


def test_one_failure_degrades_and_three_in_a_row_take_it_offline() -> None:
    tenant = AuthTenantFactory.create()
    health.record(tenant.pk, ok=True)
    assert _state(tenant).health_state == HealthState.ONLINE
    _fail(tenant)
    assert _state(tenant).health_state == HealthState.DEGRADED
    _fail(tenant)
    _fail(tenant)
    tenant = _state(tenant)
    assert tenant.health_state == HealthState.OFFLINE
    assert tenant.health_failures == 3
    assert tenant.health_error == TeamsApiUnavailable.default_message
    assert tenant.health_error_at is not None


def test_a_failed_token_mint_takes_it_offline_and_a_good_one_brings_it_back() -> None:
    tenant = AuthTenantFactory.create()
    error = TokenError("Could not get a token from acme.us.auth0.com: the client secret is wrong.")
    health.record(tenant.pk, ok=False, token=True, error=error)
    tenant = _state(tenant)
    assert tenant.health_state == HealthState.OFFLINE
    assert tenant.health_error == error.message
    health.record(tenant.pk, ok=True, token=True)
    assert _state(tenant).health_state == HealthState.ONLINE


def test_a_rate_limit_degrades_without_counting_a_failure() -> None:
    tenant = AuthTenantFactory.create()
    health.record(tenant.pk, ok=False, error=TeamsApiRateLimited(retry_after=5))
    tenant = _state(tenant)
    assert tenant.health_state == HealthState.DEGRADED
    assert tenant.health_failures == 0
    assert "rate limit" in tenant.health_error


def test_an_api_that_answers_no_is_still_online() -> None:
    tenant = AuthTenantFactory.create()
    health.record(tenant.pk, ok=False, error=TeamsApiNotFound())
    tenant = _state(tenant)
    assert tenant.health_state == HealthState.ONLINE
    assert tenant.health_error == ""


def test_an_unchanged_state_is_written_at_most_every_few_seconds() -> None:
    tenant = AuthTenantFactory.create()
    health.record(tenant.pk, ok=True)  # reads the row once, writes the change to online
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            health.record(tenant.pk, ok=True)
    assert len(queries) == 0


def test_ten_failures_send_one_email_and_recovery_one(
    owners: list[User], django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    tenant = AuthTenantFactory.create(name="Acme EU")
    health.record(tenant.pk, ok=True)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            _fail(tenant)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Teams Admin] Auth Tenant Acme EU is offline"
    assert sorted(message.to) == ["ada@example.com", "bob@example.com"]
    assert TeamsApiUnavailable.default_message in message.body
    with django_capture_on_commit_callbacks(execute=True):
        health.record(tenant.pk, ok=True)
        health.record(tenant.pk, ok=True)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "[Teams Admin] Auth Tenant Acme EU is back online"


def test_two_processes_seeing_the_same_outage_send_one_email(
    owners: list[User], django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    tenant = AuthTenantFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _fail(tenant)
        health.forget_tallies()  # another process: its own tally, seeded from the row
        health.record(tenant.pk, ok=True)  # it saw a success first: back online...
        for _ in range(3):
            _fail(tenant)  # ...then the outage again
        health.forget_tallies()
        for _ in range(3):
            _fail(tenant)  # a third process, while the row still says offline
    assert [m.subject.split(" is ")[-1] for m in mail.outbox] == [
        "offline",
        "back online",
        "offline",
    ]


def test_a_live_outage_and_recovery_through_the_client(
    sandbox: Sandbox, auth_tenant: AuthTenant, owners: list[User], settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    with teams_client(auth_tenant) as client:
        assert list(client.list_tenants())
    assert _state(auth_tenant).health_state == HealthState.ONLINE
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])
    with teams_client(auth_tenant) as client:
        for _ in range(10):
            with pytest.raises(TeamsApiUnavailable):
                list(client.list_tenants())
    tenant = _state(auth_tenant)
    assert tenant.health_state == HealthState.OFFLINE
    assert tenant.health_error.startswith("The Teams API failed (503).")
    assert len(mail.outbox) == 1
    sandbox.clear_faults()
    with teams_client(auth_tenant) as client:
        assert list(client.list_tenants())
    tenant = _state(auth_tenant)
    # Working again, degraded while the failures are recent (DEGRADED_WINDOW).
    assert (tenant.health_state, tenant.health_failures) == (HealthState.DEGRADED, 0)
    assert [m.subject.split(" is ")[-1] for m in mail.outbox] == ["offline", "back online"]


def test_a_token_outage_shows_its_reason_without_secrets(
    sandbox: Sandbox, auth_tenant: AuthTenant, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    sandbox.set_faults(token_outage=True)
    with teams_client(auth_tenant) as client, pytest.raises(TokenError):
        list(client.list_tenants())
    tenant = _state(auth_tenant)
    assert tenant.health_state == HealthState.OFFLINE
    assert tenant.health_error.startswith("Could not get a token from acme.us.auth0.com")
    assert sandbox.owner_client_secret not in tenant.health_error
    assert sandbox.readonly_client_secret not in tenant.health_error


def test_the_page_and_the_top_bar_show_the_health(
    owner_client: Client, helpdesk_client: Client
) -> None:
    tenant = AuthTenantFactory.create(name="Acme")
    for _ in range(3):
        _fail(tenant)
    page = owner_client.get("/auth-tenants/").content.decode()
    assert 'class="health health-offline"' in page
    assert "Last error" in page and TeamsApiUnavailable.default_message in page
    home = helpdesk_client.get("/").content.decode()
    assert f'href="/auth-tenants/#authtenant-{tenant.pk}"' in home
    assert "Offline" in home


def test_a_failure_inside_a_transaction_is_written_by_the_next_outcome_outside(
    owners: list[User],
) -> None:
    tenant = AuthTenantFactory.create()
    health.record(tenant.pk, ok=True)
    with transaction.atomic():
        for _ in range(3):
            _fail(tenant)
        assert _state(tenant).health_state == HealthState.ONLINE  # nothing written in here
    _fail(tenant)
    assert _state(tenant).health_state == HealthState.OFFLINE
    assert len(mail.outbox) == 1
