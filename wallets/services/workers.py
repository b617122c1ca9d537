"""Browser workers' heartbeats (health checks and cleanup read them through wallets.selectors)."""

from __future__ import annotations

from django.utils import timezone

from wallets.models import BrowserWorker


def browser_worker_heartbeat(
    *, hostname: str, sessions_open: int, browsers_running: int, rss_bytes: int
) -> None:
    BrowserWorker.objects.update_or_create(
        hostname=hostname,
        defaults={
            "last_seen": timezone.now(),
            "sessions_open": sessions_open,
            "browsers_running": browsers_running,
            "rss_bytes": rss_bytes,
        },
    )


def browser_worker_remove(*, hostname: str) -> None:
    BrowserWorker.objects.filter(hostname=hostname).delete()
