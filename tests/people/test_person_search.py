"""Finding one person in every team's mirror: memberships, tenant access, invitations, freshness."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.people import selectors
from tests.factories import AuthTenantFactory
from tests.fixtures.people import LEAVER, Teams

SEARCH = reverse("people:search")


def test_search_finds_the_person_in_both_teams_with_each_mirrors_freshness(
    helpdesk_client: Client, teams: Teams
) -> None:
    page = helpdesk_client.get(SEARCH, {"email": LEAVER.upper()}).content.decode()
    assert f"<strong>{LEAVER.upper()}</strong> is in 2 of 2 teams." in page
    for name in ("Acme (sandbox)", "Globex (sandbox)"):
        assert f"<h2>{name}</h2>" in page
    assert page.count("Directory as of") == 2
    assert page.count("just now") == 2
    assert "Contributor" in page and "Viewer – Config settings" in page
    acme_tenants = [a.tenant.tenant_name for a in teams.mirrored(teams.acme).accesses.all()]
    assert len(acme_tenants) == 2 and all(name in page for name in acme_tenants)
    assert "Pending invitation:" in page and "as Report viewer" in page
    # Helpdesk may look, not offboard.
    assert "Offboard from every team" not in page


def test_owners_get_the_offboard_link(owner_client: Client, teams: Teams) -> None:
    page = owner_client.get(SEARCH, {"email": LEAVER}).content.decode()
    assert f'href="{reverse("people:offboard")}?email=lee.leaver%40example.test"' in page


def test_a_partial_email_lists_candidates(auditor_client: Client, teams: Teams) -> None:
    page = auditor_client.get(SEARCH, {"email": "LEAVER@"}).content.decode()
    assert "No one has exactly the email" in page
    assert f'?email=lee.leaver%40example.test">{LEAVER}</a>' in page


def test_an_unknown_email_says_nothing_matched(owner_client: Client, teams: Teams) -> None:
    page = owner_client.get(SEARCH, {"email": "nobody@nowhere.test"}).content.decode()
    assert "No member or pending invitation matches" in page
    assert "(2 searched)" in page


def test_the_htmx_search_returns_only_the_results(owner_client: Client, teams: Teams) -> None:
    response = owner_client.get(SEARCH, {"email": LEAVER}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="person-results"')
    assert "<html" not in body


def _queries(email: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        found = selectors.person_search(email=email)
        for team in found.teams:
            [access.tenant.tenant_name for access in team.accesses]
    return len(captured)


def test_search_queries_do_not_grow_with_the_number_of_teams(teams: Teams) -> None:
    exact, partial = _queries(LEAVER), _queries("leaver")
    AuthTenantFactory.create_batch(6)
    assert (_queries(LEAVER), _queries("leaver")) == (exact, partial)
    assert exact <= 4 and partial <= 6
