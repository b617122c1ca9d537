"""One Prometheus exporter per pod, serving the metrics of every process of the pod (multiprocess mode).

The API runs as several gunicorn worker processes and a browser worker's tasks run in a Celery prefork child,
so the metrics live in processes that cannot each own port 8080. With PROMETHEUS_MULTIPROC_DIR set in the
environment (it must be set before prometheus_client is first imported, i.e. in the container's env), every
process writes its samples to files in that directory. The process that owns the directory (the gunicorn
master via metamask_service/gunicorn.conf.py, the Celery worker's main process via install_celery_hooks())
clears it at start-up and serves the aggregate on PROMETHEUS_METRICS_PORT (default 8080; 0 = no listener) at
PROMETHEUS_METRICS_ADDRESS (default 0.0.0.0 with the production settings, 127.0.0.1 otherwise).

Without PROMETHEUS_MULTIPROC_DIR nothing here starts: each process keeps its own registry and the app's
/metrics route serves that one process (development, tests).

No Django import here: the gunicorn master never loads Django.
"""

from __future__ import annotations

import glob
import logging
import os
import re
from collections.abc import Iterable
from typing import Any
from wsgiref.simple_server import WSGIServer

import psutil
from prometheus_client import CollectorRegistry, multiprocess, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

logger = logging.getLogger("metamask_service.metrics")

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
PORT_ENV = "PROMETHEUS_METRICS_PORT"
ADDRESS_ENV = "PROMETHEUS_METRICS_ADDRESS"
DEFAULT_PORT = 8080

# Files of gauges whose multiprocess_mode starts with "live": they must disappear with their process.
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live[a-z]+_(\d+)\.db$")

_state: dict[str, WSGIServer | None] = {"server": None}


def multiproc_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR_ENV) or None


def port() -> int:
    return int(os.environ.get(PORT_ENV) or DEFAULT_PORT)


def address() -> str:
    configured = os.environ.get(ADDRESS_ENV)
    if configured:
        return configured
    production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")
    # In a pod Prometheus scrapes the pod IP; anywhere else the exporter stays on loopback.
    return "0.0.0.0" if production else "127.0.0.1"  # noqa: S104


def clear_stale_files() -> int:
    """Remove what earlier runs left (an emptyDir survives a container restart; pids restart too, and a new
    process would continue a dead one's counters). Only the owner of the directory calls this, before any
    process of its run writes there. Returns the number of files removed."""
    path = multiproc_dir()
    if path is None:
        return 0
    os.makedirs(path, exist_ok=True)
    removed = 0
    for name in glob.glob(os.path.join(path, "*.db")):
        os.remove(name)
        removed += 1
    return removed


def mark_process_dead(pid: int) -> None:
    """Drop the live gauges of a process that exited (its counters and histograms stay in the totals)."""
    path = multiproc_dir()
    if path is not None:
        multiprocess.mark_process_dead(pid, path)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def reap_dead_processes(path: str) -> list[int]:
    """mark_process_dead for every process that left live gauges behind: a Celery pool child killed by the
    hard time limit, or a gunicorn worker killed with SIGKILL, never runs its own exit hooks."""
    dead = []
    for name in os.listdir(path):
        match = _LIVE_GAUGE_FILE.match(name)
        if match and not _alive(int(match.group(1))):
            dead.append(int(match.group(1)))
    for pid in set(dead):
        multiprocess.mark_process_dead(pid, path)
    return sorted(set(dead))


def _process_tree_metrics() -> Iterable[Metric]:
    """Memory and CPU of the exporting process and all its descendants (gunicorn workers, Celery children,
    Chromium): the per-process process_* metrics do not exist in multiprocess mode."""
    root = psutil.Process()
    rss = 0
    cpu = 0.0
    count = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            with proc.oneshot():
                rss += proc.memory_info().rss
                times = proc.cpu_times()
        except psutil.Error:  # exited while we looked
            continue
        # children_* hold reaped descendants, so the sum does not drop when a process exits.
        cpu += times.user + times.system + times.children_user + times.children_system
        count += 1
    yield GaugeMetricFamily(
        "mm_process_tree_resident_memory_bytes",
        "Resident memory of the exporting process and all its descendants (workers, Chromium)",
        value=rss,
    )
    yield CounterMetricFamily(
        "mm_process_tree_cpu_seconds", "CPU time of the exporting process and all its descendants", value=cpu
    )
    yield GaugeMetricFamily(
        "mm_process_tree_processes", "Processes in the exporting process tree", value=count
    )


class PodCollector:
    """Every process's samples from the directory, read at each scrape, plus the process tree's usage."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._files = multiprocess.MultiProcessCollector(None, path=path)

    def collect(self) -> Iterable[Metric]:
        reap_dead_processes(self._path)
        yield from self._files.collect()
        yield from _process_tree_metrics()


def start_exporter() -> int | None:
    """Serve the pod's aggregate in a daemon thread of this process. Returns the port, or None when not in
    multiprocess mode, disabled (port 0) or the port is taken (logged: metrics never stop the service)."""
    path = multiproc_dir()
    wanted = port()
    if path is None:
        logger.info("%s not set: no pod exporter; /metrics serves the answering process", MULTIPROC_DIR_ENV)
        return None
    if not wanted:
        return None
    os.makedirs(path, exist_ok=True)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PodCollector(path))
    try:
        server, _thread = start_http_server(wanted, addr=address(), registry=registry)
    except OSError as exc:
        logger.error("metrics exporter cannot listen on %s:%d: %s", address(), wanted, exc)
        return None
    _state["server"] = server
    bound = int(server.server_port)
    logger.info("metrics exporter on %s:%d for %s", address(), bound, path)
    return bound


def close_inherited_listener() -> None:
    """In a forked child: close the copy of the exporter's listening socket (the serving thread does not
    survive fork(); a child holding the socket would keep the port open after the parent died)."""
    server = _state["server"]
    if server is not None:
        server.socket.close()
        _state["server"] = None


# --- Celery browser worker ----------------------------------------------------------------------------------
def starting_celery_worker() -> bool:
    """True while the `celery worker` command imports the app: its main process, before Django is set up
    and before the pool forks. Other commands in the same pod (the liveness probe's `celery inspect ping`,
    `celery shell`) must never clear the running worker's files."""
    import click

    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.invoked_subcommand == "worker"


def _on_worker_ready(**_kwargs: Any) -> None:
    start_exporter()


def _on_child_init(**_kwargs: Any) -> None:
    close_inherited_listener()


def _on_child_shutdown(**_kwargs: Any) -> None:
    mark_process_dead(os.getpid())


def install_celery_hooks() -> None:
    """Connect the exporter to a Celery worker's life cycle. Call it where the app is created: the worker
    sets Django up (which records the first samples) before it sends any worker signal, so the stale files
    are cleared right here."""
    from celery import signals

    if starting_celery_worker():
        removed = clear_stale_files()
        if removed:
            logger.info("removed %d stale metrics file(s)", removed)
    signals.worker_ready.connect(_on_worker_ready, weak=False)
    signals.worker_process_init.connect(_on_child_init, weak=False)
    signals.worker_process_shutdown.connect(_on_child_shutdown, weak=False)
