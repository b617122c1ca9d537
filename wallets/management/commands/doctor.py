"""The operators' diagnostics in one command (wallets/doctor.py; docs/operations.md).

    python manage.py doctor            # a table: check, status, summary
    python manage.py doctor --json     # every detail, for scripts and incident notes

Exit code 0 when nothing fails (warnings included), 1 when a check fails.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wallets.doctor import Options, run_checks


class Command(BaseCommand):
    help = (
        "Check the database, Redis, broker queues, workers, browsers, MetaMask, rate limits, events, clocks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print every finding's details as JSON")
        parser.add_argument(
            "--max-skew", type=float, default=Options.max_skew_seconds, help="clock skew that fails (seconds)"
        )
        parser.add_argument(
            "--events", type=int, default=Options.events, help="latest security events to list"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        status, findings = run_checks(Options(max_skew_seconds=options["max_skew"], events=options["events"]))
        if options["json"]:
            report = {
                "status": status,
                "checks": {
                    name: {"status": f.status, "summary": f.summary, "details": f.details}
                    for name, f in findings.items()
                },
            }
            self.stdout.write(json.dumps(report, indent=2, default=str))
        else:
            width = max(len(name) for name in findings)
            for name, finding in findings.items():
                self.stdout.write(f"{name:<{width}}  {finding.status.upper():<4}  {finding.summary}")
            self.stdout.write(f"{'overall':<{width}}  {status.upper()}")
        if status == "fail":
            sys.exit(1)
