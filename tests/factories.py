"""factory_boy factories for the models Teams Admin owns."""

# factory_boy's declarations carry no annotations; the factories' create() results are typed.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from factory.declarations import LazyAttribute, Sequence, SubFactory
from factory.django import DjangoModelFactory

from apps.authtenants import crypto
from apps.authtenants.models import AuthClient, AuthTenant, Cloud, Region
from tests import canary

READ_SCOPES = "read:members read:team_activity read:tenants"


class AuthTenantFactory(DjangoModelFactory[AuthTenant]):
    class Meta:
        model = AuthTenant

    name = Sequence(lambda n: f"Auth Tenant {n}")
    team_slug = "acme"
    domain = "acme.us.auth0.com"
    region = Region.US
    cloud = Cloud.PUBLIC
    enabled = True


class AuthClientFactory(DjangoModelFactory[AuthClient]):
    class Meta:
        model = AuthClient

    class Params:
        secret = "factory-client-secret"  # watched by the secret canary (tests/canary.py)

    auth_tenant = SubFactory(AuthTenantFactory)
    label = Sequence(lambda n: f"Client {n}")
    client_id = Sequence(lambda n: f"factoryClient{n:020d}")
    scopes = READ_SCOPES
    enabled = True
    secret_encrypted = LazyAttribute(
        lambda o: crypto.encrypt(canary.watch(o.secret, canary.AUTH_CLIENT_SECRET))
    )
