"""Browser fixtures: Playwright driving Debian's Chromium (never a downloaded browser build)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from apps.accounts.services import user_ensure
from apps.core.capabilities import Role

CHROMIUM = Path(os.environ.get("TEAMSADMIN_CHROMIUM", "/usr/bin/chromium"))
# Flags that keep Chromium from reaching for the network this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# there are still synchronous, so Django's async-safety guard would be a false alarm.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


WIDE_PX, PHONE_PX = 1280, 390
# Screenshots are written only when asked for (TEAMSADMIN_SCREENSHOTS=docs/screenshots), so a
# test run never rewrites the committed ones.
SCREENSHOTS = os.environ.get("TEAMSADMIN_SCREENSHOTS", "")


def at_both_widths(page: Page, name: str) -> None:
    """Check the page fits a 390 px phone; save it at 1280 and 390 px when screenshots are asked."""
    for width in (WIDE_PX, PHONE_PX):
        page.set_viewport_size({"width": width, "height": 900})
        if width == PHONE_PX:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name}: {overflow}px wider than a {PHONE_PX}px screen"
        if SCREENSHOTS:
            suffix = "" if width == WIDE_PX else f"-{PHONE_PX}"
            path = Path(SCREENSHOTS) / f"{name}{suffix}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": WIDE_PX, "height": 900})


def sign_in(page: Page, live_server: LiveServer, role: Role) -> None:
    """Sign in through the login form as a user holding `role` (created when missing)."""
    user_ensure(username=f"e2e-{role.value}", password="e2e-password", role=role)  # noqa: S106
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(f"e2e-{role.value}")
    page.get_by_label("Password").fill("e2e-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
