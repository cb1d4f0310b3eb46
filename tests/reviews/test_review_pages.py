"""The access review pages: create, the queue (grouped, paginated, bounded queries), decide,
close, the report and its export, and the home page's reminder."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from apps.audit.models import AuditAction, AuditEntry
from apps.reviews import services
from apps.reviews.models import ReviewCampaign, ReviewItem
from tests.fixtures.directory import Directory
from tests.members.conftest import form_token
from tests.reviews.conftest import dev_reviewed_by, item, open_review

pytestmark = pytest.mark.django_db

CREATE = "/reviews/new/"


def test_an_owner_creates_a_quarterly_review_of_production_from_the_page(
    owner_client: Client, directory: Directory
) -> None:
    token = form_token(owner_client, CREATE)
    page = owner_client.get(CREATE).content.decode()
    assert 'value="production"' in page and ">Production<" in page

    response = owner_client.post(
        CREATE,
        {
            "name": "Production Q4",
            "scope_kind": "environment",
            "environment_tag": "production",
            "reviewer_roles": ["auditor"],
            "due_days": "14",
            "recurrence": "quarterly",
            "due_default": "flag",
            "form_token": token,
        },
        follow=True,
    )

    campaign = ReviewCampaign.objects.get()
    assert response.redirect_chain[-1][0] == f"/reviews/{campaign.pk}/"
    assert "opened with 1 item" in response.content.decode()
    assert campaign.plan.recurrence == "quarterly"
    assert list(campaign.items.values_list("tenant_name", flat=True)) == ["acme-prod"]


def test_a_form_with_missing_choices_comes_back_with_what_was_typed(
    owner_client: Client, directory: Directory
) -> None:
    token = form_token(owner_client, CREATE)
    response = owner_client.post(
        CREATE,
        {
            "name": "Chosen ones",
            "scope_kind": "chosen",
            "reviewer_roles": ["owner"],
            "due_days": "0",
            "recurrence": "none",
            "due_default": "keep",
            "form_token": token,
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one tenant." in page
    assert 'value="Chosen ones"' in page
    assert not ReviewCampaign.objects.exists()


def test_the_queue_groups_by_tenant_or_person_and_an_auditor_decides_from_it(
    owner: User, auditor_client: Client, auditor: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    url = f"/reviews/{campaign.pk}/"
    by_tenant = auditor_client.get(url).content.decode()
    by_person = auditor_client.get(url + "?group=person").content.decode()
    assert by_tenant.index(">acme-dev</th>") < by_tenant.index(">acme-prod</th>")
    assert by_person.index(">Ada Lovelace</th>") < by_person.index(">Bob Byte</th>")

    bob_dev = item(campaign, "bob@acme.test", "acme-dev")
    token = form_token(auditor_client, url)
    refused = auditor_client.post(
        f"{url}decide/", {"items": [bob_dev.pk], "decision": "remove", "form_token": token}
    )
    assert "why the access should be removed" in refused.content.decode()
    assert re.search(rf'id="item-{bob_dev.pk}"[^>]* checked>', refused.content.decode())
    token = form_token(auditor_client, url)
    response = auditor_client.post(
        f"{url}decide/",
        {
            "items": [bob_dev.pk],
            "decision": "remove",
            "justification": "Moved teams",
            "form_token": token,
        },
        follow=True,
    )

    assert "Decision recorded for 1 item." in response.content.decode()
    bob_dev.refresh_from_db()
    assert (bob_dev.decision, bob_dev.decided_by_username) == ("remove", auditor.username)


def test_helpdesk_may_not_open_reviews_and_auditors_see_no_owner_buttons(
    owner: User, helpdesk_client: Client, auditor_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    assert helpdesk_client.get(f"/reviews/{campaign.pk}/").status_code == 403
    assert helpdesk_client.get("/reviews/").status_code == 403

    report = auditor_client.get(f"/reviews/{campaign.pk}/report/").content.decode()
    listing = auditor_client.get("/reviews/").content.decode()

    assert "Close the review now" not in report and "Apply" not in report
    assert "New access review" not in listing
    assert auditor_client.post(f"/reviews/{campaign.pk}/close/").status_code == 403
    campaign.refresh_from_db()
    assert campaign.closed_at is None


def test_the_owner_closes_and_the_report_shows_decisions_and_chain_heads(
    owner: User, owner_client: Client, auditor_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    report_url = f"/reviews/{campaign.pk}/report/"
    token = form_token(owner_client, report_url)

    response = owner_client.post(
        f"/reviews/{campaign.pk}/close/", {"form_token": token}, follow=True
    )

    page = response.content.decode()
    campaign.refresh_from_db()
    assert "closed; items not reviewed took its default" in page
    assert campaign.audit_chain_head and campaign.audit_chain_head in page
    assert campaign.activity_chain_head in page
    assert page.count("Not reviewed by the due date: kept") == 3

    export = auditor_client.post(f"/reviews/{campaign.pk}/report/export/", {"export_format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
    assert export["X-Audit-Chain-Head"] == campaign.audit_chain_head
    assert {(r["member_email"], r["tenant"], r["decision"]) for r in rows} == {
        ("ada@acme.test", "acme-prod", "Keep"),
        ("ada@acme.test", "acme-dev", "Keep"),
        ("bob@acme.test", "acme-dev", "Keep"),
    }
    assert {r["kind"] for r in rows} == {"Tenant access"}
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT_REVIEW).count() == 1


def test_the_home_page_reminds_reviewers(
    owner: User, auditor_client: Client, helpdesk_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, reviewer_roles=["auditor"])

    home = auditor_client.get("/").content.decode()

    assert "Access reviews waiting for you" in home
    assert f'href="/reviews/{campaign.pk}/?show=mine"' in home and "3 items not decided" in home
    assert "Access reviews waiting" not in helpdesk_client.get("/").content.decode()


def test_a_queue_of_5000_items_renders_one_page_in_bounded_queries(
    owner: User,
    auditor_client: Client,
    directory: Directory,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    ReviewItem.objects.bulk_create(
        ReviewItem(
            campaign=campaign,
            member_id=f"auth0|{n:06d}",
            member_email=f"person{n:05d}@acme.test",
            tenant_id=f"tenant-{n % 40}",
            tenant_name=f"tenant-{n % 40:02d}",
            roles=["viewer-users"],
        )
        for n in range(5000)
    )

    with django_assert_max_num_queries(12):
        response = auditor_client.get(f"/reviews/{campaign.pk}/?show=all&page=3")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Page 3 of 101" in page
    assert page.count('name="items"') == 50


def test_a_closed_reviews_queue_offers_owners_only_the_flagged_items(
    owner: User, owner_client: Client, auditor_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, due_default="flag")
    kept = item(campaign, "ada@acme.test", "acme-prod")
    services.items_decide(actor=owner, campaign=campaign, item_ids=[kept.pk], decision="keep")
    services.campaign_close(actor=owner, campaign=campaign)
    url = f"/reviews/{campaign.pk}/"

    owners_view = owner_client.get(url).content.decode()
    auditors_view = auditor_client.get(url).content.decode()

    assert owners_view.count('name="items"') == 2  # the two flagged, not the kept one
    assert f'id="item-{kept.pk}"' not in owners_view
    assert "decide the items flagged for you" in owners_view
    assert 'name="items"' not in auditors_view
    assert "Flagged for an owner" in auditors_view


def test_a_create_form_sent_twice_opens_one_review(
    owner_client: Client, directory: Directory
) -> None:
    token = form_token(owner_client, CREATE)
    data = {
        "name": "Once",
        "scope_kind": "all",
        "reviewer_roles": ["owner"],
        "due_days": "7",
        "recurrence": "none",
        "due_default": "keep",
        "form_token": token,
    }

    first = owner_client.post(CREATE, data)
    second = owner_client.post(CREATE, data, follow=True)

    assert first.status_code == 302
    assert "already submitted" in second.content.decode()
    assert ReviewCampaign.objects.count() == 1


def _reviewer_field(page: str, tenant_name: str) -> str:
    """The per-tenant reviewer select's name, found by its label (the tenant's name)."""
    found = re.search(rf'<label for="id_(reviewer_\d+)">{tenant_name}</label>', page)
    assert found, f"no reviewer field for {tenant_name}"
    return found.group(1)


def test_an_owner_gives_a_tenant_its_own_reviewer_and_adds_team_roles(
    owner: User, owner_client: Client, auditor: User, auditor_client: Client, directory: Directory
) -> None:
    page = owner_client.get(CREATE).content.decode()
    field = _reviewer_field(page, "acme-dev")
    assert f'<option value="{auditor.pk}">{auditor.username}</option>' in page
    assert f'<option value="{owner.pk}">{owner.username}</option>' in page

    response = owner_client.post(
        CREATE,
        {
            "name": "Dev with its reviewer",
            "scope_kind": "all",
            "include_team_roles": "on",
            "reviewer_roles": ["owner"],
            field: str(auditor.pk),
            "due_days": "14",
            "recurrence": "none",
            "due_default": "keep",
            "form_token": form_token(owner_client, CREATE),
        },
        follow=True,
    )

    campaign = ReviewCampaign.objects.get()
    assert "opened with 5 items" in response.content.decode()  # 3 accesses and 2 team roles
    assigned = campaign.items.filter(reviewer=auditor)
    assert set(assigned.values_list("tenant_name", flat=True)) == {"acme-dev"}
    # The auditor's queue opens on what waits for them: acme-dev's two items, each choosable.
    queue = auditor_client.get(f"/reviews/{campaign.pk}/").content.decode()
    assert queue.count('name="items"') == 2 and ">acme-prod<" not in queue
    assert "Tenants' own reviewers: auditor-user 0 of 2" in queue
    # The owner's shows the rest, team roles first, and nothing of acme-dev's to tick.
    owners = owner_client.get(f"/reviews/{campaign.pk}/").content.decode()
    assert owners.count('name="items"') == 3
    assert owners.index(">Team roles</th>") < owners.index(">acme-prod</th>")


def test_a_helpdesk_user_is_not_offered_as_a_tenants_reviewer(
    owner_client: Client, helpdesk: User, auditor: User, directory: Directory
) -> None:
    # Also in the auditors' group, the helpdesk role counts (the most powerful), as at sign-in.
    helpdesk.groups.add(*auditor.groups.all())
    page = owner_client.get(CREATE).content.decode()
    field = _reviewer_field(page, "acme-prod")
    assert f'<option value="{helpdesk.pk}">' not in page
    assert f'<option value="{auditor.pk}">' in page

    response = owner_client.post(
        CREATE,
        {
            "name": "Helpdesk reviews",
            "scope_kind": "all",
            "reviewer_roles": ["owner"],
            field: str(helpdesk.pk),
            "due_days": "14",
            "recurrence": "none",
            "due_default": "keep",
            "form_token": form_token(owner_client, CREATE),
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not ReviewCampaign.objects.exists()


def test_a_team_role_is_reduced_from_the_queue(
    owner: User, owner_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, include_team_roles=True)
    ada = campaign.items.get(kind="team", member_email="ada@acme.test")
    url = f"/reviews/{campaign.pk}/"
    page = owner_client.get(url).content.decode()
    assert 'name="team_role"' in page and "Team owner" in page

    response = owner_client.post(
        f"{url}decide/",
        {
            "items": [ada.pk],
            "decision": "reduce",
            "team_role": "teams_tenant_manager",
            "justification": "Manages tenants only now",
            "form_token": form_token(owner_client, url),
        },
        follow=True,
    )

    assert "Decision recorded for 1 item." in response.content.decode()
    ada.refresh_from_db()
    assert (ada.decision, ada.reduce_to) == ("reduce", ["teams_tenant_manager"])


def test_the_queue_and_the_report_escape_what_the_directory_holds(
    owner: User, owner_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    hostile = '<img src=x onerror="alert(1)">'
    campaign.items.update(member_name=hostile, tenant_name=hostile, justification=hostile)
    campaign.items.update(decision="keep", decided_by_username=hostile)

    for url in (f"/reviews/{campaign.pk}/?show=all", f"/reviews/{campaign.pk}/report/"):
        page = owner_client.get(url).content.decode()
        assert hostile not in page
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_a_tenants_reviewer_is_not_offered_the_team_role_pick(
    owner: User, auditor: User, auditor_client: Client, owner_client: Client, directory: Directory
) -> None:
    campaign = dev_reviewed_by(
        owner, directory, auditor, include_team_roles=True, reviewer_roles=["owner"]
    )
    url = f"/reviews/{campaign.pk}/"

    assert 'name="team_role"' not in auditor_client.get(url).content.decode()
    assert 'name="team_role"' in owner_client.get(url).content.decode()


def test_an_owner_stops_a_recurring_review_from_its_report(
    owner: User, owner_client: Client, auditor_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, recurrence="quarterly")
    report = f"/reviews/{campaign.pk}/report/"
    assert "Stop repeating" not in auditor_client.get(report).content.decode()
    assert auditor_client.post(f"/reviews/{campaign.pk}/stop/").status_code == 403

    response = owner_client.post(
        f"/reviews/{campaign.pk}/stop/",
        {"form_token": form_token(owner_client, report)},
        follow=True,
    )

    page = response.content.decode()
    assert "will not open again; the reviews it opened carry on" in page
    assert "Stop repeating</button>" not in page
    assert f"(stopped by {owner.username} on " in page
    assert "(stopped)" in owner_client.get("/reviews/").content.decode()


def test_an_owner_changes_a_reviews_reviewers_from_its_report(
    owner: User, owner_client: Client, auditor: User, auditor_client: Client, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    report = f"/reviews/{campaign.pk}/report/"
    url = f"/reviews/{campaign.pk}/reviewers/"
    assert "Change reviewers" in owner_client.get(report).content.decode()
    assert "Change reviewers" not in auditor_client.get(report).content.decode()
    page = owner_client.get(url).content.decode()
    assert "the 1 open one: its items not applied yet go to the new reviewers" in page
    field = _reviewer_field(page, "acme-dev")

    response = owner_client.post(
        url,
        {
            "reviewer_roles": ["owner"],
            field: str(auditor.pk),
            "form_token": form_token(owner_client, url),
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == report
    assert "saved; 2 items changed hands." in response.content.decode()
    again = owner_client.get(url).content.decode()
    assert re.search(rf'<option value="{auditor.pk}" selected>', again)
    refused = owner_client.post(url, {"form_token": form_token(owner_client, url)})
    assert "Choose who reviews the items without their own reviewer." in refused.content.decode()


def test_a_review_of_all_tenants_keeps_no_tag_or_tenants_left_in_the_form(
    owner_client: Client, directory: Directory
) -> None:
    owner_client.post(
        CREATE,
        {
            "name": "Everything",
            "scope_kind": "all",
            "environment_tag": "production",  # the select always sends its first option
            "tenants": [directory.prod.tenant_id],
            "reviewer_roles": ["owner"],
            "due_days": "14",
            "recurrence": "none",
            "due_default": "keep",
            "form_token": form_token(owner_client, CREATE),
        },
    )

    plan = ReviewCampaign.objects.get().plan
    assert (plan.environment_tag, plan.tenant_ids) == ("", [])
    assert "All tenants ·" in owner_client.get("/reviews/").content.decode()
