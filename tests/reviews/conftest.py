"""Access review fixtures: a review opened by an owner over a known directory."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from apps.authtenants.models import AuthTenant
from apps.reviews import services
from apps.reviews.models import ReviewCampaign, ReviewItem
from tests.access.conftest import mirror
from tests.fixtures.directory import Directory


def open_review(owner: User, auth_tenant: AuthTenant, **plan: Any) -> ReviewCampaign:
    """Open a review through the service, as the create page does (all tenants unless told)."""
    plan.setdefault("name", "Quarterly access review")
    plan.setdefault("scope_kind", "all")
    return services.plan_create(
        actor=owner, auth_tenant=auth_tenant, plan=services.PlanRequest(**plan)
    )


def dev_reviewed_by(owner: User, d: Directory, reviewer: User, **plan: Any) -> ReviewCampaign:
    """A review whose acme-dev has `reviewer` as its own reviewer."""
    return open_review(
        owner, d.auth_tenant, tenant_reviewers={d.dev.tenant_id: reviewer.pk}, **plan
    )


def item(campaign: ReviewCampaign, email: str, tenant_name: str) -> ReviewItem:
    return campaign.items.get(member_email=email, tenant_name=tenant_name)


@pytest.fixture
def synced(auth_tenant: AuthTenant) -> AuthTenant:
    """The sandbox team's Auth Tenant (all scopes) with its directory mirrored."""
    return mirror(auth_tenant)
