"""A list page reads its rows and their total in one query, and numbers pages as Django does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from pytest_django import DjangoAssertNumQueries

from apps.core.filters import page_of
from apps.directory.models import DirectoryTenant
from tests.fixtures.directory import Directory

PER_PAGE = 2


def _page(directory: Directory, page: str | None, **filters: Any) -> Any:
    query = {} if page is None else {"page": page}
    rows = (
        DirectoryTenant.objects.filter(auth_tenant=directory.auth_tenant, **filters)
        .order_by("tenant_name")
        .values("tenant_name")
    )
    return page_of(RequestFactory().get("/", query), rows, per_page=PER_PAGE)


def test_a_page_and_its_total_come_in_one_query(
    directory: Directory, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        page = _page(directory, "2")
        names = [row["tenant_name"] for row in page]
        assert (page.paginator.count, page.paginator.num_pages, page.number) == (4, 2, 2)
    assert names == ["acme-private", "acme-prod"]
    assert list(page.object_list[0]) == ["tenant_name"]  # the total is not left on the rows


@pytest.mark.parametrize(
    ("asked", "shown"),
    [(None, 1), ("x", 1), ("2.0", 1), ("0", 2), ("-1", 2), ("3", 2), ("9" * 30, 2)],
)
def test_a_malformed_or_out_of_range_number_is_clamped(
    directory: Directory, asked: str | None, shown: int
) -> None:
    page = _page(directory, asked)
    assert (page.number, page.paginator.count) == (shown, 4)
    assert len(page.object_list) == PER_PAGE


def test_nothing_matching_is_one_empty_page(directory: Directory) -> None:
    for asked in (None, "1", "5"):
        page = _page(directory, asked, tenant_name="nobody")
        assert (page.number, page.paginator.count, list(page)) == (1, 0, [])


def test_a_distinct_query_is_counted_on_its_own(
    directory: Directory, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """COUNT over FROM and WHERE would count duplicates; Django's own count does not."""
    rows = (
        DirectoryTenant.objects.filter(auth_tenant=directory.auth_tenant)
        .order_by("environment")
        .values("environment")
        .distinct()
    )
    with django_assert_num_queries(2):
        page = page_of(RequestFactory().get("/"), rows, per_page=PER_PAGE)
        shown = list(page)
    assert page.paginator.count == 3  # US-3 twice, EU-1, acme-space
    assert len(shown) == PER_PAGE
