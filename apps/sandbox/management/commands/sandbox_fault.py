"""manage.py sandbox_fault: show, set or clear the sandbox fault switches (seen by every process)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.sandbox import control, faults


def _on_off(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("on", "true", "1", "yes"):
        return True
    if lowered in ("off", "false", "0", "no"):
        return False
    raise ValueError(f"expected on/off, got {value!r}")


class Command(BaseCommand):
    help = "Inject faults into the Teams API sandbox: latency, 5xx, 429, token outage, malformed bodies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--latency-ms", type=int)
        parser.add_argument("--error-rate", type=float, help="share of calls answered 5xx (0..1)")
        parser.add_argument("--error-statuses", help="comma-separated among 500,502,503")
        parser.add_argument(
            "--rate-limit-burst", type=int, help="the next N Teams API calls get 429"
        )
        parser.add_argument("--rate-limit", type=_on_off, help="on/off (unset: follow settings)")
        parser.add_argument("--rate-limit-bucket", type=int)
        parser.add_argument("--rate-limit-window", type=int, help="seconds")
        parser.add_argument(
            "--token-outage", type=_on_off, help="on/off: the token endpoint answers 503"
        )
        parser.add_argument("--malformed", choices=["html", "truncated", "off"])
        parser.add_argument("--token-lifetime-seconds", type=int)
        parser.add_argument("--duplicate-id-in-page", type=_on_off)
        parser.add_argument("--looping-next", type=_on_off)
        parser.add_argument(
            "--id-token-fault",
            choices=[*faults.ID_TOKEN_FAULTS[1:], "off"],
            help="spoil the ID tokens the sandbox issues at sign-in",
        )
        parser.add_argument("--clear", action="store_true", help="turn every switch off")
        parser.add_argument("--show", action="store_true", help="print the switches")

    def handle(self, *args: Any, **options: Any) -> None:
        names = (
            "latency_ms", "error_rate", "error_statuses", "rate_limit_burst", "rate_limit",
            "rate_limit_bucket", "rate_limit_window", "token_outage", "malformed",
            "token_lifetime_seconds", "duplicate_id_in_page", "looping_next", "id_token_fault",
        )  # fmt: skip
        switches = {name: options[name] for name in names if options[name] is not None}
        if "error_statuses" in switches:
            switches["error_statuses"] = [
                int(s) for s in str(switches["error_statuses"]).split(",") if s
            ]
        for name in ("malformed", "id_token_fault"):
            if switches.get(name) == "off":
                switches[name] = ""
        try:
            if options["clear"]:
                state = control.clear_faults()
            if switches:
                state = control.set_faults(**switches)
            if not (options["clear"] or switches):
                state = control.get_faults()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(state, indent=2, sort_keys=True))
