"""Worker-side services: open/close wallet sessions and execute signatures and transactions in the browser.

One public function per task (wallets/tasks.py). Each one first claims its row with a conditional UPDATE
(wallets/services.py), so a redelivered task does nothing twice; a transaction that reached `running` or
`submitted` is never sent again. Secrets are decrypted here, in the worker, and only handed to the browser.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from automation import (
    AutomationError,
    Displayed,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedTransaction,
    NetworkSpec,
    PolicyRejected,
    RequestRejected,
    TxRequest,
    WalletBrowser,
)
from metamask_service.logging import log_context
from wallets import metrics, services, verification
from wallets.models import SecurityEvent, SignatureRequest, Transaction, WalletSession
from wallets.runtime import registry

logger = logging.getLogger("wallets.execution")
_LOG = {"component": "worker"}


class StepFailed(Exception):
    """A session-open step found something wrong that is not an automation error (e.g. wrong account)."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Outcome:
    """What a task did; `outcome` is the metrics label."""

    outcome: str
    detail: str = ""


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


@contextlib.contextmanager
def _timed(action: str, outcome: list[str]) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        label = outcome[0] if outcome else "error"
        metrics.task_duration_seconds.labels(action=action, outcome=label).observe(time.monotonic() - started)


@contextlib.contextmanager
def _step(row: Any, step: str, action: str) -> Iterator[None]:
    """Records {step, ok, seconds} on the row; counts MetaMask action failures by kind."""
    started = time.monotonic()
    try:
        yield
    except BaseException as exc:
        services.progress_append(row=row, step=step, ok=False, seconds=time.monotonic() - started)
        timeout = isinstance(exc, SoftTimeLimitExceeded)
        kind = getattr(exc, "kind", None) or ("timeout" if timeout else "error")
        metrics.metamask_action_failures_total.labels(action=action, kind=kind).inc()
        raise
    services.progress_append(row=row, step=step, ok=True, seconds=time.monotonic() - started)


def _set_gauges() -> None:
    # This process's view; the worker's main process also sets them from its heartbeat.
    metrics.sessions_open.set(len(registry))
    metrics.browsers_running.set(len(registry))


def _network_spec(network: dict[str, Any]) -> NetworkSpec:
    return NetworkSpec(
        chain_id=int(network["chain_id"]),
        rpc_url=str(network["rpc_url"]),
        name=str(network.get("name") or f"Chain {network['chain_id']}"),
        currency_symbol=str(network.get("currency_symbol") or "ETH"),
    )


def _currency_symbol(session: WalletSession) -> str:
    return str((session.network or {}).get("currency_symbol") or "ETH")


# --- sessions -----------------------------------------------------------------------------------------------
def session_open(*, session_id: str, worker: str) -> Outcome:
    outcome: list[str] = []
    with log_context(session_id=session_id, component="worker"), _timed("session_open", outcome):
        if not services.session_claim(session_id=session_id, worker=worker):
            logger.info("session_open: session is not pending; nothing to do", extra=_LOG)
            outcome.append("skipped")
            return Outcome("skipped")
        session = WalletSession.objects.select_related("wallet").get(id=session_id)
        wallet = session.wallet
        browser = registry.create(session.id)
        seen: list[Displayed] = []
        try:
            result = _open_browser(session, browser, seen)
        except (AutomationError, StepFailed, SoftTimeLimitExceeded) as exc:
            registry.close(session.id)
            kind = getattr(exc, "kind", "timeout")
            services.session_mark_failed(
                session_id=session.id,
                error=_error_text(exc),
                error_kind=str(kind),
                artifact_path=getattr(exc, "artifact_path", None) or "",
            )
            if isinstance(exc, PolicyRejected):
                details: dict[str, Any] = {"action": "session_open", "reason": exc.reason}
                if seen:
                    details["shown"] = verification.shown_summary(seen[-1])
                services.security_event_record(
                    kind=SecurityEvent.Kind.POLICY_REJECTED,
                    actor=wallet.owner,
                    session=session,
                    details=details,
                )
            logger.warning("session_open failed: %s", kind, extra=_LOG)
            outcome.append("failed")
            return Outcome("failed", str(kind))
        except Exception as exc:
            # Not an automation error (e.g. a driver HTTP timeout under load). Only the type is kept: an
            # unexpected message could quote anything, and this step handled secrets.
            registry.close(session.id)
            services.session_mark_failed(
                session_id=session.id,
                error=f"unexpected {type(exc).__name__} while opening the session",
                error_kind="unexpected",
            )
            logger.warning("session_open failed: unexpected %s", type(exc).__name__, extra=_LOG)
            outcome.append("failed")
            return Outcome("failed", "unexpected")
        except BaseException:
            registry.close(session.id)
            raise
        accounts, chain_id = result
        if services.session_mark_ready(session_id=session.id, accounts=accounts, chain_id=chain_id):
            _set_gauges()
            logger.info("session ready on %s", worker, extra=_LOG)
            outcome.append("ready")
            return Outcome("ready")
        # Closed, expired or lost while opening: a close task follows only for `closing`.
        session.refresh_from_db(fields=["status"])
        if session.status != WalletSession.Status.CLOSING:
            registry.close(session.id)
        outcome.append("superseded")
        return Outcome("superseded", session.status)


