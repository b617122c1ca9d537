"""Celery tasks of the browser worker. Names match wallets/dispatch.py; each takes a row id only, and calls
one service in wallets/execution/ (which claims the row, so a redelivered message does nothing twice).

acks_late + reject_on_worker_lost: a task whose worker died is redelivered rather than lost; the claim makes
the redelivery harmless. Time limits come from settings (soft -> the row is marked failed; hard -> the pool
process is killed and the next one cleans up its browsers, see wallets/worker.py).
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings

import wallets.worker  # connects the worker's signal handlers
from wallets import dispatch, execution
from wallets.runtime import process_browsers

_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "ignore_result": True,
}


def _worker(task: Task) -> str:
    return str(task.request.hostname or wallets.worker.hostname() or "")


@shared_task(name=dispatch.TASK_SESSION_OPEN, **_OPTIONS)
def session_open(self: Task, session_id: str) -> str:
    return execution.session_open(
        session_id=session_id, worker=_worker(self), browsers=process_browsers()
    ).outcome


@shared_task(name=dispatch.TASK_SESSION_CLOSE, **_OPTIONS)
def session_close(self: Task, session_id: str) -> str:
    return execution.session_close(session_id=session_id, browsers=process_browsers()).outcome


@shared_task(name=dispatch.TASK_SIGNATURE_EXECUTE, **_OPTIONS)
def signature_execute(self: Task, signature_id: str) -> str:
    return execution.signature_execute(
        signature_id=signature_id, worker=_worker(self), browsers=process_browsers()
    ).outcome


@shared_task(name=dispatch.TASK_TRANSACTION_EXECUTE, **_OPTIONS)
def transaction_execute(self: Task, transaction_id: str) -> str:
    return execution.transaction_execute(
        transaction_id=transaction_id, worker=_worker(self), browsers=process_browsers()
    ).outcome


@shared_task(name=dispatch.TASK_NETWORK_CHANGE_EXECUTE, **_OPTIONS)
def network_change_execute(self: Task, network_change_id: str) -> str:
    return execution.network_change_execute(
        network_change_id=network_change_id, worker=_worker(self), browsers=process_browsers()
    ).outcome


@shared_task(name=dispatch.TASK_SESSION_COMMAND_EXECUTE, **_OPTIONS)
def session_command_execute(self: Task, command_id: str) -> str:
    return execution.session_command_execute(
        command_id=command_id, worker=_worker(self), browsers=process_browsers()
    ).outcome


@shared_task(name=dispatch.TASK_SESSIONS_CLEANUP, **_OPTIONS)
def sessions_cleanup(self: Task) -> dict[str, int]:
    return execution.sessions_cleanup()


@shared_task(name=dispatch.TASK_TRANSACTIONS_RECONCILE, **_OPTIONS)
def transactions_reconcile(self: Task) -> dict[str, int]:
    return execution.transactions_reconcile()
