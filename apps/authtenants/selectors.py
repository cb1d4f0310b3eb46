"""Reads of Auth Tenants: lists, look-ups and which configured client enables each feature."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.authtenants.features import FEATURES
from apps.authtenants.models import AuthClient, AuthTenant


@dataclass(frozen=True)
class FeatureCoverage:
    """Whether one dashboard feature works with this Auth Tenant, through which client."""

    feature: str
    scope: str
    client: AuthClient | None

    @property
    def available(self) -> bool:
        return self.client is not None

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


def client_for_scope(*, clients: list[AuthClient], scope: str) -> AuthClient | None:
    """The enabled client granted `scope` with the fewest scopes (least privilege), if any."""
    candidates = [c for c in clients if c.enabled and scope in c.scope_set]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (len(c.scope_set), c.pk or 0))


def feature_coverage(auth_tenant: AuthTenant) -> list[FeatureCoverage]:
    """For each dashboard feature: the client that enables it, or the scope that is missing."""
    clients = list(auth_tenant.clients.all())
    return [
        FeatureCoverage(
            feature=feature.label,
            scope=feature.scope,
            client=client_for_scope(clients=clients, scope=feature.scope),
        )
        for feature in FEATURES
    ]
