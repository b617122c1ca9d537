"""A task for tests/metrics only; a real Celery worker loads it with `--include tests.metrics.probe_tasks`."""

from __future__ import annotations

import os

from celery import shared_task


@shared_task(name="tests.metrics.bump_failures")
def bump_failures(times: int) -> int:
    # Imported here: the worker imports this module before it has set up Django.
    from wallets import metrics

    metrics.metamask_action_failures_total.labels(action="metrics_probe", kind="probe").inc(times)
    metrics.task_duration_seconds.labels(action="metrics_probe", outcome="ok").observe(0.25)
    metrics.metamask_extension_loaded("0.0.0-probe")  # what the pool child does when a browser starts
    return os.getpid()
