"""Command line run inside worker processes of the offboarding crash test.

Usage: python -m tests.people.offboardctl <command> [options]; prints one JSON object on stdout.
The process uses whatever DATABASE_URL its environment names (a scratch database).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamsadmin.settings")
django.setup()

from apps.accounts.services import user_ensure  # noqa: E402
from apps.audit.models import AuditAction, AuditEntry  # noqa: E402
from apps.authtenants.models import AuthTenant  # noqa: E402
from apps.core.capabilities import Role  # noqa: E402
from apps.people import services  # noqa: E402
from apps.people.models import OffboardJob, OffboardStep  # noqa: E402
from apps.sandbox import control  # noqa: E402
from apps.sandbox.models import SandboxMember, SandboxRequest  # noqa: E402
from teamsadmin.celery import app as celery_app  # noqa: E402
from tests.fixtures.people import ACME_DOMAIN, ACME_SLUG, LEAVER, two_teams  # noqa: E402

TEAM = re.compile(r"/teams/([^/]+)/")
# The job is run by hand here; what offboard_start queues stays in this process.
celery_app.conf.update(broker_url="memory://localhost/")


def prepare(url: str, latency_ms: int) -> dict[str, Any]:
    """Two fresh sandbox teams with the leaver in both, and an offboarding of them not yet run."""
    control.reset()
    AuthTenant.objects.all().delete()
    OffboardJob.objects.all().delete()
    control.seed(team_slug=ACME_SLUG, auth_domain=ACME_DOMAIN, tenants=3, members=5, activity=1)
    owner, _ = user_ensure(username="procs-owner", password="procs-pw", role=Role.OWNER)  # noqa: S106
    two_teams(url, owner)
    job = services.offboard_start(actor=owner, email=LEAVER, confirmation=LEAVER)
    control.clear_requests_log()
    control.set_faults(latency_ms=latency_ms)
    return {"job": job.pk}


def run(job_id: int, *, announce: bool) -> dict[str, Any]:
    if announce:
        claim = services._claim

        def announced(step: OffboardStep) -> bool:
            # Tells a killing test that a step is now being carried out.
            claimed = claim(step)
            if claimed:
                print(f"claimed {step.pk}", flush=True)  # noqa: T201
            return claimed

        services._claim = announced
    services.offboard_run(job=OffboardJob.objects.get(pk=job_id))
    return status(job_id)


def _team(path: str) -> str:
    found = TEAM.search(path)
    return found[1] if found else path


def status(job_id: int) -> dict[str, Any]:
    """Each step's state, and what Auth0 (the sandbox) saw and the dashboard recorded."""
    steps = OffboardStep.objects.filter(job_id=job_id).order_by("pk")
    deletes = SandboxRequest.objects.filter(method="DELETE", path__contains="/api/members/")
    removals = AuditEntry.objects.filter(action=AuditAction.MEMBER_REMOVE)
    return {
        "steps": [[s.auth_tenant_name, s.kind, s.state, s.attempts] for s in steps],
        "deletes": sorted(f"{_team(r.path)} {r.status}" for r in deletes),
        "removals": sorted(f"{e.auth_tenant_name} {e.outcome}" for e in removals),
        "members_left": SandboxMember.objects.filter(email=LEAVER).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare")
    prep.add_argument("--url", required=True)
    prep.add_argument("--latency-ms", type=int, default=0)
    for name in ("run", "status"):
        commands.add_parser(name).add_argument("--job", type=int, required=True)
    commands.choices["run"].add_argument("--announce", action="store_true")
    args = parser.parse_args()
    if args.command == "prepare":
        result = prepare(args.url, args.latency_ms)
    elif args.command == "run":
        result = run(args.job, announce=args.announce)
    else:
        result = status(args.job)
    print(json.dumps(result), flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
