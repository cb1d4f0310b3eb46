"""The list pages stay within a fixed number of SQL queries at 10,000 members and 1,000 tenants."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant
from apps.teamsapi.contract import PAGE_SIZE_MAX
from tests.fixtures.directory import Directory

MEMBERS, TENANTS, ACCESS_PER_MEMBER = 10_000, 1_000, 3
# Session, user with role, Auth Tenants with their clients' scopes (the tenants page's buttons),
# and the page with its total, snapshot time and filter options: the same at 10 rows or 10,000.
MAX_QUERIES = 4


@pytest.fixture
def big_directory(directory: Directory) -> Directory:
    now, team = timezone.now(), directory.auth_tenant
    DirectoryMember.objects.bulk_create(
        (
            DirectoryMember(
                auth_tenant=team,
                member_id=f"auth0|{i:08d}",
                name=f"Person {i}",
                email=f"person{i:05d}@example.com",
                role="contributor",
                first_seen_at=now,
            )
            for i in range(MEMBERS)
        ),
        batch_size=2000,
    )
    DirectoryTenant.objects.bulk_create(
        (
            DirectoryTenant(
                auth_tenant=team,
                tenant_id=f"ten_{i:05d}",
                tenant_name=f"tenant-{i:04d}",
                environment="US-3",
                first_seen_at=now,
            )
            for i in range(TENANTS)
        ),
        batch_size=2000,
    )
    tenants = list(
        DirectoryTenant.objects.filter(tenant_id__startswith="ten_").values_list("pk", flat=True)
    )
    members = DirectoryMember.objects.filter(member_id__startswith="auth0|0")
    DirectoryAccess.objects.bulk_create(
        (
            DirectoryAccess(
                auth_tenant=team,
                member_id=pk,
                tenant_id=tenants[(n + k * 331) % TENANTS],
                roles=["admin"],
                first_seen_at=now,
            )
            for n, pk in enumerate(members.values_list("pk", flat=True))
            for k in range(ACCESS_PER_MEMBER)
        ),
        batch_size=5000,
    )
    return directory


@pytest.mark.parametrize(
    ("route", "query", "rows_expected"),
    [
        ("members:list", {}, PAGE_SIZE_MAX),
        ("members:list", {"q": "PERSON0"}, PAGE_SIZE_MAX),
        ("members:list", {"q": "person01234"}, 1),
        ("tenants:list", {}, PAGE_SIZE_MAX),
        ("tenants:list", {"q": "tenant-09"}, PAGE_SIZE_MAX),
    ],
)
def test_list_pages_run_a_bounded_number_of_queries(
    owner_client: Client,
    big_directory: Directory,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    route: str,
    query: dict[str, str],
    rows_expected: int,
) -> None:
    with django_assert_max_num_queries(MAX_QUERIES):
        response = owner_client.get(reverse(route), query)
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert len(page.object_list) == rows_expected


def test_the_counts_per_row_come_from_current_access_only(
    owner_client: Client, big_directory: Directory
) -> None:
    member = DirectoryMember.objects.get(member_id="auth0|00000000")
    DirectoryAccess.objects.filter(member=member).order_by("pk").first().delete()  # type: ignore[union-attr]
    first = DirectoryAccess.objects.filter(member=member).order_by("pk").first()
    assert first is not None
    DirectoryAccess.objects.filter(pk=first.pk).update(removed_at=timezone.now())
    page = owner_client.get(reverse("members:list"), {"q": "person00000@"}).context["page_obj"]
    assert [m["tenant_count"] for m in page.object_list] == [ACCESS_PER_MEMBER - 2]
    tenant = DirectoryTenant.objects.get(tenant_id="ten_00000")
    current = DirectoryAccess.objects.filter(tenant=tenant, removed_at__isnull=True).count()
    DirectoryAccess.objects.filter(tenant=tenant).order_by("pk").first().delete()  # type: ignore[union-attr]
    tenants = owner_client.get(reverse("tenants:list"), {"q": "tenant-0000"}).context["page_obj"]
    assert [t["member_count"] for t in tenants.object_list] == [current - 1]


def test_search_matches_name_nickname_and_id_case_insensitively(
    owner_client: Client, big_directory: Directory
) -> None:
    DirectoryMember.objects.filter(member_id="auth0|00000042").update(
        nickname="Zebra", name="Quentin Quux"
    )
    for q in ("zEBRA", "quentin QUUX", "AUTH0|00000042", "Person00042@Example"):
        page = owner_client.get(reverse("members:list"), {"q": q}).context["page_obj"]
        assert [m["member_id"] for m in page.object_list] == ["auth0|00000042"], q
