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
TASK_NETWORK_CHANGE_EXECUTE = "wallets.network_change_execute"
TASK_SESSION_COMMAND_EXECUTE = "wallets.session_command_execute"
TASK_SESSIONS_CLEANUP = "wallets.sessions_cleanup"
TASK_TRANSACTIONS_RECONCILE = "wallets.transactions_reconcile"


def worker_queue(worker: str) -> str:
    return f"{SHARED_QUEUE}.{worker}"


def session_open_enqueue(*, session: Any) -> str:
    return _enqueue(session, name=TASK_SESSION_OPEN, queue=SHARED_QUEUE)


def session_close_enqueue(*, session: Any) -> str:
    return _enqueue(session, name=TASK_SESSION_CLOSE, queue=worker_queue(session.worker))


def signature_execute_enqueue(*, signature_request: Any, created_with_id: bool = False) -> str:
    return _enqueue(
        signature_request,
        name=TASK_SIGNATURE_EXECUTE,
        queue=worker_queue(signature_request.session.worker),
        created_with_id=created_with_id,
    )


def transaction_execute_enqueue(*, transaction_row: Any, created_with_id: bool = False) -> str:
    return _enqueue(
        transaction_row,
        name=TASK_TRANSACTION_EXECUTE,
        queue=worker_queue(transaction_row.session.worker),
        created_with_id=created_with_id,
    )


def network_change_execute_enqueue(*, network_change: Any, created_with_id: bool = False) -> str:
    return _enqueue(
        network_change,
        name=TASK_NETWORK_CHANGE_EXECUTE,
        queue=worker_queue(network_change.session.worker),
        created_with_id=created_with_id,
    )


def session_command_execute_enqueue(*, command: Any, created_with_id: bool = False) -> str:
    return _enqueue(
        command,
        name=TASK_SESSION_COMMAND_EXECUTE,
        queue=worker_queue(command.session.worker),
        created_with_id=created_with_id,
    )


def new_task_id() -> str:
    """The id of a row's next task message: given to a row as it is created (one write fewer for the API's
    enqueues), else by _enqueue."""
    return str(uuid.uuid4())


def _enqueue(row: Any, *, name: str, queue: str, created_with_id: bool = False) -> str:
    """Sends the task for the row once the surrounding DB transaction commits, under a new task id stored
    on the row first; ``created_with_id``: the row was just created holding new_task_id(), stored already.
    Stored before commit either way, so the row names the message that will act on it."""
    if not (created_with_id and row.task_id):
        row.task_id = new_task_id()
        row.save(update_fields=["task_id"])
    task_id, object_id = str(row.task_id), str(row.id)

    def send() -> None:
        from celery_app import app

        app.send_task(name, args=[object_id], task_id=task_id, queue=queue)

    transaction.on_commit(send)
    return task_id