def _open_browser(
    session: WalletSession, browser: WalletBrowser, seen: list[Displayed]
) -> tuple[list[str], int]:
    wallet = session.wallet
    with _step(session, "browser_start", "start"):
        browser.start()
    with _step(session, "wallet_ready", "ensure_wallet"):
        secrets = services.wallet_secrets(wallet=wallet)
        address = browser.ensure_wallet(mnemonic=secrets.mnemonic, password=secrets.password)
        del secrets
        if address.lower() != wallet.address.lower():
            raise StepFailed(
                f"MetaMask imported {address}, but the wallet's address is {wallet.address}",
                kind="address_mismatch",
            )
    with _step(session, "dapp_open", "open_dapp"):
        browser.open_dapp(session.dapp_url)
    origin = session.dapp_origin
    chain_id: int | None = None
    # Network first: on real MetaMask offline, connecting while Mainnet is selected made every later
    # eth_sendTransaction fail with "circuit breaker is open" (automation's driver suite found this).
    if session.network:
        spec = _network_spec(session.network)
        with _step(session, "network", "ensure_network"):
            chain_id = browser.ensure_network(
                spec,
                verify=verification.verifier(
                    DisplayedNetwork,
                    lambda shown: verification.network_reason(shown, dapp_origin=origin, network=spec),
                    seen,
                ),
            )
    with _step(session, "connect", "connect"):
        accounts = browser.connect(
            verify=verification.verifier(
                DisplayedConnect, lambda shown: verification.connect_reason(shown, dapp_origin=origin), seen
            )
        )
        if not accounts or accounts[0].lower() != wallet.address.lower():
            raise StepFailed(f"the dApp got accounts {accounts}, expected {wallet.address}", kind="account")
    if chain_id is None:
        chain_id = browser.chain_id()
    return accounts, chain_id


def session_close(*, session_id: str) -> Outcome:
    """Closes the browser. `closing` ends `closed`; a session already expired/lost only loses its browser."""
    outcome: list[str] = []
    with log_context(session_id=session_id, component="worker"), _timed("session_close", outcome):
        claimed = services.session_close_claim(session_id=session_id)
        had_browser = registry.close(session_id)
        _set_gauges()
        if claimed:
            services.session_mark_closed(session_id=session_id)
        logger.info("session_close: browser %s", "closed" if had_browser else "not here", extra=_LOG)
        outcome.append("closed" if claimed or had_browser else "skipped")
        return Outcome(outcome[0])


def _session_browser(session: WalletSession, *, worker: str) -> tuple[WalletBrowser | None, str]:
    """The session's browser in this process, or (None, why not); marks the session lost if it is missing."""
    if session.status != WalletSession.Status.READY:
        return None, f"session is {session.status}, not ready"
    browser = registry.get(session.id)
    if browser is None:
        services.session_mark_lost(
            session_id=session.id,
            error=f"the browser of this session is not running in worker {worker} (worker restarted?)",
            error_kind="browser_lost",
        )
        return None, "session lost: its browser is gone (worker restarted); open a new session"
    return browser, ""


def _maybe_restart(row: Any, browser: WalletBrowser) -> None:
    if browser.needs_restart():
        with _step(row, "browser_restart", "restart"):
            browser.restart()


