"""The Tenants pages read the local directory mirror: filters, access lists and history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime
from pytest_django import DjangoAssertNumQueries

from apps.directory.models import DirectoryTenant
from apps.teamsapi.contract import PAGE_SIZE_MAX
from tests.fixtures.directory import Directory
from tests.urlwalk import path_with


def test_tenant_list_shows_current_tenants_with_member_counts(
    auditor_client: Client, directory: Directory
) -> None:
    page = auditor_client.get(reverse("tenants:list")).content.decode()
    for name in ("acme-prod", "acme-dev", "acme-private"):
        assert name in page
    assert "acme-old" not in page  # removed upstream
    assert "3 tenants" in page
    assert "directory as of" in page


def test_tenant_list_filters_by_environment_tag_and_search(
    helpdesk_client: Client, directory: Directory
) -> None:
    url = reverse("tenants:list")
    by_env = helpdesk_client.get(url, {"environment": "EU-1"}).content.decode()
    assert "acme-dev" in by_env
    assert "acme-prod" not in by_env
    by_tag = helpdesk_client.get(url, {"environment_tag": "production"}).content.decode()
    assert "acme-prod" in by_tag
    assert "acme-dev" not in by_tag
    by_search = helpdesk_client.get(url, {"q": "PRIV"}).content.decode()
    assert "acme-private" in by_search
    assert "acme-prod" not in by_search


@pytest.mark.parametrize("tenant_id", ["a\x00b", "x" * 65])
def test_a_tenant_id_no_row_can_have_is_a_404(
    owner_client: Client, directory: Directory, tenant_id: str
) -> None:
    assert owner_client.get(path_with("tenants:detail", tenant_id)).status_code == 404


def test_tenants_are_paginated_by_the_contracts_page_size(
    owner_client: Client, directory: Directory
) -> None:
    now = timezone.now()
    DirectoryTenant.objects.bulk_create(
        DirectoryTenant(
            auth_tenant=directory.auth_tenant,
            tenant_id=f"t{i:03d}",
            tenant_name=f"zz-{i:03d}",
            environment="US-3",
            first_seen_at=now,
        )
        for i in range(PAGE_SIZE_MAX)
    )
    first = owner_client.get(reverse("tenants:list")).content.decode()
    assert f"{PAGE_SIZE_MAX + 3} tenants" in first
    assert "Page 1 of 2" in first
    assert "acme-dev" in first  # by name: acme-* come before zz-*
    second = owner_client.get(reverse("tenants:list"), {"page": 2}).content.decode()
    assert "zz-049" in second


def test_htmx_filter_returns_only_the_table(owner_client: Client, directory: Directory) -> None:
    response = owner_client.get(
        reverse("tenants:list"), {"q": "dev"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="tenant-table">')
    assert "<html" not in body
    assert "acme-dev" in body


def test_tenant_list_query_count_does_not_grow_with_tenants(
    owner_client: Client,
    directory: Directory,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_max_num_queries(4):
        owner_client.get(reverse("tenants:list"))


def test_tenant_detail_lists_current_and_past_access(
    auditor_client: Client, directory: Directory
) -> None:
    page = auditor_client.get(
        reverse("tenants:detail", args=[directory.prod.tenant_id])
    ).content.decode()
    current, _, past = page.partition("Past access")
    assert "Ada Lovelace" in current
    assert "Bob Byte" not in current
    assert "Bob Byte" in past
    assert "Editor – Users" in past


def test_unknown_tenant_is_a_404(owner_client: Client, directory: Directory) -> None:
    assert owner_client.get(reverse("tenants:detail", args=["nope"])).status_code == 404


def test_pages_explain_when_no_auth_tenant_is_configured(owner_client: Client) -> None:
    page = owner_client.get(reverse("tenants:list")).content.decode()
    assert "No Auth Tenant is configured yet" in page


def test_pages_explain_when_the_directory_was_never_synced(
    owner_client: Client, directory: Directory
) -> None:
    directory.auth_tenant.directory_snapshots.all().delete()
    page = owner_client.get(reverse("tenants:list")).content.decode()
    assert "has not been synced yet" in page


@pytest.mark.parametrize("query", [{}, {"q": "no-such-tenant"}, {"page": "7"}])
def test_the_list_says_when_the_newest_snapshot_was_taken(
    owner_client: Client, directory: Directory, query: dict[str, str]
) -> None:
    """With rows on the page, without any, and past the last page."""
    newest = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    older = newest - timedelta(days=2)
    for taken_at in (newest, older):
        directory.auth_tenant.directory_snapshots.create(taken_at=taken_at, strategy="per_tenant")
    page = owner_client.get(reverse("tenants:list"), query).content.decode()
    assert f'directory as of <time datetime="{localtime(newest).isoformat()}">' in page
