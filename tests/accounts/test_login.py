"""Signing in and out; every dashboard page needs a login."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_home_redirects_anonymous_users_to_login(client: Client) -> None:
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_demo_users_sign_in_and_see_their_role(client: Client) -> None:
    call_command("demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post(
        reverse("accounts:login"), {"username": "auditor", "password": "teamsadmin-auditor"}
    )
    assert response.status_code == 302
    page = client.get(reverse("core:home")).content.decode()
    assert "Your role: Auditor" in page
    assert "Export activity" in page
    assert "Delete tenants" not in page


@pytest.mark.django_db
def test_wrong_password_shows_a_message_not_an_error(client: Client) -> None:
    User.objects.create_user("someone", password="right-password")  # noqa: S106
    response = client.post(reverse("accounts:login"), {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_is_post_only(owner_client: Client) -> None:
    assert owner_client.get(reverse("accounts:logout")).status_code == 405
    assert owner_client.post(reverse("accounts:logout")).status_code == 302


@pytest.mark.django_db
def test_a_user_name_the_form_refuses_is_explained_on_the_page(client: Client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "ada\x00", "password": "pw"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert "Null characters are not allowed." in page
