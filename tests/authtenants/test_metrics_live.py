"""Counters move where the client calls the sandbox over HTTP, and /metrics shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from tests.core.test_metrics_endpoint import TOKEN, samples
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scrape(settings: SettingsWrapper, tmp_path: Path) -> Client:
    settings.TEAMSADMIN_METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    return Client()


def _figures(client: Client) -> Figures:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return samples(response.content.decode())


Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _value(figures: Figures, metric: str, **labels: str) -> float:
    return figures.get((metric, tuple(sorted(labels.items()))), 0.0)


def test_api_calls_and_token_mints_are_counted(
    sandbox: Sandbox, auth_tenant: AuthTenant, scrape: Client
) -> None:
    ref = str(auth_tenant.pk)
    before = _figures(scrape)
    with teams_client(auth_tenant) as client:
        assert list(client.list_tenants())
        assert list(client.list_members())
    after = _figures(scrape)
    for operation in ("list_tenants", "list_members"):
        name, labels = "teamsadmin_api_calls_total", {"operation": operation, "status": "2xx"}
        grew = _value(after, name, auth_tenant=ref, **labels) - _value(
            before, name, auth_tenant=ref, **labels
        )
        assert grew >= 1, operation
    minted = _value(after, "teamsadmin_token_mints_total", auth_tenant=ref, outcome="ok")
    assert (
        minted - _value(before, "teamsadmin_token_mints_total", auth_tenant=ref, outcome="ok") >= 1
    )
    assert (
        _value(
            after,
            "teamsadmin_auth_tenant_info",
            auth_tenant=ref,
            name=auth_tenant.name,
            enabled="true",
        )
        == 1
    )
    assert _value(after, "teamsadmin_auth_tenant_health", auth_tenant=ref, state="online") == 1


def test_429s_and_retries_are_counted(
    sandbox: Sandbox, auth_tenant: AuthTenant, scrape: Client, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 1
    settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = 60
    ref = str(auth_tenant.pk)
    with teams_client(auth_tenant) as client:
        assert list(client.list_tenants())  # the token is minted before the burst
        before = _figures(scrape)
        sandbox.set_faults(rate_limit_burst=1)
        assert list(client.list_tenants())  # 429, then the retry succeeds
    after = _figures(scrape)
    labels = {"auth_tenant": ref, "operation": "list_tenants"}
    assert (
        _value(after, "teamsadmin_api_retries_total", **labels)
        - _value(before, "teamsadmin_api_retries_total", **labels)
        == 1
    )
    assert (
        _value(after, "teamsadmin_api_rate_limited_total", **labels)
        - _value(before, "teamsadmin_api_rate_limited_total", **labels)
        == 1
    )
    assert _value(after, "teamsadmin_api_calls_total", status="429", **labels) >= 1
