"""Browser flow of a bulk invite: helpdesk uploads a list with good and bad lines, checks the
preview, sends it, watches the progress bar and downloads the results."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.directory.models import Invitation
from apps.members import bulk_services
from apps.members.models import BulkInvite
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.sandbox import Sandbox
from tests.members.conftest import Team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIST = """email,team role,tenants,tenant roles,app ids
ana@acme.test,Contributor,,,
ben@acme.test,Report viewer,,,
cleo@acme.test,teams_tenant_manager,,,
dev@acme.test,,,,
eli@acme.test,Contributor,,,
not-an-email,Contributor,,,
fay@acme.test,Chief,,,
ana@acme.test,Contributor,,,
"""
GOOD = 5


@pytest.fixture
def team(sandbox: Sandbox, auth_tenant: AuthTenant) -> Team:
    mirrored = Team(auth_tenant=auth_tenant, sandbox=sandbox)
    mirrored.sync()
    return mirrored


class PausedWorker:
    """Runs the job in a thread as a Celery worker would, holding after `pause_after` rows until
    released, so the progress bar can be looked at mid-list."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, pause_after: int) -> None:
        self.release = threading.Event()
        self.paused = threading.Event()
        sent = [0]
        original = bulk_services._send

        def send(job: BulkInvite, row: object) -> None:
            if sent[0] == pause_after:
                self.paused.set()
                self.release.wait(60)
            sent[0] += 1
            original(job, row)  # type: ignore[arg-type]

        monkeypatch.setattr(bulk_services, "_send", send)
        self.thread: threading.Thread | None = None

    def start(self, job_id: int) -> None:
        def run() -> None:
            try:
                bulk_services.bulk_invite_run(job_id=job_id)
            finally:
                connection.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[PausedWorker]:
    paused = PausedWorker(monkeypatch, pause_after=2)
    yield paused
    paused.release.set()
    if paused.thread is not None:
        paused.thread.join(30)


def test_helpdesk_sends_a_checked_list_and_downloads_the_results(
    live_server: LiveServer,
    page: Page,
    team: Team,
    worker: PausedWorker,
    tmp_path: Path,
) -> None:
    shoot: Callable[[str], None] = lambda name: at_both_widths(page, name)  # noqa: E731
    sign_in(page, live_server, Role.HELPDESK)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_role("link", name="Invite several (CSV)").click()
    expect(page.get_by_role("heading", name="Invite several people")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(
        {"name": "new-starters.csv", "mimeType": "text/csv", "buffer": LIST.encode()}
    )
    page.get_by_role("button", name="Check the list").click()

    expect(page.get_by_role("heading", name="Bulk invite: new-starters.csv")).to_be_visible()
    expect(page.locator("#bulk-progress")).to_contain_text(f"{GOOD} lines ready to send")
    refused = page.get_by_role("row")
    expect(refused.filter(has_text="not-an-email")).to_contain_text("Not an email address")
    expect(refused.filter(has_text="fay@acme.test")).to_contain_text("Unknown team role “Chief”")
    expect(refused.filter(has_text="Same email as line 2")).to_contain_text("ana@acme.test")
    shoot("bulk-invite-preview")

    page.get_by_role("button", name=f"Send {GOOD} invitations").click()
    expect(page.get_by_text(f"Sending {GOOD} invitations…")).to_be_visible()
    job = BulkInvite.objects.get()
    worker.start(job.pk)
    assert worker.paused.wait(30), "the worker did not get going"
    expect(page.locator("#bulk-progress")).to_contain_text(f"2 of {GOOD} done")  # by polling
    expect(page.locator("#bulk-progress progress")).to_have_attribute("value", "2")
    shoot("bulk-invite-progress")
    worker.release.set()

    expect(page.locator("#bulk-progress")).to_contain_text(f"Finished: {GOOD} of {GOOD} done")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the results (CSV)").click()
    saved = tmp_path / "results.csv"
    download_info.value.save_as(saved)
    with saved.open(newline="") as results:
        lines = list(csv.DictReader(results))
    assert [line["result"] for line in lines].count("Sent") == GOOD
    assert len(lines) == 8
    assert Invitation.objects.filter(auth_tenant=team.auth_tenant).count() == GOOD