# --- signatures ---------------------------------------------------------------------------------------------
def _signature_recovers(row: SignatureRequest, signature: str, address: str) -> bool:
    if row.method == SignatureRequest.Method.PERSONAL_SIGN:
        message = encode_defunct(text=str(row.payload))
    else:
        message = encode_typed_data(full_message=row.payload)
    try:
        return bool(Account.recover_message(message, signature=signature).lower() == address.lower())
    except Exception:  # a malformed signature is a mismatch too
        return False


def signature_execute(*, signature_id: str, worker: str) -> Outcome:
    outcome: list[str] = []
    row = SignatureRequest.objects.select_related("session__wallet__owner").get(id=signature_id)
    session = row.session
    with (
        log_context(session_id=str(session.id), component="worker"),
        _timed(f"signature_{row.method}", outcome),
    ):
        if not services.signature_request_claim(signature_id=row.id):
            row.refresh_from_db()
            if row.status == SignatureRequest.Status.RUNNING:
                # Redelivered after the worker died mid-request: signed or not is unknown; never retry.
                services.signature_mark_failed(
                    signature_id=row.id,
                    error="interrupted: the worker stopped while this request was running; not retried",
                    error_kind="interrupted",
                )
                outcome.append("interrupted")
                return Outcome("interrupted")
            logger.info("signature_execute: request is %s; nothing to do", row.status, extra=_LOG)
            outcome.append("skipped")
            return Outcome("skipped")
        browser, why = _session_browser(session, worker=worker)
        if browser is None:
            services.signature_mark_failed(signature_id=row.id, error=why, error_kind="session_unavailable")
            outcome.append("failed")
            return Outcome("failed", why)
        session.touch()
        result = _sign(row, session, browser)
        outcome.append(result.outcome)
        return result


def _sign(row: SignatureRequest, session: WalletSession, browser: WalletBrowser) -> Outcome:
    wallet = session.wallet
    origin = session.dapp_origin
    action = "personal_sign" if row.method == SignatureRequest.Method.PERSONAL_SIGN else "sign_typed_data_v4"
    seen: list[Displayed] = []
    try:
        _maybe_restart(row, browser)
        with _step(row, action, action):
            if row.method == SignatureRequest.Method.PERSONAL_SIGN:
                message = str(row.payload)
                signature = browser.personal_sign(
                    message,
                    address=wallet.address,
                    verify=verification.verifier(
                        DisplayedSignature,
                        lambda shown: verification.personal_sign_reason(
                            shown, message=message, dapp_origin=origin
                        ),
                        seen,
                    ),
                )
            else:
                typed = dict(row.payload)
                signature = browser.sign_typed_data_v4(
                    typed,
                    address=wallet.address,
                    verify=verification.verifier(
                        DisplayedSignature,
                        lambda shown: verification.typed_data_reason(
                            shown, typed_data=typed, dapp_origin=origin, own_addresses=[wallet.address]
                        ),
                        seen,
                    ),
                )
    except PolicyRejected as exc:
        services.signature_mark_rejected(
            signature_id=row.id,
            error=exc.reason,
            error_kind="policy_rejected",
            artifact_path=exc.artifact_path or "",
        )
        _security(SecurityEvent.Kind.POLICY_REJECTED, session, action, row.id, reason=exc.reason, seen=seen)
        return Outcome("rejected", "policy_rejected")
    except RequestRejected as exc:
        services.signature_mark_rejected(signature_id=row.id, error=str(exc), error_kind="user_rejected")
        _security(SecurityEvent.Kind.REQUEST_REJECTED, session, action, row.id, reason=str(exc))
        return Outcome("rejected", "user_rejected")
    except (AutomationError, SoftTimeLimitExceeded) as exc:
        kind = getattr(exc, "kind", "timeout")
        services.signature_mark_failed(
            signature_id=row.id,
            error=_error_text(exc),
            error_kind=str(kind),
            artifact_path=getattr(exc, "artifact_path", None) or "",
        )
        _security(SecurityEvent.Kind.SIGNING_FAILED, session, action, row.id, reason=str(kind))
        return Outcome("failed", str(kind))
    except Exception as exc:
        services.signature_mark_failed(
            signature_id=row.id, error=f"unexpected {type(exc).__name__}", error_kind="unexpected"
        )
        _security(SecurityEvent.Kind.SIGNING_FAILED, session, action, row.id, reason="unexpected")
        return Outcome("failed", "unexpected")
    # The dApp page could have changed the request between our call and MetaMask; the signature tells.
    if not _signature_recovers(row, signature, wallet.address):
        services.signature_mark_failed(
            signature_id=row.id,
            error="the signature returned does not sign the requested payload; it was discarded",
            error_kind="signature_mismatch",
        )
        _security(
            SecurityEvent.Kind.POLICY_REJECTED,
            session,
            action,
            row.id,
            reason="signature does not match the request",
            severity=SecurityEvent.Severity.CRITICAL,
        )
        return Outcome("failed", "signature_mismatch")
    services.signature_mark_signed(signature_id=row.id, signature=signature)
    return Outcome("signed")


