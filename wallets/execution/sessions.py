"""Opening a wallet session in a browser, closing it, and the beat task that expires idle sessions and marks
sessions of dead workers lost."""

from __future__ import annotations

from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from automation import (
    AutomationError,
    DisplayedConnect,
    PolicyRejected,
    WalletBrowser,
)
from metamask_service.logging import log_context
from wallets import audit, services, verification
from wallets.execution.common import (
    LOG_EXTRA,
    Outcome,
    error_text,
    logger,
    network_spec,
    network_verifier,
    record_metamask_version,
    set_gauges,
    step,
    timed,
)
from wallets.models import SecurityEvent, WalletSession
from wallets.runtime import BrowserPool


class StepFailed(Exception):
    """A session-open step found something wrong that is not an automation error (e.g. wrong account)."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def session_open(*, session_id: str, worker: str, browsers: BrowserPool) -> Outcome:
    with log_context(session_id=session_id, component="worker"):
        return timed("session_open", lambda: _open(session_id, worker=worker, browsers=browsers))


def _open(session_id: str, *, worker: str, browsers: BrowserPool) -> Outcome:
    if not services.session_claim(session_id=session_id, worker=worker):
        logger.info("session_open: session is not pending; nothing to do", extra=LOG_EXTRA)
        return Outcome("skipped")
    session = WalletSession.objects.select_related("wallet").get(id=session_id)
    browser = browsers.acquire(session.id)
    try:
        result = _open_browser(session, browser)
    except (AutomationError, StepFailed, SoftTimeLimitExceeded) as exc:
        browsers.discard(session.id)
        return open_failed(session, exc)
    except Exception as exc:
        # Not an automation error (e.g. a driver HTTP timeout under load). Only the type is kept: an
        # unexpected message could quote anything, and this step handled secrets.
        browsers.discard(session.id)
        services.session_mark_failed(
            session_id=session.id,
            error=f"unexpected {type(exc).__name__} while opening the session",
            error_kind="unexpected",
        )
        logger.warning("session_open failed: unexpected %s", type(exc).__name__, extra=LOG_EXTRA)
        return Outcome("failed", "unexpected")
    except BaseException:
        browsers.discard(session.id)
        raise
    accounts, chain_id = result
    if services.session_mark_ready(session_id=session.id, accounts=accounts, chain_id=chain_id):
        set_gauges(browsers)
        logger.info("session ready on %s", worker, extra=LOG_EXTRA)
        return Outcome("ready")
    # Closed, expired or lost while opening: a close task follows only for `closing`.
    session.refresh_from_db(fields=["status"])
    if session.status != WalletSession.Status.CLOSING:
        browsers.release(session.id)
    return Outcome("superseded", session.status)


def open_failed(
    session: WalletSession,
    exc: AutomationError | StepFailed | SoftTimeLimitExceeded,
) -> Outcome:
    """Ends the session `failed` with the error's kind (a driver error's own, e.g.
    unsupported_metamask_version; `timeout` for the soft time limit), and records a policy rejection."""
    kind = str(getattr(exc, "kind", "timeout"))
    services.session_mark_failed(
        session_id=session.id,
        error=error_text(exc),
        error_kind=kind,
        artifact_path=getattr(exc, "artifact_path", None) or "",
    )
    if isinstance(exc, PolicyRejected):
        details: dict[str, Any] = {"action": "session_open", "reason": exc.reason}
        if exc.shown is not None:
            details["shown"] = verification.shown_summary(exc.shown)
        audit.security_event_record(
            kind=SecurityEvent.Kind.POLICY_REJECTED,
            actor=session.wallet.owner,
            session=session,
            details=details,
        )
    logger.warning("session_open failed: %s", kind, extra=LOG_EXTRA)
    return Outcome("failed", kind)


def _open_browser(session: WalletSession, browser: WalletBrowser) -> tuple[list[str], int]:
    wallet = session.wallet
    try:
        with step(session, "browser_start", "start"):
            browser.start()
    except Exception:
        # The driver reads the manifest before launching Chromium: a failed start still names the build.
        if browser.extension_version:
            services.session_set_metamask_version(session_id=session.id, version=browser.extension_version)
        raise
    record_metamask_version(session_id=session.id, browser=browser)
    with step(session, "wallet_ready", "ensure_wallet"):
        secrets = services.wallet_secrets(wallet=wallet)
        address = browser.ensure_wallet(mnemonic=secrets.mnemonic, password=secrets.password)
        del secrets
        if address.lower() != wallet.address.lower():
            raise StepFailed(
                f"MetaMask imported {address}, but the wallet's address is {wallet.address}",
                kind="address_mismatch",
            )
    with step(session, "dapp_open", "open_dapp"):
        browser.open_dapp(session.dapp_url)
    origin = session.dapp_origin
    chain_id: int | None = None
    # Network first: on real MetaMask offline, connecting while Mainnet is selected made every later
    # eth_sendTransaction fail with "circuit breaker is open" (automation's driver suite found this).
    if session.network:
        spec = network_spec(session.network)
        with step(session, "network", "ensure_network"):
            chain_id = browser.ensure_network(spec, verify=network_verifier(spec, dapp_origin=origin))
    with step(session, "connect", "connect"):
        accounts = browser.connect(
            verify=verification.verifier(
                DisplayedConnect, lambda shown: verification.connect_reason(shown, dapp_origin=origin)
            )
        )
        if not accounts or accounts[0].lower() != wallet.address.lower():
            raise StepFailed(f"the dApp got accounts {accounts}, expected {wallet.address}", kind="account")
    if chain_id is None:
        chain_id = browser.chain_id()
    return accounts, chain_id


def session_close(*, session_id: str, browsers: BrowserPool) -> Outcome:
    """Closes the browser. `closing` ends `closed`; a session already expired/lost only loses its browser."""
    with log_context(session_id=session_id, component="worker"):
        return timed("session_close", lambda: _close(session_id, browsers))


def _close(session_id: str, browsers: BrowserPool) -> Outcome:
    claimed = services.session_close_claim(session_id=session_id)
    had_browser = browsers.release(session_id)
    set_gauges(browsers)
    if claimed:
        services.session_mark_closed(session_id=session_id)
    logger.info("session_close: browser %s", "closed" if had_browser else "not here", extra=LOG_EXTRA)
    return Outcome("closed" if claimed or had_browser else "skipped")


def sessions_cleanup() -> dict[str, int]:
    """Expires idle sessions (browser closed on their worker); marks sessions of dead workers lost; purges
    old idempotency keys; sends again the tasks of requests still pending (execution/redispatch.py)."""
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
                extra={**LOG_EXTRA, "session_cleanup": "expired", "session_id": str(session.id)},
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
                    **LOG_EXTRA,
                    "session_cleanup": "lost",
                    "session_id": str(session.id),
                    "worker": session.worker,
                },
            )
    from wallets.api.idempotency import idempotency_keys_purge
    from wallets.execution.redispatch import pending_redispatch

    purged = idempotency_keys_purge()
    redispatched = pending_redispatch()
    logger.info(
        "session_cleanup: done",
        extra={
            **LOG_EXTRA,
            "session_cleanup": "done",
            "expired": expired,
            "lost": lost,
            "idempotency_keys_purged": purged,
            "redispatched": redispatched,
        },
    )
    return {"expired": expired, "lost": lost}
