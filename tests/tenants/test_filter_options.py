"""The lists' filter options come with the page query, and are read on their own only when needed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from apps.core.filters import CarriedOptions
from apps.directory.models import DirectoryMember, DirectoryTenant
from tests.fixtures.directory import Directory

# Session, user with role, Auth Tenants with their clients' scopes, the page with its total,
# snapshot time and filter options.
LIST_QUERIES = 4


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select is not None, name
    return re.findall(r'<option value="([^"]*)"', select.group(0))


@pytest.mark.parametrize(
    ("route", "select"), [("tenants:list", "environment"), ("members:list", "role")]
)
def test_a_list_page_is_four_queries_with_its_filter_options(
    owner_client: Client,
    directory: Directory,
    django_assert_num_queries: DjangoAssertNumQueries,
    route: str,
    select: str,
) -> None:
    with django_assert_num_queries(LIST_QUERIES):
        page = owner_client.get(reverse(route)).content.decode()
    assert len(_options(page, select)) > 2


def test_environment_options_are_the_current_tenants_environments_sorted(
    owner_client: Client, directory: Directory
) -> None:
    DirectoryTenant.objects.create(
        auth_tenant=directory.auth_tenant,
        tenant_id="gone",
        tenant_name="gone-tenant",
        environment="JP-1",
        first_seen_at=timezone.now(),
        removed_at=timezone.now(),
    )
    page = owner_client.get(reverse("tenants:list")).content.decode()
    current = sorted(
        DirectoryTenant.objects.filter(removed_at__isnull=True)
        .values_list("environment", flat=True)
        .distinct()
    )
    assert _options(page, "environment") == ["", *current]
    assert "JP-1" not in current


def test_an_empty_page_still_offers_every_option(
    owner_client: Client,
    directory: Directory,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(LIST_QUERIES + 2):  # no row to carry them: read on their own
        page = owner_client.get(reverse("tenants:list"), {"q": "no-such-tenant"}).content.decode()
    assert "No tenants match these filters." in page
    assert _options(page, "environment") == ["", "EU-1", "US-3", "acme-space"]


def test_a_chosen_option_is_checked_before_the_query_and_stays_selected(
    owner_client: Client, directory: Directory
) -> None:
    page = owner_client.get(reverse("members:list"), {"role": "teams_owner"}).content.decode()
    assert re.search(r'<option value="teams_owner" selected>', page)
    refused = owner_client.get(reverse("tenants:list"), {"environment": "MARS-1"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Select a valid choice" in body
    assert "No tenants match these filters." in body


def test_options_carried_and_read_alone_agree(directory: Directory) -> None:
    members = DirectoryMember.objects.filter(auth_tenant=directory.auth_tenant)
    alone = CarriedOptions(members, "role")()
    carried = CarriedOptions(members, "role")
    rows = list(members.annotate(**{carried.name: carried.column()}).values("pk", carried.name))
    carried.take(rows)
    assert carried.known
    assert carried() == alone == sorted(set(members.values_list("role", flat=True)))
    assert all(carried.name not in row for row in rows)