def _security(
    kind: str,
    session: WalletSession,
    action: str,
    row_id: Any,
    *,
    reason: str,
    severity: str = SecurityEvent.Severity.WARNING,
    seen: list[Displayed] | None = None,
) -> None:
    details: dict[str, Any] = {"action": action, "request_id": str(row_id), "reason": reason[:500]}
    if seen:
        details["shown"] = verification.shown_summary(seen[-1])
    services.security_event_record(
        kind=kind, severity=severity, actor=session.wallet.owner, session=session, details=details
    )


# --- transactions -------------------------------------------------------------------------------------------
def transaction_execute(*, transaction_id: str, worker: str) -> Outcome:
    outcome: list[str] = []
    row = Transaction.objects.select_related("session__wallet__owner").get(id=transaction_id)
    session = row.session
    with log_context(session_id=str(session.id), component="worker"), _timed("transaction", outcome):
        if not services.transaction_claim(transaction_id=row.id):
            result = _transaction_redelivered(row, worker=worker)
            outcome.append(result.outcome)
            return result
        browser, why = _session_browser(session, worker=worker)
        if browser is None:
            services.transaction_mark_failed(
                transaction_id=row.id, error=why, error_kind="session_unavailable"
            )
            outcome.append("failed")
            return Outcome("failed", why)
        session.touch()
        result = _send(row, session, browser)
        outcome.append(result.outcome)
        return result


def _transaction_redelivered(row: Transaction, *, worker: str) -> Outcome:
    """Never sends again. A submitted transaction still gets its receipt if its browser is here."""
    row.refresh_from_db()
    if row.status == Transaction.Status.RUNNING:
        services.transaction_mark_failed(
            transaction_id=row.id,
            error="interrupted: the worker stopped while sending; not resent (check the chain first)",
            error_kind="interrupted",
        )
        return Outcome("interrupted")
    if row.status == Transaction.Status.SUBMITTED:
        browser = registry.get(row.session_id)
        if browser is None:
            services.transaction_mark_failed(
                transaction_id=row.id,
                error=f"submitted as {row.tx_hash}, but the receipt could not be awaited (browser gone)",
                error_kind="receipt_unknown",
            )
            return Outcome("failed", "receipt_unknown")
        return _await_receipt(row, browser)
    logger.info("transaction_execute: transaction is %s; nothing to do", row.status, extra=_LOG)
    return Outcome("skipped")


