"""Browser-worker life cycle (Celery signals): own queue, heartbeat, orphan cleanup, closing browsers on exit.

Run it as: celery -A celery_app worker --pool prefork --concurrency 1 -Q browser -n <name>@%h
- the main process subscribes to "browser.<hostname>" (session affinity) and writes the heartbeat row;
- the single pool child holds the browsers (wallets/runtime.py); when it starts it kills browsers a dead
  predecessor left behind and marks their sessions lost; when it exits it closes every browser.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import signals
from django.conf import settings
from django.db import close_old_connections

from wallets import dispatch, metrics, runtime, services
from wallets.models import WalletSession

logger = logging.getLogger("wallets.worker")
_LOG = {"component": "worker"}

_state: dict[str, Any] = {"hostname": None}
_stop = threading.Event()


def hostname() -> str | None:
    return _state["hostname"]


def heartbeat_interval() -> float:
    return float(settings.WORKER_HEARTBEAT_INTERVAL_SECONDS)


@signals.celeryd_after_setup.connect
def subscribe_own_queue(sender: str, instance: Any, **_kwargs: Any) -> None:
    _state["hostname"] = sender
    queue = dispatch.worker_queue(sender)
    instance.app.amqp.queues.select_add(queue)
    logger.info("consuming own queue %s", queue, extra={**_LOG, "queue": queue})


# --- pool child (holds the browsers) ------------------------------------------------------------------------
@signals.worker_process_init.connect
def child_start(**_kwargs: Any) -> None:
    name = hostname()
    if not name:
        return
    close_old_connections()
    active = [
        str(sid)
        for sid in WalletSession.objects.filter(
            worker=name, status__in=WalletSession.ACTIVE_STATUSES
        ).values_list("id", flat=True)
    ]
    if not active:
        return
    # A previous pool process of this worker died (hard time limit, crash): its browsers are unreachable.
    runtime.kill_orphaned_browsers(active)
    lost = services.sessions_mark_lost_for_worker(
        worker=name, error="the worker process holding the browser died"
    )
    logger.warning("%d session(s) lost with the previous worker process", lost, extra=_LOG)


@signals.worker_process_shutdown.connect
def child_stop(**_kwargs: Any) -> None:
    ids = runtime.process_browsers().session_ids()
    runtime.process_browsers().close_all()
    if not ids:
        return
    try:
        close_old_connections()
        for session_id in ids:
            services.session_mark_lost(
                session_id=session_id,
                error="the worker shut down and closed its browser",
                error_kind="worker_stopped",
            )
    except Exception:  # the database may be gone during shutdown; the browsers are closed regardless
        logger.exception("could not mark sessions lost at shutdown", extra=_LOG)


# --- main process: heartbeat --------------------------------------------------------------------------------
def beat_once(name: str) -> None:
    sessions_open = WalletSession.objects.filter(
        worker=name,
        status__in=[WalletSession.Status.OPENING, WalletSession.Status.READY, WalletSession.Status.CLOSING],
    ).count()
    memory = runtime.browser_memory(os.getpid())  # one walk of the process tree per beat
    services.browser_worker_heartbeat(
        hostname=name,
        sessions_open=sessions_open,
        browsers_running=memory.browsers,
        rss_bytes=memory.rss_bytes,
    )
    services.sessions_record_browser_memory(worker=name, rss_by_session=memory.rss_by_session)
    metrics.sessions_open.set(sessions_open)
    metrics.browsers_running.set(memory.browsers)
    for pss in memory.pss_by_session.values():
        metrics.session_browser_pss_bytes.observe(pss)


def _heartbeat_loop(name: str) -> None:
    while not _stop.wait(heartbeat_interval()):
        try:
            close_old_connections()
            beat_once(name)
        except Exception:  # a missed beat is logged; the next one retries
            logger.exception("heartbeat failed", extra=_LOG)


@signals.worker_ready.connect
def start_heartbeat(sender: Any = None, **_kwargs: Any) -> None:
    name = hostname() or getattr(sender, "hostname", None)
    if not name:
        return
    _state["hostname"] = name
    beat_once(name)  # before any task runs, so cleanup never sees this worker as dead
    _stop.clear()
    thread = threading.Thread(target=_heartbeat_loop, args=(name,), name="browser-heartbeat", daemon=True)
    thread.start()
    logger.info("browser worker %s ready", name, extra=_LOG)


@signals.worker_shutdown.connect
def stop_heartbeat(**_kwargs: Any) -> None:
    _stop.set()
    name = hostname()
    if name:
        try:
            close_old_connections()
            services.browser_worker_remove(hostname=name)
        except Exception:
            logger.exception("could not remove the heartbeat row", extra=_LOG)
