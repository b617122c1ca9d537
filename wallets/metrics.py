"""The service's own Prometheus metrics (django-prometheus adds the HTTP/DB/cache ones).

In multiprocess mode (metamask_service/metrics_server.py) a gauge's multiprocess_mode says how the values
of several processes combine. Each of ours is a whole observation, not a per-process share: the API's health
view sets the fleet totals in whichever gunicorn worker answered, a browser worker's main process (heartbeat)
and its pool child both set that worker's counts. So the most recent value of a live process wins; summing
would count the same sessions once per process.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

sessions_open = Gauge(
    "mm_sessions_open", "Wallet sessions with a live browser", multiprocess_mode="livemostrecent"
)
browsers_running = Gauge(
    "mm_browsers_running", "Chromium instances running", multiprocess_mode="livemostrecent"
)
task_duration_seconds = Histogram(
    "mm_task_duration_seconds",
    "Browser task duration",
    ["action", "outcome"],
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
)
session_browser_pss_bytes = Histogram(
    "mm_session_browser_pss_bytes",
    "PSS of one session's browser (Chromium and every process under it), observed per session per heartbeat",
    buckets=tuple(mib * 2**20 for mib in (128, 256, 512, 768, 1024, 1536, 2048, 3072, 4096)),
)
rate_limit_rejections_total = Counter(
    "mm_rate_limit_rejections_total", "Requests refused with 429", ["group"]
)
metamask_action_failures_total = Counter(
    "mm_metamask_action_failures_total", "MetaMask UI actions that failed", ["action", "kind"]
)
db_connections = Gauge(
    "mm_db_connections",
    "Open PostgreSQL connections of this service's database",
    multiprocess_mode="livemostrecent",
)
# Info-style: 1 for the `version` (extension manifest) of the MetaMask build this process's browsers loaded,
# set by the browser worker when a browser starts. Live processes only, so a stopped worker's build drops out.
metamask_extension_info = Gauge(
    "mm_metamask_extension_info",
    "MetaMask build loaded by this worker's browsers (1 = loaded; label version = its manifest version)",
    ["version"],
    multiprocess_mode="livemostrecent",
)
# Set by the API's health check (the readiness probe calls it every few seconds): the fleet as the database
# and the broker see it, whichever API process answered last.
browser_workers_live = Gauge(
    "mm_browser_workers_live",
    "Browser workers whose heartbeat is fresh",
    multiprocess_mode="livemostrecent",
)
broker_queue_messages = Gauge(
    "mm_broker_queue_messages",
    "Messages waiting on a broker queue (the shared browser queue: sessions waiting for a worker)",
    ["queue"],
    multiprocess_mode="livemostrecent",
)
security_events_total = Counter(
    "mm_security_events_total", "Security events recorded, by kind", ["kind", "severity"]
)
_extension_version: str | None = None


def metamask_extension_loaded(version: str) -> None:
    """Marks `version` as the build this process runs; a build it ran before (the extension folder was
    replaced under a running worker) drops to 0 instead of lingering at 1."""
    global _extension_version
    if _extension_version is not None and _extension_version != version:
        metamask_extension_info.labels(version=_extension_version).set(0)
    metamask_extension_info.labels(version=version).set(1)
    _extension_version = version
