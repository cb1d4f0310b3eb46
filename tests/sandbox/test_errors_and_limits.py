"""Rate limiting (§10), fault switches and the request log of the sandbox."""

from __future__ import annotations

import json
import time

import pytest
import requests

from apps.sandbox import control
from tests.fixtures.sandbox import Sandbox
from tests.sandbox.conftest import owner_token, token_url
from tests.sandbox.helpers import TIMEOUT, Api, assert_error, concrete_endpoints

ENDPOINTS = concrete_endpoints()


def _assert_rate_headers(response: requests.Response) -> None:
    limit = int(response.headers["X-RateLimit-Limit"])
    remaining = int(response.headers["X-RateLimit-Remaining"])
    reset = int(response.headers["X-RateLimit-Reset"])
    assert limit >= 1
    assert 0 <= remaining <= limit
    assert time.time() - 5 <= reset <= time.time() + 3600, "reset is UNIX epoch seconds"


def test_every_api_response_carries_rate_limit_headers(sandbox: Sandbox, api: Api) -> None:
    for _, method, path, body in ENDPOINTS:
        _assert_rate_headers(api.request(method, path, json_body=body))
    _assert_rate_headers(Api(sandbox.api_base_url, None).get("/api/members"))


def test_remaining_counts_down_per_client(sandbox: Sandbox, api: Api) -> None:
    # A long window makes refill between the two calls negligible.
    sandbox.set_faults(rate_limit=True, rate_limit_bucket=100, rate_limit_window=3600)
    first = int(api.get("/api/environments").headers["X-RateLimit-Remaining"])
    second = int(api.get("/api/environments").headers["X-RateLimit-Remaining"])

    assert second == first - 1


