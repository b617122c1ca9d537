"""The service's own Prometheus metrics (django-prometheus adds the HTTP/DB/cache ones).

Gauges with multiprocess_mode so they aggregate sensibly if PROMETHEUS_MULTIPROC_DIR is ever used.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

sessions_open = Gauge("mm_sessions_open", "Wallet sessions with a live browser", multiprocess_mode="livesum")
browsers_running = Gauge("mm_browsers_running", "Chromium instances running", multiprocess_mode="livesum")
task_duration_seconds = Histogram(
    "mm_task_duration_seconds",
    "Browser task duration",
    ["action", "outcome"],
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
)
rate_limit_rejections_total = Counter(
    "mm_rate_limit_rejections_total", "Requests refused with 429", ["group"]
)
metamask_action_failures_total = Counter(
    "mm_metamask_action_failures_total", "MetaMask UI actions that failed", ["action", "kind"]
)
db_connections = Gauge(
    "mm_db_connections", "Open PostgreSQL connections of this service's database", multiprocess_mode="max"
)
