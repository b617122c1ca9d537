"""Enqueueing of browser work. Tasks are sent by NAME (the task bodies live in wallets/tasks.py on the worker
side), always after the surrounding DB transaction commits, and carry only the row id: the worker reads
everything else - secrets included - from the database.

Queues: "browser" is shared by all browser workers (opening a session picks any worker); every worker also
consumes "browser.<celery hostname>", where the later operations of a session must go because the browser
holding that session lives in that one process.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

SHARED_QUEUE = "browser"

TASK_SESSION_OPEN = "wallets.session_open"
TASK_SESSION_CLOSE = "wallets.session_close"
TASK_SIGNATURE_EXECUTE = "wallets.signature_execute"
TASK_TRANSACTION_EXECUTE = "wallets.transaction_execute"
TASK_SESSIONS_CLEANUP = "wallets.sessions_cleanup"


def worker_queue(worker: str) -> str:
    return f"{SHARED_QUEUE}.{worker}"


def _send_on_commit(*, name: str, object_id: Any, task_id: str, queue: str) -> None:
    def send() -> None:
        from celery_app import app

        app.send_task(name, args=[str(object_id)], task_id=task_id, queue=queue)

    transaction.on_commit(send)


def _assign_task_id(row: Any) -> str:
    # Stored before commit, so the row names the message that will act on it.
    row.task_id = str(uuid.uuid4())
    row.save(update_fields=["task_id"])
    return str(row.task_id)


def session_open_enqueue(*, session: Any) -> str:
    task_id = _assign_task_id(session)
    _send_on_commit(name=TASK_SESSION_OPEN, object_id=session.id, task_id=task_id, queue=SHARED_QUEUE)
    return task_id


def session_close_enqueue(*, session: Any) -> str:
    task_id = _assign_task_id(session)
    _send_on_commit(
        name=TASK_SESSION_CLOSE, object_id=session.id, task_id=task_id, queue=worker_queue(session.worker)
    )
    return task_id


def signature_execute_enqueue(*, signature_request: Any) -> str:
    task_id = _assign_task_id(signature_request)
    _send_on_commit(
        name=TASK_SIGNATURE_EXECUTE,
        object_id=signature_request.id,
        task_id=task_id,
        queue=worker_queue(signature_request.session.worker),
    )
    return task_id


def transaction_execute_enqueue(*, transaction_row: Any) -> str:
    task_id = _assign_task_id(transaction_row)
    _send_on_commit(
        name=TASK_TRANSACTION_EXECUTE,
        object_id=transaction_row.id,
        task_id=task_id,
        queue=worker_queue(transaction_row.session.worker),
    )
    return task_id