def test_exceeding_the_bucket_answers_429_with_retry_after(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(rate_limit=True, rate_limit_bucket=5, rate_limit_window=60)

    responses = [api.get("/api/environments") for _ in range(6)]

    assert [r.status_code for r in responses[:5]] == [200] * 5
    refused = responses[5]
    error = assert_error(refused, 429, "TOO_MANY_REQUESTS")
    assert error["title"] == "Too many requests"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Limit"] == "5"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["X-RateLimit-Reset"]) > time.time()


def test_buckets_are_per_client(sandbox: Sandbox, api: Api, readonly_api: Api) -> None:
    sandbox.set_faults(rate_limit=True, rate_limit_bucket=2, rate_limit_window=60)
    for _ in range(3):
        api.get("/api/environments")

    assert api.get("/api/environments").status_code == 429
    assert readonly_api.get("/api/environments").status_code == 200


def test_rate_limit_off_never_refuses(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(rate_limit=False, rate_limit_bucket=2, rate_limit_window=60)

    assert {api.get("/api/environments").status_code for _ in range(5)} == {200}


def test_burst_switch_refuses_the_next_calls_then_recovers(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(rate_limit_burst=2)

    statuses = [api.get("/api/environments") for _ in range(3)]

    for refused in statuses[:2]:
        assert_error(refused, 429, "TOO_MANY_REQUESTS")
        assert int(refused.headers["Retry-After"]) >= 0
    assert statuses[2].status_code == 200


def test_latency_switch_delays_responses(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(latency_ms=400)

    started = time.monotonic()
    response = api.get("/api/environments")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.4


def test_full_error_rate_answers_5xx_error_bodies(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(error_rate=1.0)

    responses = [api.get("/api/members") for _ in range(6)]

    for response in responses:
        assert response.status_code in (500, 502, 503)
        body = response.json()
        assert body["status"] == response.status_code
        if response.status_code == 500:
            assert body["type"] == "UNKNOWN_ERROR"


def test_error_statuses_pin_the_injected_status(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])

    assert {api.get("/api/tenants").status_code for _ in range(4)} == {503}


def test_injected_500_is_an_unknown_error(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[500])

    error = assert_error(api.get("/api/members"), 500, "UNKNOWN_ERROR")

    assert error["title"] == "An unknown error occurred"


def test_partial_error_rate_fails_only_some_calls(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(error_rate=0.5)

    statuses = [api.get("/api/environments").status_code for _ in range(40)]

    assert 200 in statuses
    assert any(status >= 500 for status in statuses)


def test_token_outage_fails_the_token_endpoint_only(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(token_outage=True)

    response = requests.post(
        token_url(sandbox),
        data={
            "grant_type": "client_credentials",
            "client_id": sandbox.owner_client_id,
            "client_secret": sandbox.owner_client_secret,
            "audience": sandbox.audience,
        },
        timeout=TIMEOUT,
    )

    assert response.status_code == 503
    assert sandbox.owner_client_secret not in response.text
    assert api.get("/api/environments").status_code == 200


def test_malformed_html_switch_returns_an_html_page(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(malformed="html")

    response = api.get("/api/members")

    assert "html" in response.headers.get("Content-Type", "") or response.text.lstrip().startswith(
        "<"
    )
    with pytest.raises(ValueError):
        json.loads(response.text)


def test_malformed_truncated_switch_cuts_the_json_body(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(malformed="truncated")

    response = api.get("/api/members")

    assert response.text.lstrip().startswith("{")
    with pytest.raises(ValueError):
        json.loads(response.text)


def test_short_token_lifetime_expires_tokens(sandbox: Sandbox) -> None:
    sandbox.set_faults(token_lifetime_seconds=1)
    response = requests.post(
        token_url(sandbox),
        data={
            "grant_type": "client_credentials",
            "client_id": sandbox.owner_client_id,
            "client_secret": sandbox.owner_client_secret,
            "audience": sandbox.audience,
        },
        timeout=TIMEOUT,
    )
    assert response.json()["expires_in"] == 1
    short = Api(sandbox.api_base_url, response.json()["access_token"])

    time.sleep(1.1)

    assert_error(short.get("/api/environments"), 401, "UNAUTHORIZED")


def test_client_token_lifetime_applies_to_that_client(sandbox: Sandbox) -> None:
    control.ensure_client(
        auth_domain=sandbox.auth_domain,
        client_id="shortLivedClient0000000000000001",
        client_secret="short-lived-secret",
        scopes=["read:members"],
        name="Short lived",
        token_lifetime=5,
    )

    response = requests.post(
        token_url(sandbox),
        data={
            "grant_type": "client_credentials",
            "client_id": "shortLivedClient0000000000000001",
            "client_secret": "short-lived-secret",
            "audience": sandbox.audience,
        },
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()["expires_in"] == 5
    assert response.json()["scope"] == "read:members"


def test_clear_faults_restores_normal_service(sandbox: Sandbox, api: Api) -> None:
    sandbox.set_faults(error_rate=1.0, latency_ms=50, malformed="html")

    sandbox.clear_faults()

    assert api.get("/api/members").status_code == 200


def test_duplicate_id_switch_repeats_an_activity_entry_in_a_page(
    sandbox: Sandbox, api: Api
) -> None:
    sandbox.set_faults(duplicate_id_in_page=True)

    logs = api.ok("GET", "/api/activity/logs", take=10)["logs"]

    ids = [entry["id"] for entry in logs]
    assert len(ids) != len(set(ids))


def test_looping_next_switch_sends_activity_walks_back_to_the_start(
    sandbox: Sandbox, api: Api
) -> None:
    sandbox.set_faults(looping_next=True)
    first = api.ok("GET", "/api/activity/logs", take=50)
    body = first

    for _ in range(5):
        assert "next" in body
        body = api.ok("GET", "/api/activity/logs", take=50, **{"from": body["next"]})

    assert "next" in body
    assert body["logs"] in (first["logs"], api.ok("GET", "/api/activity/logs", take=50)["logs"])


def test_every_request_is_logged_with_client_and_status(sandbox: Sandbox) -> None:
    token = owner_token(sandbox)
    sandbox.clear_requests_log()
    api = Api(sandbox.api_base_url, token)

    api.get("/api/members")
    api.get("/api/tenants/not-a-uuid")
    Api(sandbox.api_base_url, None).get("/api/members")
    owner_token(sandbox)

    rows = sandbox.requests_log()
    summary = [(r.method, r.status, r.client_id) for r in rows]
    assert ("GET", 200, sandbox.owner_client_id) in summary
    assert ("GET", 400, sandbox.owner_client_id) in summary
    assert ("GET", 401, "") in summary
    assert ("POST", 200, sandbox.owner_client_id) in summary
    assert all(r.created is not None for r in rows)
    members = sandbox.requests_log(
        path_contains="/api/members", client_id=sandbox.owner_client_id, method="GET"
    )
    assert len(members) == 1
    assert members[0].path.endswith("/api/members")


def test_clearing_the_request_log_empties_it(sandbox: Sandbox, api: Api) -> None:
    api.get("/api/members")

    sandbox.clear_requests_log()

    assert sandbox.requests_log() == []


def test_faults_and_request_log_are_driven_over_http_too(sandbox: Sandbox, api: Api) -> None:
    switched = sandbox.control("PUT", "/faults", json={"rate_limit_burst": 1}, timeout=TIMEOUT)
    refused = api.get("/api/environments")
    state = sandbox.control("GET", "/faults", timeout=TIMEOUT).json()
    log = sandbox.control(
        "GET",
        "/requests",
        params={"path_contains": "/api/environments", "client_id": sandbox.owner_client_id},
        timeout=TIMEOUT,
    ).json()["requests"]
    bad = sandbox.control("PUT", "/faults", json={"no_such_switch": 1}, timeout=TIMEOUT)

    assert switched.status_code == 200
    assert_error(refused, 429, "TOO_MANY_REQUESTS")
    assert state["rate_limit_burst"] == 0
    assert [(row["method"], row["status"]) for row in log] == [("GET", 429)]
    assert bad.status_code == 400
    cleared = sandbox.control("DELETE", "/faults", json={}, timeout=TIMEOUT).json()
    assert cleared["latency_ms"] == 0 and cleared["error_rate"] == 0


def test_request_log_never_holds_credentials(sandbox: Sandbox, api: Api) -> None:
    token = api.headers["Authorization"].removeprefix("Bearer ")
    api.get("/api/members")
    owner_token(sandbox)

    for row in sandbox.requests_log():
        assert token not in row.path
        assert sandbox.owner_client_secret not in row.path
