"""Sessions end after TEAMSADMIN_SESSION_IDLE_MINUTES without a request; cookies are locked down."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.middleware import LAST_SEEN_KEY
from apps.audit.models import AuditAction, AuditEntry

LOGIN = reverse("accounts:login")
HOME = reverse("core:home")


@pytest.fixture
def alice_client(client: Client, db: None) -> Client:
    User.objects.create_user("alice", password="alice-password-1")
    assert (
        client.post(LOGIN, {"username": "alice", "password": "alice-password-1"}).status_code == 302
    )
    assert LAST_SEEN_KEY in client.session  # signing in starts the idle clock
    return client


def _idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = session[LAST_SEEN_KEY] - seconds
    session.save()


def test_an_idle_session_is_signed_out_and_sent_to_the_login_page_with_a_message(
    alice_client: Client, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_SESSION_IDLE_MINUTES = 30
    _idle_for(alice_client, 30 * 60 + 5)
    response = alice_client.get(HOME, follow=True)
    assert response.redirect_chain[0][0].startswith(f"{LOGIN}?next=")
    page = response.content.decode()
    assert "You were signed out after 30 minutes without activity." in page
    assert "_auth_user_id" not in alice_client.session
    signed_out = AuditEntry.objects.get(action=AuditAction.SIGN_OUT)
    assert signed_out.actor_username == "alice"
    assert "30 minutes without activity" in signed_out.message


def test_a_session_used_within_the_limit_stays_and_moves_its_clock(
    alice_client: Client, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_SESSION_IDLE_MINUTES = 30
    _idle_for(alice_client, 29 * 60)
    assert alice_client.get(HOME).status_code == 200
    assert time.time() - alice_client.session[LAST_SEEN_KEY] < 5
    _idle_for(alice_client, 29 * 60)
    assert alice_client.get(HOME).status_code == 200


def test_requests_close_together_write_no_session(alice_client: Client) -> None:
    before = alice_client.session[LAST_SEEN_KEY]
    response = alice_client.get(HOME)
    assert alice_client.session[LAST_SEEN_KEY] == before
    assert "sessionid" not in response.cookies  # nothing changed: no cookie, no session write


def test_the_session_cookie_is_http_only_and_lax(alice_client: Client) -> None:
    _idle_for(alice_client, 120)
    cookie = alice_client.get(HOME).cookies["sessionid"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_an_idle_htmx_request_moves_the_whole_page_to_the_login_page(
    alice_client: Client,
) -> None:
    _idle_for(alice_client, 60 * 60 + 5)
    response = alice_client.get(
        reverse("audit:list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/audit/?q=x"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next=/audit/%3Fq%3Dx"
    assert "_auth_user_id" not in alice_client.session
