"""`manage.py doctor`: the operators' guide's diagnostics in one run (docs/operations.md).

Each check is one function in CHECKS, from its name to a Finding, and never raises: a check that cannot run
is itself the finding. ``fail`` means the service cannot do its work (exit code 1); ``warn`` means it can,
but something needs a look (stranded work, memory near the restart threshold, security events, skew).
The health endpoint's checks (wallets/health.py) are reused, not repeated; this adds what an operator asks
next: how deep the queues are, who holds which sessions, how close the database is to its connection limit,
what the rate limiter is counting, what was refused lately, and whether the clocks agree.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from wallets import health
from wallets.dispatch import SHARED_QUEUE, worker_queue
from wallets.models import BrowserWorker, SecurityEvent, WalletSession
from wallets.selectors import browser_workers_live

Status = Literal["ok", "warn", "fail"]
_RANK: dict[Status, int] = {"ok": 0, "warn": 1, "fail": 2}
# Connections in use above this share of PostgreSQL's max_connections is a warning.
DB_CONNECTIONS_WARN = 0.8
SECURITY_WINDOW = timedelta(hours=24)
SECURITY_RECENT = timedelta(hours=1)


@dataclass(frozen=True)
class Finding:
    status: Status
    summary: str  # one line for the table
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    max_skew_seconds: float = 2.0
    events: int = 5  # how many of the latest security events to list


def _worst(*statuses: Status) -> Status:
    return max(statuses, key=_RANK.__getitem__, default="ok")


def check_database(_options: Options) -> Finding:
    ok, details = health.check_database()
    if connection.vendor != "postgresql":
        return Finding("ok" if ok else "fail", f"{connection.vendor}: reachable", details)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() GROUP BY 1"
        )
        by_state = dict(cursor.fetchall())
    used = sum(by_state.values())
    details.update(
        max_connections=limit, by_state=by_state, conn_max_age=connection.settings_dict["CONN_MAX_AGE"]
    )
    status: Status = "warn" if used > DB_CONNECTIONS_WARN * limit else "ok"
    return Finding(
        status, f"postgresql: {used}/{limit} connections ({by_state.get('idle', 0)} idle)", details
    )


def check_cache(_options: Options) -> Finding:
    ok, details = health.check_cache()
    client = _redis_client()
    if client is not None:
        info = client.info()
        details.update(
            used_memory=info.get("used_memory_human"), connected_clients=info.get("connected_clients")
        )
    return Finding(
        "ok" if ok else "fail",
        f"{details['backend']}: {'round trip ok' if ok else 'round trip failed'}",
        details,
    )


def check_broker(_options: Options) -> Finding:
    """Messages waiting per queue: the shared one, and each worker's own. Work on the queue of a worker that
    stopped heart-beating is stranded there (its browsers are gone): a warning naming the queue."""
    from celery_app import app

    live = set(browser_workers_live().values_list("hostname", flat=True))
    queues = [SHARED_QUEUE] + [worker_queue(w.hostname) for w in BrowserWorker.objects.all()]
    depths: dict[str, int] = {}
    conn: Any  # kombu's Connection; its stubs leave out .transport
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        transport = conn.transport.driver_type
        for name in queues:
            depths[name] = health.queue_depth(conn, name)
    stranded = {
        name: n
        for name, n in depths.items()
        if n and name != SHARED_QUEUE and name.split(".", 1)[1] not in live
    }
    status: Status = "warn" if stranded else "ok"
    summary = f"{sum(depths.values())} message(s) waiting; shared queue {depths[SHARED_QUEUE]}"
    if stranded:
        summary += f"; stranded on stopped workers: {sum(stranded.values())}"
    return Finding(status, summary, {"transport": transport, "queues": depths, "stranded": stranded})


def check_workers(_options: Options) -> Finding:
    """Live and stopped workers, and the active sessions each holds in the database. Sessions held by a
    stopped worker are lost (the cleanup task marks them so within a minute); more than that is a warning."""
    held = dict(
        WalletSession.objects.filter(status__in=WalletSession.ACTIVE_STATUSES)
        .exclude(worker="")
        .values_list("worker")
        .annotate(n=Count("id"))
    )
    rows = []
    for worker in BrowserWorker.objects.all():
        rows.append(
            {
                "hostname": worker.hostname,
                "live": worker.is_live,
                "last_seen": worker.last_seen.isoformat(),
                "sessions_reported": worker.sessions_open,
                "sessions_in_database": held.get(worker.hostname, 0),
            }
        )
    live = [r for r in rows if r["live"]]
    on_stopped = sum(n for host, n in held.items() if host not in {r["hostname"] for r in live})
    status: Status = "fail" if not live else ("warn" if on_stopped else "ok")
    summary = f"{len(live)} live, {len(rows) - len(live)} stopped; {sum(held.values())} active session(s)"
    if on_stopped:
        summary += f", {on_stopped} on stopped workers"
    return Finding(status, summary, {"workers": rows, "sessions_on_stopped_workers": on_stopped})


def check_browsers(_options: Options) -> Finding:
    """Browsers per live worker and their memory, against the per-browser restart threshold."""
    limit = int(settings.BROWSER_MAX_RSS_MB) * 2**20
    rows: list[dict[str, Any]] = []
    near: list[str] = []
    for worker in browser_workers_live():
        per_browser = worker.rss_bytes // worker.browsers_running if worker.browsers_running else 0
        rows.append(
            {
                "hostname": worker.hostname,
                "browsers": worker.browsers_running,
                "rss_mb": worker.rss_bytes // 2**20,
                "rss_mb_per_browser": per_browser // 2**20,
            }
        )
        if limit and per_browser > 0.9 * limit:
            near.append(worker.hostname)
    ok, binary = health.check_browser()
    total = sum(r["browsers"] for r in rows)
    summary = f"{total} running, {sum(r['rss_mb'] for r in rows)} MB RSS"
    if near:
        summary += f"; near the {settings.BROWSER_MAX_RSS_MB} MB restart threshold: {', '.join(near)}"
    if not ok:
        summary += "; no Chromium in this pod (only browser workers need it)"
    details = {"workers": rows, "max_rss_mb": settings.BROWSER_MAX_RSS_MB, **binary}
    return Finding("warn" if near or not ok else "ok", summary, details)


def check_extension(_options: Options) -> Finding:
    present, details = health.check_extension()
    others = sorted(set(details["session_versions"] or {}) - {details["version"]})
    if not present:
        return Finding(
            "warn", f"no MetaMask build at {details['manifest']} (only browser workers need it)", details
        )
    summary = f"MetaMask {details['version'] or 'version unreadable'}"
    if others:
        summary += f"; open sessions also run {', '.join(others)}"
    return Finding("warn" if others or not details["version"] else "ok", summary, details)


def check_rate_limits(_options: Options) -> Finding:
    """The rate limiter's live counters (one per caller, group and window) and the highest count among them.
    django-ratelimit hashes its keys, so a counter names no caller: the security events name them."""
    client = _redis_client()
    if client is None:
        return Finding("ok", "counters kept in the database cache; not listed", {})
    # django-ratelimit's keys are its prefix plus a hash, inside the cache's own key scheme.
    pattern = cache.make_key(getattr(settings, "RATELIMIT_CACHE_PREFIX", "rl:")) + "*"
    counts = [
        int(v) for v in (client.get(k) for k in client.scan_iter(match=pattern, count=500)) if v is not None
    ]
    refused = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.RATE_LIMITED, created_at__gte=timezone.now() - SECURITY_RECENT
    ).count()
    highest = max(counts, default=0)
    summary = f"{len(counts)} live counter(s), highest {highest}; {refused} refusal(s) in the last hour"
    details = {"counters": len(counts), "highest": highest, "refused_last_hour": refused}
    return Finding("warn" if refused else "ok", summary, details)


def check_security_events(options: Options) -> Finding:
    now = timezone.now()
    recent = SecurityEvent.objects.filter(created_at__gte=now - SECURITY_WINDOW)
    by_kind = Counter(recent.values_list("kind", flat=True))
    last_hour = recent.filter(created_at__gte=now - SECURITY_RECENT).count()
    latest = [
        {
            "at": event.created_at.isoformat(),
            "kind": event.kind,
            "severity": event.severity,
            "session": str(event.session_id or ""),
            "reason": str(event.details.get("reason", ""))[:200],
        }
        for event in recent.order_by("-created_at")[: options.events]
    ]
    critical = recent.filter(severity=SecurityEvent.Severity.CRITICAL).count()
    summary = f"{sum(by_kind.values())} in 24 h ({last_hour} in the last hour, {critical} critical)"
    status: Status = "warn" if last_hour or critical else "ok"
    return Finding(status, summary, {"by_kind": dict(by_kind), "latest": latest, "critical": critical})


def check_clock(options: Options) -> Finding:
    """This host's clock against the database's and Redis's: JWT expiry, session TTLs and heartbeats compare
    times written by different hosts."""
    skews: dict[str, float] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            before = time.time()
            cursor.execute("SELECT extract(epoch FROM clock_timestamp())")
            skews["database"] = float(cursor.fetchone()[0]) - (before + time.time()) / 2
    client = _redis_client()
    if client is not None:
        before = time.time()
        seconds, micros = client.time()
        skews["redis"] = seconds + micros / 1e6 - (before + time.time()) / 2
    worst = max((abs(s) for s in skews.values()), default=0.0)
    status: Status = "fail" if worst > options.max_skew_seconds else "ok"
    summary = (
        ", ".join(f"{name} {skew:+.3f} s" for name, skew in skews.items()) or "no other clock to compare"
    )
    return Finding(status, summary, {"skew_seconds": skews, "max_skew_seconds": options.max_skew_seconds})


CHECKS: dict[str, Callable[[Options], Finding]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "workers": check_workers,
    "browsers": check_browsers,
    "extension": check_extension,
    "rate_limits": check_rate_limits,
    "security_events": check_security_events,
    "clock": check_clock,
}


def run_checks(options: Options | None = None) -> tuple[Status, dict[str, Finding]]:
    options = options or Options()
    findings: dict[str, Finding] = {}
    for name, check in CHECKS.items():
        try:
            findings[name] = check(options)
        except Exception as exc:  # a check that cannot run is the finding; the others still run
            first_line = next(iter(str(exc).splitlines()), "")[:200]
            findings[name] = Finding("fail", f"check failed: {type(exc).__name__}: {first_line}")
    return _worst(*(f.status for f in findings.values())), findings


def _redis_client() -> Any:
    """The Redis client behind the default cache, or None when the cache is not Redis."""
    backend = cache._cache if hasattr(cache, "_cache") else None  # RedisCache keeps its client there
    get_client = getattr(backend, "get_client", None)
    return get_client(write=False) if get_client is not None else None
