"""insert_new: every field stored, each id once, the count of new rows, on either database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from apps.activity.bulk import FIELDS, insert_new
from apps.activity.models import ActivityEvent
from apps.authtenants.models import AuthTenant
from tests.activity.conftest import MOMENT, entry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tenant() -> AuthTenant:
    return AuthTenant.objects.create(name="bulk", team_slug="acme", domain="acme.us.auth0.com")


def test_every_column_but_the_key_is_filled() -> None:
    # A new model field must be added to the bulk path too, or it would silently stay empty.
    names = {field.attname for field in ActivityEvent._meta.concrete_fields}
    assert set(FIELDS) == names - {"id"}


def test_new_entries_are_stored_with_every_field(tenant: AuthTenant) -> None:
    with transaction.atomic():
        assert insert_new(tenant, [entry(1), entry(2, actor=None, details=None, ip=None)]) == 2
    first = ActivityEvent.objects.get(external_id="entry-1")
    assert first.auth_tenant == tenant
    assert first.created_at == MOMENT - timedelta(seconds=1)
    assert first.details == {"tenant": {"id": "t-1", "name": 'ünïcode "quoted"\ttab'}, "n": [1, 2]}
    assert (first.actor_id, first.actor_name, first.actor_team_role) == ("auth0|1", "Ada", "owner")
    assert first.actor_is_member is None
    assert first.user_agent == "Mozilla/5.0\\backslash"
    assert (first.type, first.status, first.version) == ("tenant.create", "Success", "v1")
    assert first.stored_at is not None
    second = ActivityEvent.objects.get(external_id="entry-2")
    assert (second.actor_id, second.details, second.ip) == ("", {}, "")


def test_ids_already_stored_are_skipped_and_not_counted(tenant: AuthTenant) -> None:
    with transaction.atomic():
        insert_new(tenant, [entry(1), entry(2)])
    with transaction.atomic():
        # Two batches in one transaction: each counts only the rows it added.
        assert insert_new(tenant, [entry(2), entry(3)]) == 1
        assert insert_new(tenant, [entry(1), entry(3), entry(4)]) == 1
    stored = ActivityEvent.objects.values_list("external_id", flat=True)
    assert sorted(stored) == ["entry-1", "entry-2", "entry-3", "entry-4"]


def test_a_rolled_back_batch_leaves_nothing_behind(tenant: AuthTenant) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        insert_new(tenant, [entry(1)])
        raise RuntimeError
    with transaction.atomic():
        assert insert_new(tenant, [entry(1)]) == 1
    assert ActivityEvent.objects.count() == 1


def test_the_same_id_under_another_auth_tenant_is_a_different_event(tenant: AuthTenant) -> None:
    other = AuthTenant.objects.create(name="other", team_slug="beta", domain="beta.us.auth0.com")
    with transaction.atomic():
        assert insert_new(tenant, [entry(1)]) == 1
        assert insert_new(other, [entry(1)]) == 1
    assert ActivityEvent.objects.filter(external_id="entry-1").count() == 2
