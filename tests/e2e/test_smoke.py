"""Smoke: each demo role signs in through a real browser and sees the dashboard for its role."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.accounts.management.commands.demo_users import DEMO_PASSWORDS
from apps.core.capabilities import Role

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_demo_role_signs_in_and_sees_the_dashboard(
    live_server: LiveServer, page: Page, role: Role
) -> None:
    call_command("demo_users", stdout=io.StringIO())
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill(role.value)
    page.get_by_label("Password").fill(DEMO_PASSWORDS[role])
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", name=f"Your role: {role.value.capitalize()}")
    ).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview")
    ).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_is_explained_in_the_page(live_server: LiveServer, page: Page) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
