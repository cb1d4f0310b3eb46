"""Browser flow on the People pages: an owner finds a person in two teams and offboards them
everywhere, the progress page following the job by itself. Saves the People screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.core.capabilities import Role
from apps.people import services
from apps.people.models import OffboardJob
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.people import GLOBEX_SLUG, LEAVER, Teams

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_offboards_a_person_from_two_teams(
    live_server: LiveServer, page: Page, teams: Teams
) -> None:
    sign_in(page, live_server, Role.OWNER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_label("Email").fill("leaver")
    expect(page.get_by_role("link", name=LEAVER)).to_be_visible()
    page.get_by_role("link", name=LEAVER).click()
    results = page.locator("#person-results")
    expect(results).to_contain_text(f"{LEAVER} is in 2 of 2 teams.")
    expect(results.get_by_role("heading", name="Globex (sandbox)")).to_be_visible()
    at_both_widths(page, "people-search")

    page.get_by_role("link", name="Offboard from every team…").click()
    expect(page.get_by_role("heading", name=f"Offboard {LEAVER} from every team?")).to_be_visible()
    expect(page.get_by_text("1 pending invitation → withdrawn.")).to_be_visible()
    confirmation = page.get_by_label("Type the email address to confirm")
    confirmation.fill(LEAVER)
    at_both_widths(page, "offboard-confirm")
    confirmation.fill("someone@else.test")
    page.get_by_role("button", name="Offboard everywhere").click()
    expect(page.get_by_text("Type the email address exactly as shown to confirm.")).to_be_visible()
    expect(confirmation).to_have_value("someone@else.test")
    confirmation.fill(LEAVER)
    page.get_by_role("button", name="Offboard everywhere").click()

    expect(page.get_by_text(f"Offboarding of {LEAVER} started.")).to_be_visible()
    expect(page.get_by_text("Working… this page updates by itself.")).to_be_visible()
    services.offboard_run(job=OffboardJob.objects.get())  # the worker's part
    expect(page.get_by_text("Finished: 3 steps.")).to_be_visible()
    expect(page.locator(".offboard-step .badge.ok")).to_have_count(3)
    at_both_widths(page, "offboard-result")
    assert not teams.upstream(teams.sandbox.team_slug) and not teams.upstream(GLOBEX_SLUG)
