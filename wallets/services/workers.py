"""Browser workers' heartbeats (health checks and cleanup read them through wallets.selectors), and the memory
of the session browsers they hold."""

from __future__ import annotations

from django.utils import timezone

from wallets.models import BrowserWorker, WalletSession


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


def sessions_record_browser_memory(*, worker: str, rss_by_session: dict[str, int]) -> int:
    """The RSS of each session's browser as the worker's heartbeat measured it; sessions of ``worker`` that
    are active and have no browser measured get none (their browser is starting or gone)."""
    now = timezone.now()
    active = WalletSession.objects.filter(worker=worker, status__in=WalletSession.ACTIVE_STATUSES)
    updated = 0
    for session_id in active.values_list("id", flat=True):
        rss = rss_by_session.get(str(session_id))
        updated += WalletSession.objects.filter(id=session_id).update(
            browser_rss_bytes=rss, browser_rss_at=now if rss is not None else None
        )
    return updated


def browser_worker_remove(*, hostname: str) -> None:
    BrowserWorker.objects.filter(hostname=hostname).delete()
