"""The secret canary fires: a view, a stream, a log record or an audit entry carrying a watched
secret is caught, wherever it was born, and only the sanctioned exits may carry one."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import requests
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import Client
from django.urls import include, path
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthClient
from apps.sandbox import control
from tests import canary
from tests.factories import AuthClientFactory
from tests.fixtures.sandbox import Sandbox

SECRET = "canary-test-secret-3e1f9b7a"
_echo = {"value": ""}  # what the leaky views send back


@login_not_required
def leaky_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<p>Your secret is {_echo['value']}</p>")


@login_not_required
def leaky_header(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("nothing in the body")
    response["X-Debug"] = _echo["value"]
    return response


@login_not_required
def leaky_stream(request: HttpRequest) -> StreamingHttpResponse:
    value = _echo["value"]
    middle = len(value) // 2

    def chunks() -> Iterator[bytes]:  # the value split across two chunks
        yield b"id,secret\n1," + value[:middle].encode()
        yield value[middle:].encode() + b"\n"

    return StreamingHttpResponse(chunks(), content_type="text/csv")


@login_not_required
def leaky_error(request: HttpRequest) -> HttpResponse:
    raise ValueError(f"could not use {_echo['value']}")


@login_not_required
def clean_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>Nothing to see</p>")


urlpatterns = [
    path("leak/page", leaky_page),
    path("leak/header", leaky_header),
    path("leak/stream", leaky_stream),
    path("leak/error", leaky_error),
    path("clean", clean_page),
    path("", include("teamsadmin.urls")),  # the error pages link to the dashboard
]


@pytest.fixture
def leaking() -> Iterator[None]:
    _echo["value"] = canary.watch(SECRET, canary.AUTH_CLIENT_SECRET)
    yield
    _echo["value"] = ""


def _kinds(leaks: list[canary.Leak]) -> list[str]:
    return [leak.kind for leak in leaks]


@pytest.mark.urls(__name__)
@pytest.mark.usefixtures("leaking")
@pytest.mark.parametrize("url", ["/leak/page", "/leak/header"])
def test_a_response_carrying_a_watched_secret_is_caught(client: Client, url: str) -> None:
    with canary.canary.expect_leak() as leaks:
        client.get(url)
    assert _kinds(leaks) == [canary.AUTH_CLIENT_SECRET]
    assert f"the response to GET {url} (200)" in str(leaks[0])
    assert SECRET not in str(leaks[0])  # the report never repeats the value


@pytest.mark.urls(__name__)
@pytest.mark.usefixtures("leaking")
def test_a_streamed_response_is_scanned_across_chunks(client: Client) -> None:
    with canary.canary.expect_leak() as leaks:
        response = client.get("/leak/stream")
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert _kinds(leaks) == [canary.AUTH_CLIENT_SECRET]


@pytest.mark.urls(__name__)
@pytest.mark.usefixtures("leaking")
def test_an_error_page_and_the_exception_behind_it_are_scanned(client: Client) -> None:
    quiet = Client(raise_request_exception=False)
    assert client
    with canary.canary.expect_leak() as leaks:
        assert quiet.get("/leak/error").status_code == 500
    assert "the exception raised by /leak/error" in {leak.where for leak in leaks}


@pytest.mark.urls(__name__)
def test_a_clean_response_and_an_unwatched_value_pass(client: Client) -> None:
    _echo["value"] = "not-watched-because-nobody-registered-it"
    with canary.canary.expect_leak() as leaks:
        client.get("/clean")
        client.get("/leak/page")
    _echo["value"] = ""
    assert leaks == []


@pytest.mark.usefixtures("leaking")
@pytest.mark.parametrize("level", [logging.DEBUG, logging.ERROR])
def test_a_log_record_at_any_level_is_caught(level: int) -> None:
    logger = logging.getLogger("apps.anything.at.all")
    with canary.canary.expect_leak() as leaks:
        logger.log(level, "token request with %s", SECRET)
    assert _kinds(leaks) == [canary.AUTH_CLIENT_SECRET]
    assert "'apps.anything.at.all'" in leaks[0].where


@pytest.mark.usefixtures("leaking")
def test_extra_fields_and_exception_text_of_a_log_record_are_scanned() -> None:
    logger = logging.getLogger("somelibrary")
    with canary.canary.expect_leak() as extra:
        logger.debug("calling", extra={"headers": {"Authorization": f"Bearer {SECRET}"}})
    with canary.canary.expect_leak() as exception:
        try:
            raise RuntimeError(SECRET)
        except RuntimeError:
            logger.exception("failed")
    assert _kinds(extra) == _kinds(exception) == [canary.AUTH_CLIENT_SECRET]


@pytest.mark.django_db
@pytest.mark.usefixtures("leaking")
@pytest.mark.parametrize("where", ["parameters", "message", "target_label"])
def test_an_audit_entry_carrying_a_watched_secret_is_caught(owner: User, where: str) -> None:
    values = {"parameters": {}, "message": "", "target_label": ""}
    values[where] = {"secret": SECRET} if where == "parameters" else f"with {SECRET}"
    with canary.canary.expect_leak() as leaks:
        AuditEntry.objects.create(
            actor=owner,
            actor_username=owner.username,
            action=AuditAction.choices[0][0],
            outcome=AuditOutcome.choices[0][0],
            **values,
        )
    assert _kinds(leaks) == [canary.AUTH_CLIENT_SECRET]
    assert "audit entry" in leaks[0].where


def test_a_leak_fails_the_test() -> None:
    canary.watch(SECRET, canary.AUTH_CLIENT_SECRET)
    with canary.canary.expect_leak():
        logging.getLogger("apps").warning(SECRET)
        with pytest.raises(AssertionError, match="secret canary: a Auth Tenant client secret"):
            canary.canary.check()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_secrets_are_watched_where_they_are_born(client: Client) -> None:
    factory_secret = "born-in-a-factory-9d2c"
    row = AuthClientFactory.create(secret=factory_secret)
    set_secret = "born-through-set-secret-4b7e"
    AuthClient.objects.get(pk=row.pk).set_secret(set_secret)
    for value in (factory_secret, set_secret):
        _echo["value"] = value
        with canary.canary.expect_leak() as leaks:
            client.get("/leak/page")
        assert _kinds(leaks) == [canary.AUTH_CLIENT_SECRET], value
    _echo["value"] = ""


@pytest.mark.urls(__name__)
def test_short_or_plain_values_are_not_watched(client: Client) -> None:
    for value in ("short", "x" * 10_000, "ab" * 50):
        canary.watch(value, canary.AUTH_CLIENT_SECRET)
        _echo["value"] = value
        with canary.canary.expect_leak() as leaks:
            client.get("/leak/page")
        assert leaks == [], value
    _echo["value"] = ""


@pytest.mark.django_db(transaction=True)
def test_what_the_sandbox_issues_is_watched(sandbox: Sandbox) -> None:
    """The token the sandbox mints and a new tenant's management secret leave through the
    sandbox's own answers only; anywhere else they are caught."""
    with canary.canary.expect_leak() as issued:
        token = sandbox.token()
        created = sandbox.api(
            "POST",
            "/api/tenants",
            json={"locality": "us", "admin_email": _an_admin(sandbox)},
        )
    assert created.status_code == 201, created.text
    assert issued == []  # the sanctioned exits
    management_secret = created.json()["management_client"]["client_secret"]
    with canary.canary.expect_leak() as leaks:
        logging.getLogger("apps.teamsapi").debug("minted %s", token)
        logging.getLogger("apps.tenants").debug("created %s", management_secret)
    assert _kinds(leaks) == [canary.ACCESS_TOKEN, canary.MANAGEMENT_CLIENT_SECRET]


