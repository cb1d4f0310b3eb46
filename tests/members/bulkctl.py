"""Command line run inside worker processes of the bulk invite crash test.

Usage: python -m tests.members.bulkctl <command> [options]; prints one JSON object on stdout.
The process uses whatever DATABASE_URL its environment names (a scratch database).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamsadmin.settings")
django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402

from apps.authtenants.management.commands._actor import command_actor  # noqa: E402
from apps.authtenants.sandbox import SANDBOX_DOMAIN, SANDBOX_TEAM, sandbox_auth_tenant_setup  # noqa: E402
from apps.core.capabilities import Role  # noqa: E402
from apps.directory.models import Invitation  # noqa: E402
from apps.members import bulk_services  # noqa: E402
from apps.members.models import BulkInvite, BulkInviteRow  # noqa: E402
from apps.sandbox import control  # noqa: E402
from apps.sandbox.models import SandboxActivity  # noqa: E402

AUTH_TENANT = "sandbox-bulk"
DOMAIN = "@bulk.test"


def prepare(url: str, rows: int, latency_ms: int) -> dict[str, Any]:
    """Fresh sandbox data and a started bulk invite of `rows` new people, none sent yet."""
    control.reset()
    control.seed(team_slug=SANDBOX_TEAM, auth_domain=SANDBOX_DOMAIN, tenants=3, members=5)
    if latency_ms:
        control.set_faults(latency_ms=latency_ms)
    auth_tenant, _ = sandbox_auth_tenant_setup(
        actor=command_actor(), root=f"{url}/sandbox", name=AUTH_TENANT
    )
    user, _ = User.objects.get_or_create(username="bulk-helpdesk")
    user.groups.add(Group.objects.get_or_create(name=Role.HELPDESK)[0])
    job = BulkInvite.objects.create(
        auth_tenant=auth_tenant,
        source="crash.csv",
        state=BulkInvite.State.QUEUED,
        started_by=user,
        started_by_username=user.username,
    )
    BulkInviteRow.objects.bulk_create(
        BulkInviteRow(
            job=job,
            line=n + 1,
            email=f"person{n:04d}{DOMAIN}",
            team_role="teams_contributor",
            state=BulkInviteRow.State.READY,
        )
        for n in range(rows)
    )
    return {"job": job.pk}


def _announce_rows() -> None:
    """Print a line as each row is finished, so a killing test knows how far the worker got."""
    finish = bulk_services._finish

    def announced(row: BulkInviteRow, state: str, message: str = "") -> None:
        finish(row, state, message)
        print(f"row {row.line} {state}", flush=True)  # noqa: T201

    bulk_services._finish = announced


def status(job_id: int) -> dict[str, Any]:
    """Rows per state, and how often the sandbox and the ledger hold each email."""
    rows = Counter(BulkInviteRow.objects.filter(job_id=job_id).values_list("state", flat=True))
    upstream = Counter(
        str(details["email"])
        for details in SandboxActivity.objects.filter(
            current_event="member_invited", status="Success"
        ).values_list("details", flat=True)
        if str(details["email"]).endswith(DOMAIN)
    )
    ledger = Counter(Invitation.objects.values_list("email", flat=True))
    confirmed = BulkInviteRow.objects.filter(
        job_id=job_id, message=bulk_services.CONFIRMED_FROM_LOG
    ).count()
    return {
        "rows": dict(rows),
        "upstream_emails": len(upstream),
        "upstream_twice": sorted(e for e, n in upstream.items() if n > 1),
        "ledger_emails": len(ledger),
        "ledger_twice": sorted(e for e, n in ledger.items() if n > 1),
        "confirmed_from_log": confirmed,
        "job": BulkInvite.objects.get(pk=job_id).state,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bulkctl")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--url", required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--latency-ms", type=int, default=0)
    p = sub.add_parser("run")
    p.add_argument("--job", type=int, required=True)
    p.add_argument("--announce", action="store_true")
    p = sub.add_parser("status")
    p.add_argument("--job", type=int, required=True)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        result = prepare(args.url, args.rows, args.latency_ms)
    elif args.command == "run":
        if args.announce:
            _announce_rows()
        result = {"result": bulk_services.bulk_invite_run(job_id=args.job)}
    else:
        result = status(args.job)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
