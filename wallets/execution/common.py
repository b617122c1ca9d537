"""What every worker-side flow shares: outcomes, timing and step records, and what a signature request or a
transaction row becomes when the browser operation on it raises."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

from automation import (
    AutomationError,
    Displayed,
    DisplayedNetwork,
    NetworkSpec,
    PolicyRejected,
    RequestRejected,
    Verifier,
    WalletBrowser,
)
from wallets import audit, metrics, services, verification
from wallets.models import SecurityEvent, WalletSession
from wallets.runtime import BrowserPool

# One logger for the whole package: operators (and tests) filter on this name.
logger = logging.getLogger("wallets.execution")
LOG_EXTRA = {"component": "worker"}


@dataclass
class Outcome:
    """What a task did; `outcome` is the metrics label."""

    outcome: str
    detail: str = ""


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def timed(action: str, body: Callable[[], Outcome]) -> Outcome:
    """Runs the body and observes its duration labelled with its outcome ("error" when it raised)."""
    started = time.monotonic()
    label = "error"
    try:
        result = body()
        label = result.outcome
        return result
    finally:
        metrics.task_duration_seconds.labels(action=action, outcome=label).observe(time.monotonic() - started)


@contextlib.contextmanager
def step(row: Any, name: str, action: str) -> Iterator[None]:
    """Records {step, ok, seconds} on the row; counts MetaMask action failures by kind."""
    started = time.monotonic()
    try:
        yield
    except BaseException as exc:
        services.progress_append(row=row, step=name, ok=False, seconds=time.monotonic() - started)
        timeout = isinstance(exc, SoftTimeLimitExceeded)
        kind = getattr(exc, "kind", None) or ("timeout" if timeout else "error")
        metrics.metamask_action_failures_total.labels(action=action, kind=kind).inc()
        raise
    services.progress_append(row=row, step=name, ok=True, seconds=time.monotonic() - started)


def network_spec(network: dict[str, Any]) -> NetworkSpec:
    """A session's or a network change's network (validators.validate_network's shape) for the driver."""
    return NetworkSpec(
        chain_id=int(network["chain_id"]),
        rpc_url=str(network["rpc_url"]),
        name=str(network.get("name") or f"Chain {network['chain_id']}"),
        currency_symbol=str(network.get("currency_symbol") or "ETH"),
    )


def network_verifier(spec: NetworkSpec, *, dapp_origin: str) -> Verifier:
    """MetaMask's add-network, switch and chain-permission screens, checked against ``spec``."""
    return verification.verifier(
        DisplayedNetwork,
        lambda shown: verification.network_reason(shown, dapp_origin=dapp_origin, network=spec),
    )


def set_gauges(browsers: BrowserPool) -> None:
    # This process's view; the worker's main process also sets them from its heartbeat.
    metrics.sessions_open.set(len(browsers))
    metrics.browsers_running.set(len(browsers))


def record_metamask_version(*, session_id: Any, browser: WalletBrowser) -> None:
    """After the browser started: the loaded build's manifest version on the session (while its field is
    empty) and in mm_metamask_extension_info. Nothing to record when the driver could not read it."""
    version = browser.extension_version
    if not version:
        return
    services.session_set_metamask_version(session_id=session_id, version=version)
    metrics.metamask_extension_loaded(version)


def maybe_restart(row: Any, browser: WalletBrowser) -> None:
    if browser.needs_restart():
        with step(row, "browser_restart", "restart"):
            browser.restart()
        # The same build within a session; recorded again only if the first start could not read it.
        record_metamask_version(session_id=row.session_id, browser=browser)


@dataclass(frozen=True)
class Operation:
    """A claimed signature request or transaction: its row, its session, and how its row is finished.

    `mark_rejected` / `mark_failed` are the row's services (keyword arguments error, error_kind and optionally
    artifact_path); `action` names the browser action in security events. `signs`: whether the operation
    could sign or send; a failure of one that cannot (a session command) is no signing_failed event.
    `account`: the session's account when the row was asked (empty on rows from before accounts);
    `on_any_account`: runs whichever account the session has (a switch, which sets it).
    """

    row_id: Any
    session: WalletSession
    action: str
    mark_rejected: Callable[..., bool]
    mark_failed: Callable[..., bool]
    signs: bool = True
    account: str = ""
    on_any_account: bool = False

    def security_event(
        self,
        kind: str,
        *,
        reason: str,
        severity: str = SecurityEvent.Severity.WARNING,
        shown: Displayed | None = None,
        shown_text: str = "",
    ) -> None:
        details: dict[str, Any] = {
            "action": self.action,
            "request_id": str(self.row_id),
            "reason": reason[:500],
        }
        if shown is not None:
            details["shown"] = verification.shown_summary(shown)
        elif shown_text:
            details["shown"] = {"text": shown_text[:1000]}
        audit.security_event_record(
            kind=kind,
            severity=severity,
            actor=self.session.wallet.owner,
            session=self.session,
            details=details,
        )


def run_on_session(
    op: Operation, *, worker: str, browsers: BrowserPool, perform: Callable[[WalletBrowser], Outcome]
) -> Outcome:
    """Hands the session's browser to `perform`; without a usable browser the row fails right away."""
    browser, why = _session_browser(op.session, worker=worker, browsers=browsers)
    if browser is None:
        op.mark_failed(error=why, error_kind="session_unavailable")
        return Outcome("failed", why)
    if why := _account_moved(op, browser):
        op.mark_failed(error=why, error_kind="account_changed")
        return Outcome("failed", "account_changed")
    op.session.touch()
    try:
        return perform(browser)
    finally:
        # Confirmations refused as not this request's (left pending before it, or queued again during it).
        for reason, text in browser.refused_others:
            op.security_event(SecurityEvent.Kind.POLICY_REJECTED, reason=reason, shown_text=text)


def _account_moved(op: Operation, browser: WalletBrowser) -> str:
    """Why the row must not run on the account the session has now ("" when it may): asked for another
    account than the session's (a switch ran in between), or MetaMask holding another selection than the
    session records (a switch that failed half-way). Nothing is asked of MetaMask then."""
    active = op.session.active_account
    if op.on_any_account:
        return ""
    if op.account and op.account.lower() != active.lower():
        return f"asked for account {op.account}; the session switched to {active} since: not run"
    if browser.address and browser.address.lower() != active.lower():
        return f"MetaMask has {browser.address} selected, the session's account is {active}: not run"
    return ""


def _session_browser(
    session: WalletSession, *, worker: str, browsers: BrowserPool
) -> tuple[WalletBrowser | None, str]:
    """The session's browser in this process, or (None, why not); marks the session lost if it is missing."""
    if session.status != WalletSession.Status.READY:
        return None, f"session is {session.status}, not ready"
    browser = browsers.get(session.id)
    if browser is None:
        services.session_mark_lost(
            session_id=session.id,
            error=f"the browser of this session is not running in worker {worker} (worker restarted?)",
            error_kind="browser_lost",
        )
        return None, "session lost: its browser is gone (worker restarted); open a new session"
    return browser, ""


def not_claimed(row: Any, *, task: str, what: str, mark_failed: Callable[..., bool]) -> Outcome:
    """The claim moved nothing: the message was a redelivery. A row still running was left by a worker that
    died mid-operation: whether MetaMask acted is unknown, so it is failed, never retried (a transaction is
    not handled here: it becomes unknown and is reconciled from the chain)."""
    row.refresh_from_db()
    if row.status == "running":
        mark_failed(
            error=f"interrupted: the worker stopped while this {what} was running; not retried",
            error_kind="interrupted",
        )
        return Outcome("interrupted")
    logger.info("%s: %s is %s; nothing to do", task, what, row.status, extra=LOG_EXTRA)
    return Outcome("skipped")


def operation_failed(op: Operation, exc: Exception) -> Outcome:
    """Finishes the row after the browser operation raised, and records the matching security event (a
    policy rejection records the screen it was about)."""
    if isinstance(exc, PolicyRejected):
        op.mark_rejected(
            error=exc.reason, error_kind="policy_rejected", artifact_path=exc.artifact_path or ""
        )
        op.security_event(SecurityEvent.Kind.POLICY_REJECTED, reason=exc.reason, shown=exc.shown)
        return Outcome("rejected", "policy_rejected")
    if isinstance(exc, RequestRejected):
        op.mark_rejected(error=str(exc), error_kind="user_rejected")
        op.security_event(SecurityEvent.Kind.REQUEST_REJECTED, reason=str(exc))
        return Outcome("rejected", "user_rejected")
    if isinstance(exc, (AutomationError, SoftTimeLimitExceeded)):
        kind = str(getattr(exc, "kind", "timeout"))
        op.mark_failed(
            error=error_text(exc), error_kind=kind, artifact_path=getattr(exc, "artifact_path", None) or ""
        )
        if op.signs:
            op.security_event(SecurityEvent.Kind.SIGNING_FAILED, reason=kind)
        return Outcome("failed", kind)
    # Whether MetaMask signed or sent is unknown: failed, never retried. Only the type is kept: an
    # unexpected message could quote anything.
    op.mark_failed(error=f"unexpected {type(exc).__name__}", error_kind="unexpected")
    if op.signs:
        op.security_event(SecurityEvent.Kind.SIGNING_FAILED, reason="unexpected")
    return Outcome("failed", "unexpected")
