"""Readiness checks behind GET /api/v1/health: each returns (ok, details) and never raises."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

from wallets import metrics
from wallets.dispatch import SHARED_QUEUE
from wallets.selectors import browser_workers_live, session_metamask_versions

CheckResult = tuple[bool, dict[str, Any]]


def check_database() -> CheckResult:
    details: dict[str, Any] = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            details["connections"] = cursor.fetchone()[0]
            metrics.db_connections.set(details["connections"])
    return True, details


def check_cache() -> CheckResult:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return ok, {"backend": str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]}


def check_broker() -> CheckResult:
    """The broker answers; also how many sessions wait on the shared queue for a worker (a backlog alert)."""
    from celery_app import app

    conn: Any  # kombu's Connection; its stubs leave out .channel_errors
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        waiting = queue_depth(conn, SHARED_QUEUE)
        metrics.broker_queue_messages.labels(queue=SHARED_QUEUE).set(waiting)
        return True, {"transport": str(getattr(conn, "transport_cls", "")), "shared_queue_messages": waiting}


def queue_depth(conn: Any, name: str) -> int:
    """Messages waiting in one queue, without creating it: a passive declare, on a channel of its own (on
    AMQP a refused declare closes its channel). A queue the broker does not know holds nothing."""
    channel = conn.channel()
    try:
        return int(channel.queue_declare(queue=name, passive=True).message_count)
    except conn.channel_errors:
        return 0
    finally:
        channel.close()


def check_workers() -> CheckResult:
    rows = list(browser_workers_live())
    workers: list[dict[str, Any]] = [
        {
            "hostname": worker.hostname,
            "last_seen": worker.last_seen.isoformat(),
            "sessions_open": worker.sessions_open,
            "browsers_running": worker.browsers_running,
        }
        for worker in rows
    ]
    # The API process has no browsers; it reports the fleet's numbers from the heartbeats it just read.
    metrics.browser_workers_live.set(len(rows))
    metrics.sessions_open.set(sum(w.sessions_open for w in rows))
    metrics.browsers_running.set(sum(w.browsers_running for w in rows))
    return bool(workers), {"live": workers, "stale_after_seconds": settings.WORKER_HEARTBEAT_STALE_SECONDS}


def check_browser() -> CheckResult:
    binary = Path(settings.CHROMIUM_BINARY)
    ok = binary.is_file() and os.access(binary, os.X_OK)
    return ok, {"chromium": str(binary), "present": ok}


def manifest_version(manifest: Path) -> tuple[bool, str | None]:
    """(present, version) from one read of an extension's manifest.json. Missing or unreadable: (False, None);
    not JSON or without a string `version`: (True, None)."""
    try:
        raw = manifest.read_bytes()
    except OSError:
        return False, None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except ValueError:  # also UnicodeDecodeError
        return True, None
    version = data.get("version") if isinstance(data, dict) else None
    return True, version if isinstance(version, str) and version else None


def check_extension() -> CheckResult:
    """The configured build (its manifest's version) and the versions the open sessions' browsers loaded."""
    manifest = Path(settings.METAMASK_EXTENSION_PATH) / "manifest.json"
    present, version = manifest_version(manifest)
    try:
        sessions: dict[str, int] | None = session_metamask_versions()
    except DatabaseError:
        sessions = None  # the database check reports that failure; this one is about the extension
    return present, {
        "manifest": str(manifest),
        "present": present,
        "version": version,
        "session_versions": sessions,
    }


CHECKS: dict[str, Callable[[], CheckResult]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "workers": check_workers,
    "browser": check_browser,
    "extension": check_extension,
}


def health_report() -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            ok, details = check()
        except Exception as exc:  # a health check reports failures, it does not propagate them
            ok, details = False, {"error": type(exc).__name__}
        checks[name] = {"ok": ok, **details}
    failed = [name for name, result in checks.items() if not result["ok"]]
    return not failed, {"status": "ok" if not failed else "unhealthy", "failed": failed, "checks": checks}


_cached: dict[str, Any] = {}  # "at" (monotonic seconds), "result": the last full report of this process
_cache_lock = threading.Lock()


def health_report_cached() -> tuple[bool, dict[str, Any]]:
    """health_report(), run at most once per HEALTH_CACHE_SECONDS in this process: under load (probes of
    several kubelets, load balancers, monitoring) the checks' own cost - a broker connection, database and
    cache round trips - would otherwise grow with the callers. Callers that arrive while a report is being
    made wait for it rather than start their own. The body says how old it is (``age_seconds``)."""
    max_age = float(settings.HEALTH_CACHE_SECONDS)
    if max_age <= 0:
        healthy, body = health_report()
        return healthy, {**body, "age_seconds": 0.0}
    with _cache_lock:
        now = time.monotonic()
        if "at" not in _cached or now - _cached["at"] >= max_age:
            _cached["result"] = health_report()
            _cached["at"] = time.monotonic()
        at, (healthy, body) = _cached["at"], _cached["result"]
    return healthy, {**body, "age_seconds": round(max(0.0, time.monotonic() - at), 3)}
