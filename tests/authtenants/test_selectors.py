"""Which client enables each feature, and which Auth Tenant is the default."""

from __future__ import annotations

import pytest

from apps.authtenants import selectors
from apps.authtenants.features import FEATURES
from tests.factories import AuthClientFactory, AuthTenantFactory

pytestmark = pytest.mark.django_db


def test_feature_coverage_prefers_the_client_with_fewest_scopes() -> None:
    tenant = AuthTenantFactory.create()
    owner = AuthClientFactory.create(
        auth_tenant=tenant, label="Owner", scopes="read:members read:tenants create:invitations"
    )
    reader = AuthClientFactory.create(auth_tenant=tenant, label="Reader", scopes="read:members")
    AuthClientFactory.create(
        auth_tenant=tenant, label="Disabled", scopes="delete:tenants", enabled=False
    )

    coverage = {row.feature: row for row in selectors.feature_coverage(tenant)}

    assert list(coverage) == [feature.label for feature in FEATURES]
    assert coverage["Browse members"].client == reader
    assert coverage["Browse tenants"].client == owner
    assert coverage["Invite members"].client == owner
    assert coverage["Delete tenants"].client is None
    assert coverage["Delete tenants"].missing_scope == "delete:tenants"
    assert coverage["Sync activity"].missing_scope == "read:team_activity"
    assert coverage["Browse members"].missing_scope is None


def test_default_auth_tenant_is_the_first_enabled_by_name() -> None:
    assert selectors.auth_tenant_default() is None
    AuthTenantFactory.create(name="A disabled", enabled=False)
    second = AuthTenantFactory.create(name="B enabled")
    AuthTenantFactory.create(name="C enabled")
    assert selectors.auth_tenant_default() == second
