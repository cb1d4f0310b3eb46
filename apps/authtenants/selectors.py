"""Reads of Auth Tenants: lists, look-ups and which configured client enables each feature."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.authtenants.features import FEATURES
from apps.authtenants.models import AuthClient, AuthTenant
from apps.teamsapi.connection import fewest_scope_client


@dataclass(frozen=True)
class FeatureCoverage:
    """Whether one dashboard feature works with this Auth Tenant, through which client."""

    feature: str
    scope: str
    client: AuthClient | None

    @property
    def missing_scope(self) -> str | None:
        return None if self.client is not None else self.scope


def auth_tenant_list() -> QuerySet[AuthTenant]:
    """Every Auth Tenant with its clients, by name."""
    return AuthTenant.objects.prefetch_related("clients").order_by("name")


def auth_tenant_get(*, pk: int) -> AuthTenant:
    """One Auth Tenant or Http404."""
    return get_object_or_404(AuthTenant.objects.prefetch_related("clients"), pk=pk)


def auth_client_get(*, pk: int) -> AuthClient:
    """One Auth Client or Http404."""
    return get_object_or_404(AuthClient.objects.select_related("auth_tenant"), pk=pk)


def auth_tenant_default() -> AuthTenant | None:
    """The first enabled Auth Tenant by name, or None when none is configured."""
    return AuthTenant.objects.filter(enabled=True).order_by("name", "pk").first()


def feature_coverage(auth_tenant: AuthTenant) -> list[FeatureCoverage]:
    """For each dashboard feature: the client that enables it, or the scope that is missing.

    The client is picked as TeamsClient picks it for the feature's call: the same function over
    the enabled clients in the same order.
    """
    clients = sorted((c for c in auth_tenant.clients.all() if c.enabled), key=lambda c: c.pk)
    return [
        FeatureCoverage(
            feature=feature.label,
            scope=feature.scope,
            client=fewest_scope_client(clients, feature.operation),
        )
        for feature in FEATURES
    ]
