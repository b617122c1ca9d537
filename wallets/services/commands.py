"""Session commands (lock, unlock, watch_asset): asked by the API on a ready session, claimed and finished
by the browser worker. What each kind takes and does is the registry's (wallets/commands/)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from wallets import dispatch
from wallets.commands import COMMANDS, command_for
from wallets.exceptions import ValidationFailed
from wallets.models import SessionCommand
from wallets.selectors import session_get_for_user
from wallets.services.operations import operation_claim, operation_end
from wallets.services.sessions import session_lock_ready
from wallets.services.transitions import transition_one

UserLike = AbstractBaseUser | AnonymousUser
Status = SessionCommand.Status


# --- API side -------------------------------------------------------------------------------------------
def session_command_create(
    *, user: UserLike, session_id: Any, kind: str, params: dict[str, Any], ip: str | None = None
) -> SessionCommand:
    if kind not in COMMANDS:
        raise ValidationFailed(f"unknown command {kind!r}; one of: {', '.join(sorted(COMMANDS))}")
    cleaned = command_for(kind).clean(params)
    owned = session_get_for_user(user=user, session_id=session_id, ip=ip)
    with transaction.atomic():
        session = session_lock_ready(session=owned)
        command_for(kind).check_session(session, cleaned)
        row = SessionCommand.objects.create(
            session=session,
            kind=kind,
            params=cleaned,
            account=session.active_account,
            task_id=dispatch.new_task_id(),
        )
        dispatch.session_command_execute_enqueue(command=row, created_with_id=True)
    return row


# --- worker side ----------------------------------------------------------------------------------------
def session_command_claim(*, command_id: Any) -> bool:
    """A redelivered task finds the row no longer pending and does nothing."""
    return operation_claim(SessionCommand, row_id=command_id)


def session_command_record_result(*, command_id: Any, result: dict[str, Any]) -> None:
    """What a command did, kept before it ends failed (its status moves through its own transition)."""
    SessionCommand.objects.filter(id=command_id).update(result=result)


def session_command_mark_done(*, command_id: Any, result: dict[str, Any]) -> bool:
    return transition_one(SessionCommand, row_id=command_id, to=Status.DONE, result=result)


def session_command_mark_rejected(
    *, command_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return operation_end(
        SessionCommand,
        row_id=command_id,
        to=Status.REJECTED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def session_command_mark_failed(
    *, command_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return operation_end(
        SessionCommand,
        row_id=command_id,
        to=Status.FAILED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )
