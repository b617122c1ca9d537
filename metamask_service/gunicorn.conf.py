"""gunicorn hooks for the API: one metrics exporter in the master for all worker processes.

    gunicorn -c metamask_service/gunicorn.conf.py metamask_service.wsgi:application --bind ... --workers N

Bind, workers, threads and timeouts stay on the command line (k8s/base/api.yaml). With
PROMETHEUS_MULTIPROC_DIR set, the master clears the directory before any worker exists and serves the
aggregate of every worker on PROMETHEUS_METRICS_PORT (see metamask_service/metrics_server.py); without
it the hooks do nothing.
"""

from __future__ import annotations

from typing import Any

from metamask_service import metrics_server


def on_starting(server: Any) -> None:
    removed = metrics_server.clear_stale_files()
    if removed:
        server.log.info("removed %d stale metrics file(s)", removed)


def when_ready(server: Any) -> None:
    # Runs in the master before the first worker is forked.
    bound = metrics_server.start_exporter()
    if bound is not None:
        server.log.info("metrics exporter on %s:%d", metrics_server.address(), bound)
    elif metrics_server.multiproc_dir() is not None and metrics_server.port():
        server.log.error("metrics exporter could not start on port %d", metrics_server.port())


def post_fork(server: Any, worker: Any) -> None:
    metrics_server.close_inherited_listener()


def child_exit(server: Any, worker: Any) -> None:
    metrics_server.mark_process_dead(worker.pid)
