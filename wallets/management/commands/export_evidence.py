"""Security events, sessions, operations, their artifacts and matching log lines in one archive, with a
manifest of checksums, for incident response (wallets/evidence.py; docs/operations.md).

    python manage.py export_evidence --since 2026-12-01T00:00Z [--until ...] [--session ID ...] \
        [--logs api.log worker.log ...] --out incident-2026-12-01.tar.gz
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wallets.evidence import Scope, export_evidence


def _moment(value: str) -> Any:
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(f"not an ISO 8601 date and time: {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class Command(BaseCommand):
    help = "Export the evidence of a time window (secrets never included) into a .tar.gz with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="start, ISO 8601 (naive means UTC)")
        parser.add_argument("--until", help="end, ISO 8601 (default: now)")
        parser.add_argument("--session", action="append", default=[], help="only this session (repeatable)")
        parser.add_argument("--logs", nargs="*", default=[], help="JSON log files (kubectl logs output)")
        parser.add_argument("--out", required=True, help="archive to write (.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _moment(options["since"])
        until = _moment(options["until"]) if options["until"] else timezone.now()
        if until < since:
            raise CommandError("--until is before --since")
        logs = [Path(p) for p in options["logs"]]
        missing = [str(p) for p in logs if not p.is_file()]
        if missing:
            raise CommandError(f"no such log file: {', '.join(missing)}")
        scope = Scope(since, until, frozenset(options["session"]))
        manifest = export_evidence(Path(options["out"]), scope, log_paths=logs)
        counts = ", ".join(f"{n} {what}" for what, n in manifest["counts"].items())
        self.stdout.write(f"wrote {options['out']}: {counts}; {manifest['redactions']} redaction(s)")
        if manifest["redactions"]:
            self.stderr.write("secrets were found in the exported material and replaced: treat as a leak")
