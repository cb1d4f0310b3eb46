"""Hostile input on the access forms of a real member: a page with a message, never a 500."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.fixtures.directory import Directory

HOSTILE = ["a\x00b", "x" * 10_000, "' OR 1=1 --", "<script>alert(1)</script>", ""]
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.mark.parametrize("name", ["grant", "change", "revoke"])
@pytest.mark.parametrize("value", HOSTILE, ids=["nul", "long", "sql", "html", "empty"])
def test_hostile_values_in_every_field_get_a_page_not_an_error(
    owner_client: Client, directory: Directory, name: str, value: str
) -> None:
    url = reverse(f"access:{name}", args=[directory.ada.member_id])
    page = owner_client.get(url, {"tenant": value})
    assert page.status_code == 200
    found = TOKEN.search(page.content.decode())
    assert found is not None
    fields = {"tenants": [value], "roles": [value], "client_ids": value}

    for token in (found.group(1), value):
        response = owner_client.post(url, {**fields, "form_token": token})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_hostile_member_search_on_the_tenant_picker(
    owner_client: Client, directory: Directory
) -> None:
    url = reverse("access:tenant-grant", args=[directory.prod.tenant_id])
    for value in HOSTILE:
        assert owner_client.get(url, {"q": value}).status_code == 200


def test_a_search_no_database_can_hold_lists_nobody_and_says_why(
    owner_client: Client, directory: Directory
) -> None:
    url = reverse("access:tenant-grant", args=[directory.prod.tenant_id])
    page = owner_client.get(url, {"q": "a\x00b"}).content.decode()
    assert "Nothing is listed until the search is corrected." in page
    assert "Choose roles" not in page
