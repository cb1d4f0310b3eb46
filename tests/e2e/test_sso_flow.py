"""Single sign-on in a real browser: through the sandbox's sign-in form to the dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import at_both_widths
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.e2e


def _to_provider_form(page: Page, sso: Sandbox) -> None:
    page.goto(f"{sso.url}/")
    at_both_widths(page, "login-sso")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    expect(page.get_by_role("heading", name="Sign in to Teams Admin")).to_be_visible()
    at_both_widths(page, "sandbox-sign-in")


def test_an_auditor_signs_in_with_single_sign_on_and_lands_on_the_overview(
    page: Page, sso: Sandbox
) -> None:
    _to_provider_form(page, sso)
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill("sso-auditor")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_role("heading", name="Your role: Auditor")).to_be_visible()
    expect(page.get_by_text("ada@acme.example").first).to_be_visible()


def test_a_person_without_a_mapped_group_sees_the_no_access_page(page: Page, sso: Sandbox) -> None:
    _to_provider_form(page, sso)
    page.get_by_label("Email").fill("noah@acme.example")
    page.get_by_label("Password").fill("sso-norole")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="No access to Teams Admin")).to_be_visible()
    at_both_widths(page, "sso-no-access")
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_role("link", name="Sign in with single sign-on")).to_be_visible()
