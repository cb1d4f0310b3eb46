"""The simulator answers hostile input like an API does (400 or 404), never with a 500."""

from __future__ import annotations

import pytest
import requests

from tests.fixtures.sandbox import Sandbox
from tests.sandbox.conftest import token_url
from tests.sandbox.helpers import TIMEOUT, Api, assert_error


@pytest.mark.parametrize(
    "path",
    [
        "/api/members/auth0%7Ca%00b",
        "/api/members/auth0%7Cx/tenants/US-3%00",
        "/api/tenants?environment=US%00-3",
        "/api/activity/logs?since=9999-12-31T23:59:59-14:00",
        "/api/activity/logs?until=0001-01-01T00:00:00%2B14:00",
    ],
)
def test_a_nul_or_a_date_past_the_calendar_is_a_validation_error(api: Api, path: str) -> None:
    assert_error(api.raw("GET", path), 400, "VALIDATION_ERROR")


def test_a_nul_in_the_token_request_is_refused(sandbox: Sandbox) -> None:
    data = {
        "grant_type": "client_credentials",
        "client_id": sandbox.owner_client_id + "\x00",
        "client_secret": sandbox.owner_client_secret,
        "audience": sandbox.audience,
    }
    response = requests.post(token_url(sandbox), data=data, timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_nul_in_the_auth_domain_is_an_unknown_domain(sandbox: Sandbox) -> None:
    url = sandbox.auth_base_url.rsplit("/", 1)[0] + "/acme%00.example/.well-known/jwks.json"
    assert requests.get(url, timeout=TIMEOUT).status_code == 404
