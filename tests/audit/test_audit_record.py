"""Recording dashboard actions: secrets never stored, failures kept, success commits with effects."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import RequestFactory
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.audit.services import audit_record, audited, scrub
from apps.authtenants.models import AuthTenant
from apps.core.errors import ServiceError
from apps.directory.models import DirectoryTenant
from apps.teamsapi.errors import TeamsApiConflict
from apps.teamsapi.types import BulkFailure, BulkResult
from tests.factories import AuthTenantFactory

pytestmark = pytest.mark.django_db

MANAGEMENT_SECRET = "mgmt-secret-Zq9x"  # a value, so the test proves it is absent from the row


@pytest.fixture
def acme() -> AuthTenant:
    return AuthTenantFactory.create(name="Acme")


def test_scrub_drops_secret_looking_keys_at_any_depth() -> None:
    cleaned = scrub(
        {
            "tenant_name": "acme-dev",
            "client_secret": "x",
            "Password": "x",
            "access-token": "x",
            "nested": {"credentials": {"a": 1}, "keep": [{"api_token": "x", "role": "owner"}]},
        }
    )
    assert cleaned == {"tenant_name": "acme-dev", "nested": {"keep": [{"role": "owner"}]}}


def test_management_client_secret_never_lands_in_the_row(owner: User, acme: AuthTenant) -> None:
    entry = audit_record(
        actor=owner,
        auth_tenant=acme,
        action=AuditAction.TENANT_CREATE,
        target_type="tenant",
        target_id="t-1",
        parameters={
            "tenant_name": "acme-new",
            "management_client": {"client_id": "mc-id", "client_secret": MANAGEMENT_SECRET},
            "reply": {"client_secret": MANAGEMENT_SECRET},
        },
    )
    entry.refresh_from_db()
    assert MANAGEMENT_SECRET not in str(AuditEntry.objects.filter(pk=entry.pk).values().get())
    assert entry.parameters == {"tenant_name": "acme-new", "reply": {}}


def test_record_keeps_snapshots_labels_and_the_request_id(owner: User, acme: AuthTenant) -> None:
    request = RequestFactory().post("/")
    request.request_id = "req-42"  # type: ignore[attr-defined]
    entry = audit_record(
        actor=owner,
        auth_tenant=acme,
        action=AuditAction.MEMBER_ROLE_CHANGE,
        target_type="member",
        target_id="auth0|1",
        target_label="ada@acme.test",
        parameters={"role": "teams_owner"},
        request=request,
    )
    acme.delete()
    owner.delete()
    entry.refresh_from_db()
    assert (entry.actor_id, entry.auth_tenant_id) == (None, None)
    assert (entry.actor_username, entry.auth_tenant_name) == ("owner-user", "Acme")
    assert entry.request_id == "req-42"
    assert str(entry) == "Change team role by owner-user (Succeeded)"


def test_anonymous_actor_is_recorded_without_a_user(acme: AuthTenant) -> None:
    entry = audit_record(actor=AnonymousUser(), auth_tenant=acme, action=AuditAction.MEMBER_INVITE)
    assert (entry.actor_id, entry.actor_username) == (None, "")


def _add_tenant(acme: AuthTenant) -> None:
    DirectoryTenant.objects.create(
        auth_tenant=acme, tenant_id="t-1", tenant_name="acme-new", first_seen_at=timezone.now()
    )


def test_audited_success_commits_with_the_local_effects(owner: User, acme: AuthTenant) -> None:
    with audited(actor=owner, auth_tenant=acme, action=AuditAction.TENANT_CREATE) as trail:
        trail.target_label = "acme-new"  # what the API reply told, before the local effects
        with trail.atomic():
            _add_tenant(acme)
            trail.target_id = "t-1"
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.target_id) == (AuditOutcome.SUCCESS, "t-1")
    assert DirectoryTenant.objects.filter(tenant_id="t-1").exists()


def test_audited_records_partial_outcomes(owner: User, acme: AuthTenant) -> None:
    with audited(actor=owner, auth_tenant=acme, action=AuditAction.TENANT_ACCESS_GRANT) as trail:
        trail.partial("2 of 3 tenants granted; 1 failed.")
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.message) == (
        AuditOutcome.PARTIAL,
        "2 of 3 tenants granted; 1 failed.",
    )


def test_audited_records_an_api_refusal_and_rolls_back_local_effects(
    owner: User, acme: AuthTenant
) -> None:
    with (
        pytest.raises(TeamsApiConflict),
        audited(actor=owner, auth_tenant=acme, action=AuditAction.TENANT_CREATE) as trail,
        trail.atomic(),
    ):
        _add_tenant(acme)
        raise TeamsApiConflict("A tenant named acme-new already exists.", status=409)
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.message) == (
        AuditOutcome.FAILURE,
        "A tenant named acme-new already exists.",
    )
    assert not DirectoryTenant.objects.exists()


def test_audited_records_service_errors_and_ignores_other_exceptions(
    owner: User, acme: AuthTenant
) -> None:
    with (
        pytest.raises(ServiceError),
        audited(actor=owner, auth_tenant=acme, action=AuditAction.MEMBER_REMOVE),
    ):
        raise ServiceError("The last team owner cannot be removed.")
    with (
        pytest.raises(ZeroDivisionError),
        audited(actor=owner, auth_tenant=acme, action=AuditAction.MEMBER_REMOVE),
    ):
        raise ZeroDivisionError
    assert list(AuditEntry.objects.values_list("outcome", "message")) == [
        (AuditOutcome.FAILURE, "The last team owner cannot be removed.")
    ]


def test_bulk_replies_across_batches_set_partial_or_failure(owner: User, acme: AuthTenant) -> None:
    failure = BulkFailure(tenant_id="t-3", status=409, title="Already added", type="CONFLICT")
    batches = [BulkResult.all_succeeded(["t-1", "t-2"]), BulkResult(1, 0, 1, [], [failure])]
    with audited(actor=owner, auth_tenant=acme, action=AuditAction.TENANT_ACCESS_GRANT) as trail:
        trail.bulk(batches)
    with audited(actor=owner, auth_tenant=acme, action=AuditAction.TENANT_ACCESS_GRANT) as trail:
        trail.bulk(batches[1:])
    with audited(actor=owner, auth_tenant=acme, action=AuditAction.TENANT_ACCESS_GRANT) as trail:
        trail.bulk(batches[:1])
    assert list(AuditEntry.objects.order_by("pk").values_list("outcome", "message")) == [
        (AuditOutcome.PARTIAL, "2 of 3 tenants done; failed: t-3 (Already added)."),
        (AuditOutcome.FAILURE, "0 of 1 tenants done; failed: t-3 (Already added)."),
        (AuditOutcome.SUCCESS, ""),
    ]
