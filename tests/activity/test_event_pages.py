"""The Activity page: auditors filter and search the synced log; its export button carries the filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.authtenants.models import AuthTenant
from apps.teamsapi.contract import PAGE_SIZE_MAX
from teamsadmin.display import event_label
from tests.activity.conftest import event
from tests.factories import AuthTenantFactory


def test_auditor_sees_the_log_newest_first(auditor_client: Client, log: AuthTenant) -> None:
    page = auditor_client.get(reverse("activity:list")).content.decode()
    assert "5 events" in page
    assert (
        page.index("Member role updated")
        < page.index("Tenant created")
        < page.index("Member invited")
    )


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"type": "Tenant Activity"}, "tenant_created", "member_role_updated"),
        ({"status": "Failure"}, "member_deleted", "tenant_created"),
        ({"actor": "deploy"}, "tenant_created", "member_deleted"),
        ({"q": "invited"}, "member_invited", "member_deleted"),
        ({"since": "2026-10-25"}, "member_deleted", "member_invited"),
        ({"until": "2026-10-05"}, "member_invited", "member_deleted"),
    ],
)
def test_filters_narrow_the_log(
    auditor_client: Client, log: AuthTenant, query: dict[str, str], shown: str, hidden: str
) -> None:
    page = auditor_client.get(reverse("activity:list"), query).content.decode()
    # The page names events the way people read them: "tenant_created" reads "Tenant created".
    assert event_label(shown) in page
    assert event_label(hidden) not in page


def test_bad_dates_get_a_message_not_an_error(auditor_client: Client, log: AuthTenant) -> None:
    response = auditor_client.get(
        reverse("activity:list"), {"since": "2026-11-05", "until": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    response = auditor_client.get(reverse("activity:list"), {"since": "yesterday-ish"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_htmx_filtering_swaps_only_the_table(auditor_client: Client, log: AuthTenant) -> None:
    response = auditor_client.get(
        reverse("activity:list"), {"status": "Failure"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="event-table">')
    assert "1 event" in body


def test_export_button_posts_the_current_filters(auditor_client: Client, log: AuthTenant) -> None:
    page = auditor_client.get(
        reverse("activity:list"), {"status": "Failure", "q": "member"}
    ).content.decode()
    form = page[page.index('<form method="post" action="' + reverse("activity:export")) :]
    form = form[: form.index("</form>")]
    assert f"?auth_tenant={log.pk}" in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="status" value="Failure">' in form
    assert '<input type="hidden" name="q" value="member">' in form
    assert '<option value="jsonl">' in form


def test_helpdesk_cannot_see_or_export_activity(helpdesk_client: Client, log: AuthTenant) -> None:
    assert helpdesk_client.get(reverse("activity:list")).status_code == 403
    assert helpdesk_client.post(reverse("activity:export")).status_code == 403


def test_activity_of_another_auth_tenant_stays_separate(
    auditor_client: Client, log: AuthTenant
) -> None:
    other = AuthTenantFactory.create(name="Zeta")
    event(other, 99, current_event="zeta_only_event")
    assert "zeta_only_event" not in auditor_client.get(reverse("activity:list")).content.decode()


def test_pages_hold_the_contracts_page_size(auditor_client: Client, log: AuthTenant) -> None:
    for n in range(10, 10 + PAGE_SIZE_MAX):
        event(log, n)
    response = auditor_client.get(reverse("activity:list"))
    first = response.content.decode()
    assert f"{PAGE_SIZE_MAX + 5} events" in first
    assert len(response.context["page"].events) == PAGE_SIZE_MAX
    assert "Older →" in first
