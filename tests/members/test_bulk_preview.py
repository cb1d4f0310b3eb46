"""Checking a bulk invite list: every bad line refused with its reason, nothing sent yet."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.directory.models import DirectoryTenant, Invitation
from apps.members import bulk
from apps.members.models import BulkInvite, BulkInviteRow
from apps.sandbox.models import SandboxInvitation
from tests.members.conftest import Team, form_token

BULK = reverse("members:bulk")


def upload(client: Client, content: bytes | str, *, name: str = "people.csv") -> str:
    """Upload `content` as a CSV file like a browser; returns the page the user ends on."""
    data = content.encode() if isinstance(content, str) else content
    response = client.post(
        BULK,
        {
            "file": SimpleUploadedFile(name, data, "text/csv"),
            "form_token": form_token(client, BULK),
        },
        follow=True,
    )
    assert response.status_code < 500
    return str(response.content.decode())


def _rows(job: BulkInvite) -> dict[str, BulkInviteRow]:
    return {row.email: row for row in job.rows.all()}


def test_each_kind_of_bad_line_is_refused_with_its_reason(
    helpdesk_client: Client, team: Team
) -> None:
    tenants = team.tenants()
    first, second = tenants[0], tenants[1]
    twin = DirectoryTenant.objects.create(
        auth_tenant=team.auth_tenant,
        tenant_id="0f6d1d0e-9b1a-4c57-9d2c-000000000001",
        tenant_name=first.tenant_name.upper(),  # same name in another case: ambiguous
        first_seen_at=timezone.now(),
    )
    extra = [
        DirectoryTenant.objects.create(
            auth_tenant=team.auth_tenant,
            tenant_id=f"0f6d1d0e-9b1a-4c57-9d2c-0000000001{n:02d}",
            tenant_name=f"extra-{n}",
            first_seen_at=timezone.now(),
        )
        for n in range(4)
    ]
    eleven = ";".join(t.tenant_id for t in [*tenants[1:], *extra])
    member = team.members()[0]
    Invitation.objects.create(
        auth_tenant=team.auth_tenant, email="pending@acme.test", team_role="teams_contributor"
    )
    csv = "\n".join(
        [
            "email,team role,tenants,tenant roles,app ids",
            "good@acme.test,Report viewer,,,",
            f"good2@acme.test,teams_contributor,{second.tenant_name.upper()}|{first.tenant_id},Viewer - Config settings;editor-users,",
            "not-an-email,Contributor,,,",
            "unknown-tenant@acme.test,Contributor,no-such-tenant,Admin,",
            f"ambiguous@acme.test,Contributor,{twin.tenant_name.lower()},Admin,",
            "bad-role@acme.test,Chief,,,",
            f"bad-tenant-role@acme.test,Contributor,{second.tenant_name},Emperor,",
            f"apps-wrong-role@acme.test,Contributor,{second.tenant_name},Admin,my-app-client",
            f"too-many@acme.test,Contributor,{eleven},Admin,",
            f"{member.email.upper()},Contributor,,,",
            "pending@ACME.test,Contributor,,,",
            "GOOD@acme.test,Contributor,,,",
        ]
    )
    page = upload(helpdesk_client, csv)
    job = BulkInvite.objects.get()
    rows = _rows(job)
    assert job.state == BulkInvite.State.PREVIEW
    assert rows["good@acme.test"].state == "ready"
    assert rows["good@acme.test"].team_role == "teams_report_viewer"
    good2 = rows["good2@acme.test"]
    assert (good2.state, good2.tenant_ids, good2.tenant_roles) == (
        "ready",
        [second.tenant_id, first.tenant_id],
        ["viewer-config", "editor-users"],
    )
    reasons = {
        "not-an-email": "Not an email address",
        "unknown-tenant@acme.test": "No tenant “no-such-tenant” in this team.",
        "ambiguous@acme.test": "2 tenants are named",
        "bad-role@acme.test": "Unknown team role “Chief”.",
        "bad-tenant-role@acme.test": "Unknown tenant role “Emperor”.",
        "apps-wrong-role@acme.test": "App ids apply only to Editor – Specific apps",
        "too-many@acme.test": "At most 10 tenants per invitation (11 picked)",
        member.email.upper(): "Already a member of the team.",
        "pending@ACME.test": "Already invited: the invitation is still pending.",
        "GOOD@acme.test": "Same email as line 2.",
    }
    for email, reason in reasons.items():
        assert rows[email].state == "invalid", email
        assert reason in rows[email].message, (email, rows[email].message)
        assert reason.replace("“", "&ldquo;")[:20] in page or reason[:20] in page, reason
    assert "2</strong> lines ready to send" in page
    assert "Send 2 invitations" in page
    assert team.api_posts() == 0  # nothing is sent at the check
    assert SandboxInvitation.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00b\x00a\x00d", "not UTF-8 text"),
        (b"email\nbin\x00ary@acme.test\n", "binary data"),
        (b"", "The submitted file is empty."),
        (b"email\n\n", "holds no lines to invite"),
        (b'a@acme.test,"unterminated\n', "cannot be read as CSV"),
        (b"x" * (bulk.MAX_BYTES + 1), "larger than 2 MB"),
        (
            "".join(f"p{n}@acme.test\n" for n in range(bulk.MAX_ROWS + 1)).encode(),
            "more than 5,000 lines",
        ),
    ],
)
def test_an_unreadable_list_is_refused_with_a_message(
    helpdesk_client: Client, team: Team, content: bytes, message: str
) -> None:
    page = upload(helpdesk_client, content)
    assert message in page
    assert not BulkInvite.objects.exists()


def test_a_pasted_tab_separated_list_invites_contributors_by_default(
    owner_client: Client, team: Team
) -> None:
    pasted = "ana@acme.test\nben@acme.test\tReport viewer\n"
    response = owner_client.post(
        BULK, {"pasted": pasted, "form_token": form_token(owner_client, BULK)}, follow=True
    )
    job = BulkInvite.objects.get()
    assert response.redirect_chain[-1][0] == reverse("members:bulk-detail", args=[job.pk])
    assert job.source == "Pasted list"
    assert {(r.email, r.team_role, r.state) for r in job.rows.all()} == {
        ("ana@acme.test", "teams_contributor", "ready"),
        ("ben@acme.test", "teams_report_viewer", "ready"),
    }


def test_auditors_cannot_upload_and_see_no_send_button(
    auditor_client: Client, auditor: User, helpdesk_client: Client, team: Team
) -> None:
    upload(helpdesk_client, "ana@acme.test\n")
    job = BulkInvite.objects.get()
    assert auditor_client.post(BULK, {"pasted": "x@acme.test"}).status_code == 403
    page = auditor_client.get(reverse("members:bulk-detail", args=[job.pk])).content.decode()
    assert "Send 1 invitation" not in page
    send = auditor_client.post(reverse("members:bulk-send", args=[job.pk]))
    assert send.status_code == 403
    assert BulkInvite.objects.get().state == BulkInvite.State.PREVIEW


HOSTILE = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(['"', ",", ";", "|", "\t", "\r", "\n", "=cmd", "a@b.c", "\ufeff"]))
    .map("".join)
    .map(str.encode),
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=HOSTILE)
def test_no_uploaded_file_makes_the_check_fail(
    helpdesk_client: Client, team: Team, content: bytes
) -> None:
    page = upload(helpdesk_client, content, name="hostile\x00.csv")
    assert "Invite several people" in page or "Bulk invite" in page
