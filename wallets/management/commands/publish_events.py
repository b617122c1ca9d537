"""Publishes the outbox to Kafka (wallets/outbox.py): one Deployment replica runs it in a loop.

python manage.py publish_events            # until stopped: a batch, then a pause when nothing is left
python manage.py publish_events --once     # one batch (a cron job, or by hand)
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wallets import outbox


class Command(BaseCommand):
    help = "Publish operation and security events from the outbox to Kafka (KAFKA_BOOTSTRAP_SERVERS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="publish one batch and exit")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--interval", type=float, default=1.0, help="pause when nothing is pending (s)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not outbox.enabled():
            raise CommandError("KAFKA_BOOTSTRAP_SERVERS is not set: no events are written or published")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            done = outbox.publish_pending(batch=options["batch"])
            if options["once"]:
                self.stdout.write(f"published {done.sent}, failed {done.failed}, pruned {done.pruned}")
                return
            if stopping:
                return
            if done.sent < options["batch"]:  # nothing left, or the broker is down: wait a moment
                time.sleep(options["interval"] if not done.failed else max(options["interval"], 5.0))