def _an_admin(sandbox: Sandbox) -> str:
    members = sandbox.api("GET", "/api/members").json()
    return str(members["members"][0]["email"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
@pytest.mark.usefixtures("leaking")
def test_live_server_responses_are_scanned(live_server: LiveServer) -> None:
    with canary.canary.expect_leak() as leaks:
        requests.get(f"{live_server.url}/leak/page", timeout=10)
        requests.get(f"{live_server.url}/leak/stream", timeout=10)
    assert _kinds(leaks) == [canary.AUTH_CLIENT_SECRET] * 2


def test_sandbox_client_secrets_are_watched_for_the_whole_session(
    settings: SettingsWrapper,
) -> None:
    with canary.canary.expect_leak() as leaks:
        logging.getLogger("apps.sandbox").info(
            "client %s", settings.TEAMSADMIN_SANDBOX_CLIENT_SECRET
        )
    assert _kinds(leaks) == [canary.SANDBOX_CLIENT_SECRET]


@pytest.mark.django_db
def test_sandbox_clients_added_through_the_controls_are_watched() -> None:
    control.ensure_client(
        auth_domain="acme.us.auth0.com",
        client_id="canaryControlClient",
        client_secret="control-born-secret-81fa",
        scopes="read:tenants",
        name="Canary",
    )
    with canary.canary.expect_leak() as leaks:
        logging.getLogger("apps.sandbox").debug("client control-born-secret-81fa")
    assert _kinds(leaks) == [canary.SANDBOX_CLIENT_SECRET]
