"""Signing in seen from the browser: the 429 page after repeated failures, with the way out,
and sign-ins and failures as Dashboard actions.

With TEAMSADMIN_SCREENSHOTS=<dir> it saves both pages at desktop and phone widths.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from apps.core.capabilities import Role
from tests.e2e.conftest import at_both_widths, sign_in

pytestmark = pytest.mark.e2e


def test_repeated_failures_pause_sign_in_with_a_plain_page(
    live_server: LiveServer, page: Page, settings: SettingsWrapper
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5  # the default the page and the README state
    User.objects.create_user("alice", password="alice-password-1")
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if "/login/" in r.url else None)
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("not-her-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
    assert statuses[-1] == 429
    page.get_by_text("For the people who run this dashboard").click()
    expect(page.get_by_text("axes_reset_username USERNAME")).to_be_visible()
    at_both_widths(page, "signin-locked")
    # The sign-in page is one link away; the right password is still refused for now.
    page.get_by_role("link", name="sign in again").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("alice-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()


def test_sign_ins_and_failures_read_plainly_under_dashboard_actions(
    live_server: LiveServer, page: Page
) -> None:
    User.objects.create_user("alice", password="alice-password-1")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    sign_in(page, live_server, Role.AUDITOR)
    page.goto(f"{live_server.url}/audit/")
    failed = page.get_by_role("row").filter(has_text="Sign-in failed")
    expect(failed).to_contain_text("alice")
    expect(failed).to_contain_text("Wrong username or password.")
    expect(page.get_by_role("row").filter(has_text="e2e-auditor").first).to_contain_text("Sign in")
    at_both_widths(page, "auditentry-signins")
