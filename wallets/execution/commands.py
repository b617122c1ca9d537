"""A session command on a ready session (lock, unlock, watch_asset): the registry's command run on the
session's browser.

A command signs and sends nothing. A MetaMask screen it raised that did not show what was asked, or a refusal
by MetaMask, ends it rejected with the security event any action records; any other failure is not a
security event. Like every operation, one interrupted mid-run is failed, not run again."""

from __future__ import annotations

import functools

from automation import WalletBrowser
from metamask_service.logging import log_context
from wallets import services
from wallets.commands import command_for
from wallets.execution.common import (
    Operation,
    Outcome,
    maybe_restart,
    not_claimed,
    operation_failed,
    run_on_session,
    step,
    timed,
)
from wallets.models import SessionCommand
from wallets.runtime import BrowserPool


def session_command_execute(*, command_id: str, worker: str, browsers: BrowserPool) -> Outcome:
    row = SessionCommand.objects.select_related("session__wallet__owner").get(id=command_id)
    with log_context(session_id=str(row.session.id), component="worker"):
        return timed(row.kind, lambda: _execute(row, worker=worker, browsers=browsers))


def _execute(row: SessionCommand, *, worker: str, browsers: BrowserPool) -> Outcome:
    mark_failed = functools.partial(services.session_command_mark_failed, command_id=row.id)
    if not services.session_command_claim(command_id=row.id):
        return not_claimed(row, task="session_command_execute", what=row.kind, mark_failed=mark_failed)
    mark_rejected = functools.partial(services.session_command_mark_rejected, command_id=row.id)
    op = Operation(
        row.id,
        row.session,
        row.kind,
        mark_rejected=mark_rejected,
        mark_failed=mark_failed,
        signs=command_for(row.kind).signs,
        account=row.account,
        on_any_account=command_for(row.kind).on_any_account,
    )
    return run_on_session(
        op, worker=worker, browsers=browsers, perform=lambda browser: _run(op, row, browser)
    )


def _run(op: Operation, row: SessionCommand, browser: WalletBrowser) -> Outcome:
    try:
        maybe_restart(row, browser)
        with step(row, row.kind, row.kind):
            result = command_for(row.kind).run(browser, row)
    except Exception as exc:
        kept = getattr(exc, "result", None)
        if isinstance(kept, dict):
            # A flow that did not do all it was asked: what it did is kept beside its error.
            services.session_command_record_result(command_id=row.id, result=kept)
        return operation_failed(op, exc)
    services.session_command_mark_done(command_id=row.id, result=result)
    return Outcome("done")
