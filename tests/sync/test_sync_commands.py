"""The sync commands' shared base: picking Auth Tenants, one line per run, failing on a failed run."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from apps.authtenants.models import AuthTenant
from apps.sync.models import SyncKind, SyncRun, SyncStatus
from tests.factories import AuthTenantFactory
from tests.fixtures.sandbox import Sandbox


@pytest.mark.django_db(transaction=True)
def test_sync_directory_prints_each_run_and_fails_when_one_failed(
    sandbox: Sandbox, auth_tenant: AuthTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = AuthTenantFactory.create(name="No clients")

    with pytest.raises(CommandError, match="The directory sync failed; see the reason above"):
        call_command("sync_directory")

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"{auth_tenant.name}: directory sync succeeded in ")
    failed = SyncRun.objects.get(auth_tenant=broken, kind=SyncKind.DIRECTORY)
    assert failed.status == SyncStatus.FAILED
    assert lines[1] == f"No clients: directory sync failed in {failed.duration_seconds:.1f}s, " + (
        f"0 requests, 0 rows created, 0 updated, 0 marked removed: {failed.error}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["nope", "²", "999"])
def test_an_unknown_auth_tenant_is_a_clear_error(value: str) -> None:
    AuthTenantFactory.create()

    with pytest.raises(CommandError, match="No Auth Tenant is named .* or has that id"):
        call_command("sync_directory", "--auth-tenant", value)


@pytest.mark.django_db
def test_no_enabled_auth_tenant_is_a_clear_error() -> None:
    AuthTenantFactory.create(enabled=False)

    with pytest.raises(CommandError, match="No enabled Auth Tenant is configured"):
        call_command("sync_activity")
