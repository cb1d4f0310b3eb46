"""Sign-ins, sign-outs and failed sign-ins are dashboard actions, readable on their page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from tests.factories import AuthTenantFactory

LOGIN = reverse("accounts:login")


@pytest.fixture
def alice(db: None) -> User:
    return User.objects.create_user("alice", password="alice-password-1")


def test_sign_in_and_sign_out_are_recorded_with_the_address(client: Client, alice: User) -> None:
    client.post(
        LOGIN, {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.2.3.4"
    )
    client.post(reverse("accounts:logout"), REMOTE_ADDR="10.2.3.4")
    signed_in, signed_out = AuditEntry.objects.order_by("pk")
    assert (signed_in.action, signed_in.outcome) == (AuditAction.SIGN_IN, AuditOutcome.SUCCESS)
    assert (signed_in.actor, signed_in.actor_username) == (alice, "alice")
    assert signed_in.parameters == {"ip_address": "10.2.3.4"}
    assert signed_in.auth_tenant is None and signed_in.chain_key == 0
    assert signed_out.action == AuditAction.SIGN_OUT
    assert signed_out.actor == alice and signed_out.message == ""


def test_a_failure_names_the_username_tried_cut_short_never_the_password(
    client: Client, alice: User
) -> None:
    long_name = "x" * 400
    client.post(LOGIN, {"username": long_name, "password": "secret-typed-here"})
    client.post(LOGIN, {"username": "alice", "password": "alice-password-2"})
    first, second = AuditEntry.objects.order_by("pk")
    assert first.action == AuditAction.SIGN_IN_FAILED and first.outcome == AuditOutcome.FAILURE
    assert first.target_label == "x" * 150
    assert first.actor is None and first.actor_username == ""
    assert first.parameters == {"ip_address": "127.0.0.1"}
    assert second.target_label == "alice"
    for entry in (first, second):
        assert "secret-typed-here" not in str(vars(entry))
        assert "alice-password-2" not in str(vars(entry))


def test_the_dashboard_actions_page_lists_them_readably_filters_and_exports(
    client: Client, alice: User, auditor_client: Client
) -> None:
    AuthTenantFactory.create(name="Acme")  # the page shows one team's actions and these too
    client.post(LOGIN, {"username": "alice", "password": "wrong"})
    client.post(LOGIN, {"username": "alice", "password": "alice-password-1"})
    url = reverse("audit:list")
    page = auditor_client.get(url).content.decode()
    assert "Sign-in failed" in page and "Sign in" in page
    assert "Wrong username or password." in page
    failed_only = auditor_client.get(url, {"action": "sign_in_failed"}).content.decode()
    assert "<td>Sign-in failed</td>" in failed_only and "<td>Sign in</td>" not in failed_only
    by_user = auditor_client.get(url, {"user": "alice"}).content.decode()
    # A failure has no actor (nobody signed in): the user filter finds the sign-in only...
    assert "<td>Sign in</td>" in by_user and "<td>Sign-in failed</td>" not in by_user
    # ...and a search for the username finds both.
    found = auditor_client.get(url, {"q": "alice"}).content.decode()
    assert "<td>Sign in</td>" in found and "<td>Sign-in failed</td>" in found
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    detail = auditor_client.get(reverse("audit:detail", args=[entry.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Sign-in failed" in html
    assert "Signing in to this dashboard, alice from 127.0.0.1" in html
    assert "since deleted" not in html and "causes no event there" in html
    export = auditor_client.post(
        reverse("audit:export"), {"action": "sign_in", "export_format": "csv"}
    )
    body = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Sign in" in body and "Sign-in failed" not in body
