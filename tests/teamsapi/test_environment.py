"""The client's HTTP session and the process environment: proxies apply, .netrc never does."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from apps.teamsapi.errors import TeamsApiUnavailable
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens there


def _api_host(auth_tenant: AuthTenant) -> str:
    return urlsplit(auth_tenant.api_base_url).hostname or ""


@pytest.fixture
def primed(
    auth_tenant: AuthTenant, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> AuthTenant:
    """A token already in the cache, and no proxy variables from the machine running the tests."""
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with teams_client(auth_tenant) as client:
        client.list_environments()
    return auth_tenant


def test_a_proxy_named_by_the_environment_is_used(
    primed: AuthTenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", CLOSED_PORT_PROXY)
    with teams_client(primed) as client, pytest.raises(TeamsApiUnavailable):
        client.list_environments()


def test_no_proxy_exempts_the_api_host(primed: AuthTenant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", CLOSED_PORT_PROXY)
    monkeypatch.setenv("NO_PROXY", _api_host(primed))
    with teams_client(primed) as client:
        assert client.list_environments()


def test_a_netrc_entry_never_replaces_the_bearer_token(
    primed: AuthTenant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {_api_host(primed)} login someone password something\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with teams_client(primed) as client:
        assert client.list_environments()
