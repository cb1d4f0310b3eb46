"""TEAMSADMIN_LOCAL_LOGIN off: no password form, and a password sent anyway is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.audit.models import AuditEntry

LOGIN = reverse("accounts:login")


@pytest.fixture
def alice(db: None) -> User:
    return User.objects.create_user("alice", password="alice-password-1")


def test_the_login_page_shows_the_form_by_default(client: Client, alice: User) -> None:
    page = client.get(LOGIN).content.decode()
    assert 'name="password"' in page
    assert (
        client.post(LOGIN, {"username": "alice", "password": "alice-password-1"}).status_code == 302
    )


def test_with_local_login_off_the_form_is_gone_and_a_password_is_refused(
    client: Client, alice: User, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_LOCAL_LOGIN = False
    page = client.get(LOGIN).content.decode()
    assert 'name="password"' not in page
    assert "Signing in with a password is turned off" in page
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 403
    assert "Use single sign-on to sign in." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.exists()  # refused before any backend: not a failed guess


def test_with_local_login_off_no_password_signs_in_anywhere(
    client: Client, alice: User, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_LOCAL_LOGIN = False
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    client.post(reverse("admin:login"), {"username": "alice", "password": "alice-password-1"})
    assert "_auth_user_id" not in client.session
