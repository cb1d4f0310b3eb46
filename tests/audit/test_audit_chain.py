"""The dashboard-action chain: every recorded action is linked, and tampering is reported."""

from __future__ import annotations

import importlib
import uuid
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.utils import timezone

from apps.audit import chain
from apps.audit.models import AuditAction, AuditChainHead, AuditEntry, AuditOutcome
from apps.audit.services import audit_record
from apps.authtenants.models import AuthTenant
from apps.core.hashchain import Break, link_hash
from tests.factories import AuthTenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> AuthTenant:
    return AuthTenantFactory.create(name="Acme")


def _record(owner: User, auth_tenant: AuthTenant | None, target: str) -> AuditEntry:
    return audit_record(
        actor=owner,
        auth_tenant=auth_tenant,
        action=AuditAction.MEMBER_INVITE,
        target_type="member",
        target_id=target,
        # Values the JSON column stores as text: the hash must match what reads back.
        parameters={"at": timezone.now(), "id": uuid.uuid4(), "cost": Decimal("1.10"), "n": 1e20},
    )


def _five(owner: User, acme: AuthTenant) -> list[AuditEntry]:
    return [_record(owner, acme, f"m-{n}") for n in range(5)]


def _first_break(chain_key: int) -> Break:
    found = chain.audit_verify(chain_key=chain_key).first_break
    assert found is not None, "the chain verified although an entry was tampered with"
    return found


def test_recorded_actions_are_chained_per_auth_tenant_and_verify(
    owner: User, acme: AuthTenant
) -> None:
    entries = _five(owner, acme)
    other = _record(owner, None, "elsewhere")
    assert [e.chain_seq for e in entries] == [1, 2, 3, 4, 5]
    assert (other.chain_key, other.chain_seq) == (0, 1)
    assert AuditChainHead.objects.get(chain_key=acme.pk).hash == entries[-1].chain_hash
    result = chain.audit_verify(chain_key=acme.pk)
    assert result.ok and result.checked == 5
    assert chain.audit_verify(chain_key=0).ok


def test_a_modified_action_is_reported(owner: User, acme: AuthTenant) -> None:
    entries = _five(owner, acme)
    AuditEntry.objects.filter(pk=entries[1].pk).update(outcome=AuditOutcome.FAILURE)
    found = _first_break(acme.pk)
    assert (found.row, found.seq, found.compared, found.stored) == (
        entries[1].pk,
        2,
        "hash",
        entries[1].chain_hash,
    )


def test_a_deleted_action_is_reported(owner: User, acme: AuthTenant) -> None:
    entries = _five(owner, acme)
    entries[3].delete()
    found = _first_break(acme.pk)
    assert (found.row, found.problem, found.expected, found.stored) == (
        entries[4].pk,
        "rows before this one are missing",
        "4",
        "5",
    )


def test_an_inserted_action_is_reported(owner: User, acme: AuthTenant) -> None:
    entries = _five(owner, acme)
    for entry in reversed(entries[1:]):
        AuditEntry.objects.filter(pk=entry.pk).update(chain_seq=(entry.chain_seq or 0) + 1)
    forged = AuditEntry(
        actor_username="mallory",
        auth_tenant=acme,
        auth_tenant_name="Acme",
        action=AuditAction.MEMBER_REMOVE,
        outcome=AuditOutcome.SUCCESS,
        chain_key=acme.pk,
        chain_seq=2,
    )
    content = [getattr(forged, name) for name in chain.CONTENT_FIELDS]
    forged.chain_hash = link_hash(content, entries[0].chain_hash)
    forged.save()
    AuditChainHead.objects.filter(chain_key=acme.pk).update(seq=6)
    found = _first_break(acme.pk)
    assert (found.row, found.seq, found.compared) == (entries[1].pk, 3, "hash")


def test_actions_stay_verifiable_after_their_auth_tenant_is_deleted(
    owner: User, acme: AuthTenant
) -> None:
    _five(owner, acme)
    key = acme.pk
    acme.delete()
    assert AuditEntry.objects.filter(chain_key=key, auth_tenant=None).count() == 5
    [report] = [r for r in chain.chain_reports(None) if str(key) in r.label]
    assert report.label == f"Dashboard actions of a deleted Auth Tenant (id {key})"
    assert report.verification.ok


def test_the_migration_chains_actions_recorded_before_chaining(
    owner: User, acme: AuthTenant
) -> None:
    _five(owner, acme)
    _record(owner, None, "elsewhere")
    AuditEntry.objects.update(chain_key=0, chain_seq=None, chain_hash="")
    AuditChainHead.objects.all().delete()
    migration = importlib.import_module("apps.audit.migrations.0003_chain_existing_entries")

    migration.chain_entries(django_apps, None)

    assert chain.audit_verify(chain_key=acme.pk).ok
    assert chain.audit_verify(chain_key=0).ok
    seqs = AuditEntry.objects.filter(chain_key=acme.pk).order_by("pk").values_list("chain_seq")
    assert [seq for (seq,) in seqs] == [1, 2, 3, 4, 5]
