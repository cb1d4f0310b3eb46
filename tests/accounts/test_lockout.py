"""Sign-in throttling: a username, and separately an address, is paused after repeated failures."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.audit.models import AuditAction, AuditEntry

LOGIN = reverse("accounts:login")
LOCKED_TEXT = "Too many failed sign-ins"


@pytest.fixture(autouse=True)
def _three_failures(settings: SettingsWrapper) -> None:
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def alice(db: None) -> User:
    return User.objects.create_user("alice", password="alice-password-1")


def _sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> str:
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)
    return f"{response.status_code} {response.content.decode()}"


def _fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert _sign_in(client, username, "wrong", ip).startswith("200 ")


def test_a_username_is_locked_after_the_limit_even_from_other_addresses(
    client: Client, alice: User
) -> None:
    for n, ip in enumerate(["10.0.0.1", "10.0.0.2", "10.0.0.3"]):
        page = _sign_in(client, "alice", "wrong", ip)
        assert page.startswith("429 " if n == 2 else "200 ")
    # The right password from a fresh address is refused too, with the same page.
    page = _sign_in(client, "alice", "alice-password-1", "10.9.9.9")
    assert page.startswith("429 ")
    assert LOCKED_TEXT in page
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_after_the_limit_across_usernames(client: Client, alice: User) -> None:
    for name in ("bob", "carol"):
        _fail(client, name, 1, ip="10.0.0.7")
    assert _sign_in(client, "dave", "wrong", "10.0.0.7").startswith("429 ")
    assert _sign_in(client, "alice", "alice-password-1", "10.0.0.7").startswith("429 ")
    # Another address still signs alice in.
    assert _sign_in(client, "alice", "alice-password-1", "10.0.0.8").startswith("302 ")


def test_fewer_failures_than_the_limit_still_sign_in(client: Client, alice: User) -> None:
    _fail(client, "alice", 2)
    assert _sign_in(client, "alice", "alice-password-1").startswith("302 ")


def test_the_locked_page_is_the_same_for_a_real_and_an_unknown_username(
    alice: User,
) -> None:
    pages = []
    for username, ip in (("alice", "10.0.1.1"), ("nobody-such", "10.0.2.2")):
        client = Client()
        _fail(client, username, 2, ip=ip)
        pages.append(_sign_in(client, username, "wrong", ip))
    assert pages[0].startswith("429 ")
    # Equal but for the CSRF token each visitor gets.
    same = [re.sub(r'"X-CSRFToken": "[^"]*"', "", page) for page in pages]
    assert same[0] == same[1]
    assert "alice" not in pages[0]
    assert "axes_reset_username" in pages[0]  # the operators' way out is on the page


def test_axes_reset_username_lifts_the_lock(client: Client, alice: User) -> None:
    _fail(client, "alice", 2)
    assert _sign_in(client, "alice", "wrong").startswith("429 ")
    assert _sign_in(client, "alice", "alice-password-1", "10.0.5.5").startswith("429 ")
    call_command("axes_reset_username", "alice", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert _sign_in(client, "alice", "alice-password-1", "10.0.5.5").startswith("302 ")


def test_the_lockout_is_recorded_once_with_each_failure(client: Client, alice: User) -> None:
    _fail(client, "alice", 2)
    _sign_in(client, "alice", "wrong")  # the third: locks
    _sign_in(client, "alice", "alice-password-1")  # refused while locked
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == [
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.LOCKED_OUT,
        AuditAction.SIGN_IN_FAILED,
    ]
    locked = entries[3]
    assert locked.target_label == "alice"
    assert locked.parameters == {"ip_address": "10.0.0.1", "failure_limit": 3}
    assert "axes_reset_username" in locked.message
    assert "Wrong username or password" in entries[2].message
    assert "locked" in entries[4].message
    for entry in entries:
        assert "alice-password-1" not in str(vars(entry))


def test_the_client_address_is_read_behind_a_trusted_proxy(
    client: Client, alice: User, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_TRUSTED_PROXY_COUNT = 1
    # Whatever the client puts on the left of X-Forwarded-For is ignored: the proxy's entry counts.
    for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        client.post(
            LOGIN,
            {"username": f"user-{spoofed}", "password": "wrong"},
            REMOTE_ADDR="172.16.0.1",
            HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.9",
        )
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").count() == 3
    refused = client.post(
        LOGIN,
        {"username": "alice", "password": "alice-password-1"},
        REMOTE_ADDR="172.16.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert refused.status_code == 429
    other = Client().post(
        LOGIN,
        {"username": "alice", "password": "alice-password-1"},
        REMOTE_ADDR="172.16.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert other.status_code == 302


def test_a_username_longer_than_any_user_can_have_is_counted_cut_short(
    client: Client, alice: User
) -> None:
    long_name = "y" * 400
    for _ in range(2):
        _sign_in(client, long_name, "wrong", ip="10.0.3.1")
    assert AccessAttempt.objects.get().username == "y" * 150
    # Counted as the same username from another address, up to the lock.
    assert _sign_in(client, long_name + "z", "wrong", ip="10.0.3.2").startswith("429 ")
