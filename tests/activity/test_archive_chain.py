"""The activity archive chain: stored in bulk, verified, and broken by any change to stored rows."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.activity import chain, services
from apps.activity.bulk import insert_new
from apps.activity.models import ActivityChainHead, ActivityEvent, ActivityPrune
from apps.activity.tasks import activity_prune_task
from apps.authtenants.models import AuthTenant
from apps.core.hashchain import Break, link_hash
from apps.sync.models import SyncStatus
from apps.teamsapi.types import ActivityLogEntry
from tests.activity.conftest import MOMENT, assert_exact, entry
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tenant() -> AuthTenant:
    return AuthTenant.objects.create(name="chain", team_slug="acme", domain="acme.us.auth0.com")


def _store(tenant: AuthTenant, entries: Sequence[ActivityLogEntry]) -> int:
    with transaction.atomic():
        return insert_new(tenant, entries)


def _stored_five(tenant: AuthTenant) -> list[ActivityEvent]:
    _store(tenant, [entry(n) for n in range(1, 6)])
    return list(ActivityEvent.objects.filter(auth_tenant=tenant).order_by("chain_seq"))


def _first_break(tenant: AuthTenant) -> Break:
    found = chain.activity_verify(auth_tenant_id=tenant.pk).first_break
    assert found is not None, "the chain verified although a stored row was tampered with"
    return found


def test_a_stored_batch_is_chained_in_insertion_order_and_verifies(tenant: AuthTenant) -> None:
    events = _stored_five(tenant)
    assert [e.chain_seq for e in events] == [1, 2, 3, 4, 5]
    assert events[1].chain_hash == link_hash(
        chain.entry_content(tenant.pk, entry(2)), events[0].chain_hash
    )
    assert chain.chain_head(tenant) == events[-1].chain_hash
    result = chain.activity_verify(auth_tenant_id=tenant.pk)
    assert result.ok and result.checked == 5


def test_ids_already_stored_take_no_place_in_the_chain(tenant: AuthTenant) -> None:
    _store(tenant, [entry(1), entry(2)])
    assert _store(tenant, [entry(2), entry(3), entry(3)]) == 1
    seqs = ActivityEvent.objects.order_by("chain_seq").values_list("chain_seq", "external_id")
    assert list(seqs) == [(1, "entry-1"), (2, "entry-2"), (3, "entry-3")]
    assert chain.activity_verify(auth_tenant_id=tenant.pk).ok


def test_back_filled_older_events_chain_after_newer_ones(tenant: AuthTenant) -> None:
    _store(tenant, [entry(1), entry(2)])
    _store(tenant, [entry(50), entry(40)])  # the sync walks back in time
    by_seq = ActivityEvent.objects.order_by("chain_seq").values_list("external_id", flat=True)
    assert list(by_seq) == ["entry-1", "entry-2", "entry-50", "entry-40"]
    assert chain.activity_verify(auth_tenant_id=tenant.pk).ok


def test_a_modified_event_is_reported_with_expected_and_stored_hash(tenant: AuthTenant) -> None:
    events = _stored_five(tenant)
    ActivityEvent.objects.filter(pk=events[2].pk).update(actor_name="Mallory")
    found = _first_break(tenant)
    assert (found.row, found.seq, found.compared, found.stored) == (
        events[2].pk,
        3,
        "hash",
        events[2].chain_hash,
    )
    assert found.expected != found.stored


def test_a_modified_json_detail_is_reported(tenant: AuthTenant) -> None:
    events = _stored_five(tenant)
    ActivityEvent.objects.filter(pk=events[0].pk).update(details={"n": [1, 2]})
    assert _first_break(tenant).row == events[0].pk


def test_a_deleted_event_is_reported(tenant: AuthTenant) -> None:
    events = _stored_five(tenant)
    events[1].delete()
    found = _first_break(tenant)
    assert (found.row, found.seq, found.problem) == (
        events[2].pk,
        2,
        "rows before this one are missing",
    )
    ActivityEvent.objects.filter(pk=events[-1].pk).delete()
    events[1].save(force_insert=True)  # the middle row back, the newest gone
    tail = _first_break(tenant)
    assert (tail.row, tail.problem) == (None, "rows at the end of the chain are missing")


def test_an_inserted_event_is_reported(tenant: AuthTenant) -> None:
    events = _stored_five(tenant)
    for event in reversed(events[2:]):  # make room at position 3, newest first
        ActivityEvent.objects.filter(pk=event.pk).update(chain_seq=F("chain_seq") + 1)
    forged = entry(99, actor={"id": "auth0|x", "type": "user", "name": "Mallory"})
    forged_hash = link_hash(chain.entry_content(tenant.pk, forged), events[1].chain_hash)
    _store_outside_the_chain(tenant, forged, seq=3, chain_hash=forged_hash)
    ActivityChainHead.objects.filter(auth_tenant=tenant).update(seq=6)
    found = _first_break(tenant)
    assert (found.row, found.seq, found.compared) == (events[2].pk, 4, "hash")


def _store_outside_the_chain(
    tenant: AuthTenant, item: ActivityLogEntry, *, seq: int | None, chain_hash: str = ""
) -> ActivityEvent:
    content = dict(zip(chain.CONTENT_FIELDS, chain.entry_content(tenant.pk, item), strict=True))
    return ActivityEvent.objects.create(**content, chain_seq=seq, chain_hash=chain_hash)


def test_an_event_written_around_the_chain_is_reported(tenant: AuthTenant) -> None:
    _stored_five(tenant)
    stray = _store_outside_the_chain(tenant, entry(77), seq=None)
    assert _first_break(tenant).row == stray.pk


def test_a_writer_that_bypassed_the_head_cannot_fork_the_chain(tenant: AuthTenant) -> None:
    _stored_five(tenant)
    _store_outside_the_chain(tenant, entry(77), seq=6, chain_hash="f" * 64)
    with pytest.raises(chain.ChainForked):
        _store(tenant, [entry(8), entry(9)])
    assert not ActivityEvent.objects.filter(external_id__in=["entry-8", "entry-9"]).exists()
    assert ActivityChainHead.objects.get(auth_tenant=tenant).seq == 5  # rolled back too


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SELECT … FOR UPDATE needs PostgreSQL"
)
def test_two_storers_at_once_take_turns_on_the_chain_head(tenant: AuthTenant) -> None:
    _store(tenant, [entry(1)])
    first_holds_the_lock, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def storer(numbers: range, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                insert_new(tenant, [entry(n) for n in numbers])
                if hold:
                    first_holds_the_lock.set()
                    release.wait(10)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=storer, args=(range(10, 20),), kwargs={"hold": True})
    second = threading.Thread(target=storer, args=(range(20, 30),), kwargs={"hold": False})
    first.start()
    assert first_holds_the_lock.wait(10)
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the second storer did not wait for the chain head"
    release.set()
    first.join(10)
    second.join(10)
    assert errors == []
    seqs = ActivityEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True)
    assert list(seqs) == list(range(1, 22))
    assert chain.activity_verify(auth_tenant_id=tenant.pk).ok


def test_a_sync_of_the_sandbox_activity_verifies(sandbox: Sandbox, auth_tenant: AuthTenant) -> None:
    sandbox.seed(tenants=2, members=3, activity=700, seed=4)
    run = services.activity_sync(auth_tenant=auth_tenant)
    sandbox.add_activity(30, created_at=timezone.now() - timedelta(seconds=3))
    again = services.activity_sync(auth_tenant=auth_tenant)
    assert (run.status, again.status) == (SyncStatus.SUCCEEDED, SyncStatus.SUCCEEDED)
    assert_exact(auth_tenant)
    result = chain.activity_verify(auth_tenant_id=auth_tenant.pk)
    assert result.ok, result.first_break
    assert result.checked == 730
    newest = ActivityEvent.objects.filter(auth_tenant=auth_tenant).order_by("-chain_seq").first()
    assert newest is not None and chain.chain_head(auth_tenant) == newest.chain_hash


# --- retention -----------------------------------------------------------------------------------


def _recent(number: int) -> ActivityLogEntry:
    return entry(number, created_at=(timezone.now() - timedelta(hours=number)).isoformat())


def _kept(tenant: AuthTenant) -> list[str]:
    events = ActivityEvent.objects.filter(auth_tenant=tenant).order_by("chain_seq")
    return list(events.values_list("external_id", flat=True))


def test_pruning_deletes_old_events_from_the_chain_start_and_the_rest_verifies(
    tenant: AuthTenant,
) -> None:
    # entry(n) dates from March 2026, well past 30 days; the recent one blocks what follows it.
    _store(tenant, [entry(1), entry(2), _recent(3), entry(4)])
    second = ActivityEvent.objects.get(external_id="entry-2")

    record = services.activity_prune(auth_tenant=tenant, older_than_days=30)

    assert record is not None
    assert _kept(tenant) == ["entry-3", "entry-4"]
    assert (record.count, record.first_seq, record.last_seq) == (2, 1, 2)
    assert record.last_hash == second.chain_hash
    assert record.oldest_created_at == MOMENT - timedelta(seconds=2)
    assert record.newest_created_at == MOMENT - timedelta(seconds=1)
    assert chain.activity_verify(auth_tenant_id=tenant.pk).ok
    _store(tenant, [entry(5)])
    assert chain.activity_verify(auth_tenant_id=tenant.pk).ok
    assert services.activity_prune(auth_tenant=tenant, older_than_days=30) is None


def test_pruning_in_small_batches_records_one_run(tenant: AuthTenant) -> None:
    _store(tenant, [entry(n) for n in range(1, 8)] + [_recent(8)])
    record = services.activity_prune(auth_tenant=tenant, older_than_days=30, batch=3)
    assert record is not None
    assert (record.count, record.first_seq, record.last_seq) == (7, 1, 7)
    assert _kept(tenant) == ["entry-8"]
    assert chain.activity_verify(auth_tenant_id=tenant.pk).ok


def test_deleting_the_first_kept_event_after_a_prune_is_still_caught(tenant: AuthTenant) -> None:
    _store(tenant, [entry(1), _recent(2), _recent(3)])
    services.activity_prune(auth_tenant=tenant, older_than_days=30)
    ActivityEvent.objects.filter(external_id="entry-2").delete()
    assert _first_break(tenant).problem == "rows before this one are missing"


def test_a_tampered_event_is_never_pruned_away(tenant: AuthTenant) -> None:
    _store(tenant, [entry(1), entry(2), entry(3)])
    ActivityEvent.objects.filter(external_id="entry-2").update(status="Failed")
    with pytest.raises(chain.ArchiveBroken, match="does not verify, so nothing was pruned"):
        services.activity_prune(auth_tenant=tenant, older_than_days=30)
    assert _kept(tenant) == ["entry-1", "entry-2", "entry-3"]
    assert not ActivityPrune.objects.exists()


def test_the_daily_task_prunes_only_when_a_retention_is_set(
    tenant: AuthTenant, settings: SettingsWrapper
) -> None:
    _store(tenant, [entry(1), entry(2), _recent(3)])
    settings.TEAMSADMIN_ACTIVITY_RETENTION_DAYS = None
    assert activity_prune_task.apply().get() == 0
    settings.TEAMSADMIN_ACTIVITY_RETENTION_DAYS = 30
    assert activity_prune_task.apply().get() == 2
    assert _kept(tenant) == ["entry-3"]


def test_the_migration_chains_events_stored_before_chaining(tenant: AuthTenant) -> None:
    _stored_five(tenant)
    ActivityEvent.objects.update(chain_seq=None, chain_hash="")
    ActivityChainHead.objects.all().delete()
    migration = importlib.import_module("apps.activity.migrations.0004_chain_existing_events")

    migration.chain_events(django_apps, None)

    assert chain.activity_verify(auth_tenant_id=tenant.pk).ok
    assert ActivityChainHead.objects.get(auth_tenant=tenant).seq == 5