def _send(row: Transaction, session: WalletSession, browser: WalletBrowser) -> Outcome:
    wallet = session.wallet
    origin = session.dapp_origin
    to, value_wei, symbol = row.to, int(row.value_wei), _currency_symbol(session)
    request = TxRequest(to=to, value_wei=value_wei, data=row.data or None, gas=row.gas)
    seen: list[Displayed] = []
    try:
        _maybe_restart(row, browser)
        with _step(row, "send_transaction", "send_transaction"):
            tx_hash = browser.send_transaction(
                request,
                sender=wallet.address,
                verify=verification.verifier(
                    DisplayedTransaction,
                    lambda shown: verification.transaction_reason(
                        shown, dapp_origin=origin, to=to, value_wei=value_wei, currency_symbol=symbol
                    ),
                    seen,
                ),
            )
    except PolicyRejected as exc:
        services.transaction_mark_rejected(
            transaction_id=row.id,
            error=exc.reason,
            error_kind="policy_rejected",
            artifact_path=exc.artifact_path or "",
        )
        _security(
            SecurityEvent.Kind.POLICY_REJECTED,
            session,
            "send_transaction",
            row.id,
            reason=exc.reason,
            seen=seen,
        )
        return Outcome("rejected", "policy_rejected")
    except RequestRejected as exc:
        services.transaction_mark_rejected(transaction_id=row.id, error=str(exc), error_kind="user_rejected")
        _security(SecurityEvent.Kind.REQUEST_REJECTED, session, "send_transaction", row.id, reason=str(exc))
        return Outcome("rejected", "user_rejected")
    except (AutomationError, SoftTimeLimitExceeded) as exc:
        kind = getattr(exc, "kind", "timeout")
        services.transaction_mark_failed(
            transaction_id=row.id,
            error=_error_text(exc),
            error_kind=str(kind),
            artifact_path=getattr(exc, "artifact_path", None) or "",
        )
        _security(SecurityEvent.Kind.SIGNING_FAILED, session, "send_transaction", row.id, reason=str(kind))
        return Outcome("failed", str(kind))
    except Exception as exc:
        # Whether MetaMask sent it is unknown: failed, never retried.
        services.transaction_mark_failed(
            transaction_id=row.id, error=f"unexpected {type(exc).__name__}", error_kind="unexpected"
        )
        _security(SecurityEvent.Kind.SIGNING_FAILED, session, "send_transaction", row.id, reason="unexpected")
        return Outcome("failed", "unexpected")
    # Persisted before waiting: if the worker dies now, the hash is known and nothing is ever resent.
    services.transaction_mark_submitted(transaction_id=row.id, tx_hash=tx_hash)
    row.tx_hash = tx_hash
    logger.info("transaction submitted: %s", tx_hash, extra=_LOG)
    return _await_receipt(row, browser)


def _await_receipt(row: Transaction, browser: WalletBrowser) -> Outcome:
    timeout = float(settings.TX_RECEIPT_TIMEOUT_SECONDS)
    try:
        with _step(row, "receipt", "wait_for_receipt"):
            receipt = browser.wait_for_receipt(row.tx_hash, timeout=timeout)
    except Exception as exc:
        kind = getattr(exc, "kind", "timeout" if isinstance(exc, SoftTimeLimitExceeded) else "unexpected")
        services.transaction_mark_failed(
            transaction_id=row.id,
            error=f"submitted as {row.tx_hash}; no receipt: {_error_text(exc)}",
            error_kind="receipt_" + str(kind),
            artifact_path=getattr(exc, "artifact_path", None) or "",
        )
        return Outcome("failed", "receipt_" + str(kind))
    services.transaction_mark_mined(
        transaction_id=row.id,
        block_number=receipt.block_number,
        receipt_status=receipt.status,
        gas_used=receipt.gas_used,
    )
    return Outcome("confirmed" if receipt.status == 1 else "reverted")


# --- cleanup (beat) -----------------------------------------------------------------------------------------
def sessions_cleanup() -> dict[str, int]:
    """Expires idle sessions (browser closed on their worker); marks sessions of dead workers lost."""
    from celery_app import app
    from wallets import dispatch
    from wallets.selectors import sessions_expired, sessions_on_dead_workers

    expired = 0
    for session in list(sessions_expired()):
        if services.session_mark_expired(session_id=session.id):
            expired += 1
            if session.worker:
                # Only the worker holding the browser can close it; a dead worker's queue message expires.
                app.send_task(
                    dispatch.TASK_SESSION_CLOSE,
                    args=[str(session.id)],
                    queue=dispatch.worker_queue(session.worker),
                    expires=300,
                )
            logger.info(
                "session_cleanup: expired",
                extra={**_LOG, "session_cleanup": "expired", "session_id": str(session.id)},
            )
    lost = 0
    stale = int(settings.WORKER_HEARTBEAT_STALE_SECONDS)
    for session in list(sessions_on_dead_workers()):
        if services.session_mark_lost(
            session_id=session.id,
            error=f"worker {session.worker or '?'} sent no heartbeat for over {stale}s; its browser is gone",
            error_kind="worker_lost",
        ):
            lost += 1
            logger.warning(
                "session_cleanup: lost",
                extra={
                    **_LOG,
                    "session_cleanup": "lost",
                    "session_id": str(session.id),
                    "worker": session.worker,
                },
            )
    logger.info(
        "session_cleanup: done",
        extra={**_LOG, "session_cleanup": "done", "expired": expired, "lost": lost},
    )
    return {"expired": expired, "lost": lost}
