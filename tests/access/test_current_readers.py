"""Readers of current access see one row per member and tenant after roles changed (each
change closes a period and opens the next): lists, counts, panels, pickers."""

from __future__ import annotations

from typing import Any

import pytest

from apps.access import selectors as access_selectors
from apps.directory import follow, selectors
from apps.directory.models import DirectoryAccess
from tests.fixtures.directory import Directory

pytestmark = pytest.mark.django_db


def test_after_a_role_change_every_current_reader_sees_one_row(directory: Directory) -> None:
    ada, dev, at = directory.ada, directory.dev, directory.auth_tenant
    follow.access_changed(at, ada.member_id, [dev.tenant_id], ["viewer-config"])
    follow.access_changed(at, ada.member_id, [dev.tenant_id], ["viewer-users"])

    assert DirectoryAccess.objects.filter(member=ada, tenant=dev).count() == 3
    searched: Any = selectors.member_search(auth_tenant=at, q="ada@").get()  # a list row
    assert searched["tenant_count"] == 2
    listed: Any = selectors.tenant_list(auth_tenant=at).get(pk=dev.pk)
    assert listed["member_count"] == 2  # Ada and Bob
    assert [a.roles for a in selectors.member_access(member=ada) if a.tenant_id == dev.pk] == [
        ["viewer-users"]
    ]
    assert len(selectors.tenant_access_current(tenant=dev)) == 2
    assert len(access_selectors.member_grants(member=ada)) == 2
    assert len(access_selectors.tenant_grants(tenant=dev)) == 2
    assert dev not in access_selectors.grantable_tenants(member=ada)
    candidates = access_selectors.member_candidates(auth_tenant=at, tenant=dev)
    assert ada not in candidates
    history = list(selectors.member_access_history(member=ada))
    assert sum(1 for a in history if a.tenant_id == dev.pk and a.removed_at is None) == 1
