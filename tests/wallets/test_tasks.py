"""Worker tasks and services on PostgreSQL, without a browser: claiming, redelivery, lost sessions, cleanup,
heartbeat, task options. (Browser paths run end to end in tests/e2e.)"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.test import override_settings
from django.utils import timezone

from automation import UnsupportedMetaMaskVersion
from celery_app import app
from tests.factories import (
    WORKER,
    BrowserWorkerFactory,
    NetworkChangeFactory,
    SessionCommandFactory,
    SignatureRequestFactory,
    TransactionFactory,
    WalletSessionFactory,
)
from wallets import dispatch, execution, runtime, services, worker
from wallets.execution.common import Operation, operation_failed
from wallets.execution.sessions import open_failed
from wallets.models import (
    BrowserWorker,
    NetworkChange,
    SecurityEvent,
    SessionCommand,
    SignatureRequest,
    Transaction,
    WalletPolicy,
    WalletSession,
)
from wallets.runtime import SessionBrowsers

pytestmark = pytest.mark.django_db
# Execution is handed its browsers; these tests never start one (no row reaches a browser).
BROWSERS = SessionBrowsers()


def open_session(session: WalletSession) -> str:
    return execution.session_open(session_id=str(session.id), worker=WORKER, browsers=BROWSERS).outcome


def sign(row: SignatureRequest) -> execution.Outcome:
    return execution.signature_execute(signature_id=str(row.id), worker=WORKER, browsers=BROWSERS)


def send(row: Transaction) -> str:
    return execution.transaction_execute(transaction_id=str(row.id), worker=WORKER, browsers=BROWSERS).outcome


def change_network(row: NetworkChange) -> execution.Outcome:
    return execution.network_change_execute(network_change_id=str(row.id), worker=WORKER, browsers=BROWSERS)


def command(row: SessionCommand) -> execution.Outcome:
    return execution.session_command_execute(command_id=str(row.id), worker=WORKER, browsers=BROWSERS)


@pytest.fixture
def published() -> Any:
    """Task messages sent during the test (routing and body), captured before they reach the broker."""
    sent: list[dict[str, Any]] = []

    def capture(sender: Any = None, body: Any = None, routing_key: Any = None, **_kw: Any) -> None:
        sent.append({"task": sender, "body": body, "routing_key": routing_key})

    before_task_publish.connect(capture, weak=False)
    yield sent
    before_task_publish.disconnect(capture)


def test_tasks_are_registered_with_late_ack_and_time_limits() -> None:
    import wallets.tasks  # noqa: F401

    for name in (
        dispatch.TASK_SESSION_OPEN,
        dispatch.TASK_SESSION_CLOSE,
        dispatch.TASK_SIGNATURE_EXECUTE,
        dispatch.TASK_TRANSACTION_EXECUTE,
        dispatch.TASK_NETWORK_CHANGE_EXECUTE,
        dispatch.TASK_SESSIONS_CLEANUP,
        dispatch.TASK_TRANSACTIONS_RECONCILE,
    ):
        task = app.tasks[name]
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert 0 < task.soft_time_limit < task.time_limit
    assert app.conf.worker_prefetch_multiplier == 1


def test_session_open_does_nothing_for_a_session_that_is_not_pending() -> None:
    session = WalletSessionFactory(status=WalletSession.Status.READY)
    assert open_session(session) == "skipped"
    session.refresh_from_db()
    assert session.status == WalletSession.Status.READY
    assert BROWSERS.get(session.id) is None


def test_finished_rows_are_never_executed_again() -> None:
    signed = SignatureRequestFactory(status=SignatureRequest.Status.SIGNED, signature="0xabc")
    confirmed = TransactionFactory(status=Transaction.Status.CONFIRMED, tx_hash="0x" + "1" * 64)
    assert sign(signed).outcome == "skipped"
    assert send(confirmed) == "skipped"
    signed.refresh_from_db()
    confirmed.refresh_from_db()
    assert (signed.status, signed.signature, signed.attempts) == ("signed", "0xabc", 0)
    assert (confirmed.status, confirmed.attempts) == ("confirmed", 0)


def test_a_running_transaction_redelivered_after_a_crash_is_unknown_not_resent() -> None:
    """Confirm may have been clicked before the crash: not failed (that invites a second send) but unknown,
    for reconciliation from the chain."""
    row = TransactionFactory(status=Transaction.Status.RUNNING, attempts=1)
    assert send(row) == "interrupted"
    row.refresh_from_db()
    assert (row.status, row.error_kind, row.attempts) == ("unknown", "interrupted", 1)


def test_a_submitted_transaction_without_an_rpc_keeps_its_hash_and_stays_unknown() -> None:
    tx_hash = "0x" + "ab" * 32
    session = WalletSessionFactory(network=None)
    submitted = Transaction.Status.SUBMITTED
    row = TransactionFactory(session=session, status=submitted, tx_hash=tx_hash, attempts=1)
    assert send(row) == "unknown"
    row.refresh_from_db()
    assert (row.status, row.error_kind, row.tx_hash) == ("unknown", "no_network", tx_hash)


def test_a_running_signature_redelivered_is_failed_not_signed_again() -> None:
    row = SignatureRequestFactory(status=SignatureRequest.Status.RUNNING, attempts=1)
    assert sign(row).outcome == "interrupted"
    row.refresh_from_db()
    assert (row.status, row.error_kind) == ("failed", "interrupted")


def test_an_operation_for_a_browser_not_in_this_process_loses_the_session() -> None:
    session = WalletSessionFactory()
    row = SignatureRequestFactory(session=session)
    queued = TransactionFactory(session=session)
    result = execution.signature_execute(signature_id=str(row.id), worker=WORKER, browsers=BROWSERS)
    assert result.outcome == "failed"
    row.refresh_from_db()
    session.refresh_from_db()
    queued.refresh_from_db()
    assert (row.status, row.error_kind) == ("failed", "session_unavailable")
    assert "worker restarted" in row.error
    assert (session.status, session.error_kind) == ("lost", "browser_lost")
    assert (queued.status, queued.error_kind) == ("failed", "session_lost")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_LOST, session=session).count() == 1


def test_a_network_change_without_its_browser_fails_and_fails_the_queued_changes() -> None:
    session = WalletSessionFactory()
    row, queued = NetworkChangeFactory(session=session), NetworkChangeFactory(session=session)
    assert change_network(row).outcome == "failed"
    row.refresh_from_db()
    queued.refresh_from_db()
    session.refresh_from_db()
    assert (row.status, row.error_kind) == ("failed", "session_unavailable")
    assert (queued.status, queued.error_kind) == ("failed", "session_lost")
    assert (session.status, session.network["chain_id"], session.chain_id) == ("lost", 31337, 31337)


def test_a_network_change_is_claimed_once_and_a_running_one_redelivered_is_failed() -> None:
    switched = NetworkChangeFactory(status=NetworkChange.Status.SWITCHED, chain_id=31390)
    running = NetworkChangeFactory(status=NetworkChange.Status.RUNNING, attempts=1)
    assert change_network(switched).outcome == "skipped"
    assert change_network(running).outcome == "interrupted"
    switched.refresh_from_db()
    running.refresh_from_db()
    assert (switched.status, switched.attempts) == ("switched", 0)
    assert (running.status, running.error_kind) == ("failed", "interrupted")


def test_a_network_change_to_a_chain_the_policy_does_not_allow_is_blocked_before_metamask() -> None:
    session = WalletSessionFactory()
    WalletPolicy.objects.create(wallet=session.wallet, allowed_chain_ids=[31337])
    row = NetworkChangeFactory(session=session)
    outcome = change_network(row)  # no browser in BROWSERS: reaching it would fail the row instead
    assert (outcome.outcome, outcome.detail) == ("blocked", "policy_blocked")
    row.refresh_from_db()
    session.refresh_from_db()
    assert (row.status, row.error_kind) == ("blocked", "policy_blocked")
    assert "chain 31390" in row.error
    assert (session.status, session.chain_id) == ("ready", 31337)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.POLICY_BLOCKED, session=session)
    assert event.details["action"] == "network_change"


def test_a_command_without_its_browser_fails_and_fails_the_queued_work() -> None:
    session = WalletSessionFactory()
    row = SessionCommandFactory(session=session)
    queued = SessionCommandFactory(session=session, kind="unlock")
    assert command(row).outcome == "failed"
    row.refresh_from_db()
    queued.refresh_from_db()
    session.refresh_from_db()
    assert (row.status, row.error_kind, row.result) == ("failed", "session_unavailable", {})
    assert (queued.status, queued.error_kind) == ("failed", "session_lost")
    assert session.status == "lost"
    # Nothing was signed or refused: a command's failure is not a security event (the lost session is).
    assert set(SecurityEvent.objects.values_list("kind", flat=True)) == {SecurityEvent.Kind.SESSION_LOST}


def test_a_command_is_claimed_once_and_a_running_one_redelivered_is_failed() -> None:
    done = SessionCommandFactory(status=SessionCommand.Status.DONE, result={"locked": True})
    running = SessionCommandFactory(status=SessionCommand.Status.RUNNING, attempts=1)
    assert command(done).outcome == "skipped"
    assert command(running).outcome == "interrupted"
    done.refresh_from_db()
    running.refresh_from_db()
    assert (done.status, done.attempts, done.result) == ("done", 0, {"locked": True})
    assert (running.status, running.error_kind) == ("failed", "interrupted")


def test_a_switch_moves_the_session_and_a_transaction_accepted_before_it_is_not_sent() -> None:
    """Accepted on chain 31337, run after the session moved to 31390 (its message was late): failed, never
    sent on either; one accepted after the switch is for 31390 and checked against its RPC."""
    session = WalletSessionFactory()
    before = services.transaction_request_create(
        user=session.wallet.owner, session_id=session.id, to=session.wallet.address, value_wei=1
    )
    row = NetworkChangeFactory(session=session)
    assert services.network_change_claim(network_change_id=row.id)
    assert services.network_change_mark_switched(network_change_id=row.id, chain_id=31390)
    assert not services.network_change_mark_switched(network_change_id=row.id, chain_id=31390)
    session.refresh_from_db()
    row.refresh_from_db()
    assert (row.status, row.chain_id) == ("switched", 31390)
    assert (session.network, session.chain_id) == (row.network, 31390)
    assert send(before) == "failed"
    before.refresh_from_db()
    assert (before.status, before.error_kind, before.nonce) == ("failed", "network_changed", None)
    after = services.transaction_request_create(
        user=session.wallet.owner, session_id=session.id, to=session.wallet.address, value_wei=1
    )
    assert after.network == row.network
    from wallets.execution.transactions import chain_of

    assert chain_of(before).rpc_url == "http://127.0.0.1:8545"  # type: ignore[union-attr]
    assert chain_of(after).rpc_url == "http://127.0.0.1:8546"  # type: ignore[union-attr]


def test_an_operation_on_a_closed_session_fails_without_touching_the_session() -> None:
    session = WalletSessionFactory(status=WalletSession.Status.CLOSED)
    row = TransactionFactory(session=session)
    assert send(row) == "failed"
    row.refresh_from_db()
    session.refresh_from_db()
    assert "closed" in row.error
    assert session.status == WalletSession.Status.CLOSED


def test_session_close_marks_a_closing_session_closed() -> None:
    session = WalletSessionFactory(status=WalletSession.Status.CLOSING)
    assert execution.session_close(session_id=str(session.id), browsers=BROWSERS).outcome == "closed"
    session.refresh_from_db()
    assert session.status == WalletSession.Status.CLOSED
    # Redelivered: nothing left to do.
    assert execution.session_close(session_id=str(session.id), browsers=BROWSERS).outcome == "skipped"


def test_cleanup_expires_idle_sessions_and_asks_their_worker_to_close_the_browser(
    published: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    BrowserWorkerFactory(hostname=WORKER, last_seen=timezone.now())
    idle = WalletSessionFactory(expires_at=timezone.now() - timedelta(seconds=1))
    fresh = WalletSessionFactory()
    caplog.set_level(logging.INFO, logger="wallets.execution")
    assert execution.sessions_cleanup() == {"expired": 1, "lost": 0}
    idle.refresh_from_db()
    fresh.refresh_from_db()
    assert idle.status == WalletSession.Status.EXPIRED
    assert fresh.status == WalletSession.Status.READY
    closes = [m for m in published if m["task"] == dispatch.TASK_SESSION_CLOSE]
    assert [(m["routing_key"], m["body"][0]) for m in closes] == [(f"browser.{WORKER}", [str(idle.id)])]
    assert any(getattr(r, "session_cleanup", None) == "expired" for r in caplog.records)
    # The close task then only stops the browser; the session stays expired.
    execution.session_close(session_id=str(idle.id), browsers=BROWSERS)
    idle.refresh_from_db()
    assert idle.status == WalletSession.Status.EXPIRED


def test_cleanup_marks_sessions_of_a_silent_worker_lost(caplog: pytest.LogCaptureFixture) -> None:
    BrowserWorkerFactory(hostname="dead@host", last_seen=timezone.now() - timedelta(minutes=5))
    BrowserWorkerFactory(hostname=WORKER, last_seen=timezone.now())
    orphan = WalletSessionFactory(worker="dead@host")
    alive = WalletSessionFactory(worker=WORKER)
    caplog.set_level(logging.INFO, logger="wallets.execution")
    assert execution.sessions_cleanup() == {"expired": 0, "lost": 1}
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert (orphan.status, orphan.error_kind) == ("lost", "worker_lost")
    assert "dead@host" in orphan.error
    assert "heartbeat" in orphan.error
    assert alive.status == WalletSession.Status.READY
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_LOST, session=orphan).exists()
    assert any(getattr(r, "session_cleanup", None) == "lost" for r in caplog.records)


def test_heartbeat_reports_this_workers_sessions() -> None:
    WalletSessionFactory(worker="hb@host")
    WalletSessionFactory(worker="hb@host", status=WalletSession.Status.CLOSED)
    WalletSessionFactory(worker="other@host")
    worker.beat_once("hb@host")
    row = BrowserWorker.objects.get(hostname="hb@host")
    assert (row.sessions_open, row.browsers_running, row.rss_bytes) == (1, 0, 0)
    assert row.is_live


def test_heartbeat_records_each_sessions_browser_memory(tmp_path: Any, settings: Any) -> None:
    """A browser is its session's by the profile in its argv; its memory counts its child processes too.
    Stand-in browser: a real process tree (a Python process with a child), named like the worker's."""
    import os
    import subprocess
    import sys

    import psutil

    from tests.support.polling import until

    settings.BROWSER_PROFILES_DIR = str(tmp_path)
    mine = WalletSessionFactory(worker="hb@host")
    without_browser = WalletSessionFactory(worker="hb@host", browser_rss_bytes=1)
    elsewhere = WalletSessionFactory(worker="other@host", browser_rss_bytes=5)
    marker = f"--user-data-dir={tmp_path.resolve()}/{runtime.profile_id(mine.id)}"
    child = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", child, marker])
    try:
        parent = psutil.Process(proc.pid)
        until("the stand-in browser's child", lambda: parent.children(), 10)
        found = runtime.browser_rss_by_session(os.getpid())
        assert set(found) == {str(mine.id)}
        assert found[str(mine.id)] > parent.memory_info().rss  # the child is counted as well
        memory = runtime.browser_memory(os.getpid())
        own_pss = parent.memory_full_info().pss
        # PSS splits shared pages: less than RSS, more than the parent's alone (its child counts).
        assert own_pss < memory.pss_by_session[str(mine.id)] < memory.rss_by_session[str(mine.id)]
        observed = _pss_samples()
        worker.beat_once("hb@host")
        assert _pss_samples() == observed + 1  # one session with a browser: one observation per beat
    finally:
        for p in [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]:
            p.kill()
        proc.wait()
    for row in (mine, without_browser, elsewhere):
        row.refresh_from_db()
    assert (mine.browser_rss_bytes or 0) > 0
    assert mine.browser_rss_at is not None
    assert (without_browser.browser_rss_bytes, without_browser.browser_rss_at) == (None, None)
    assert elsewhere.browser_rss_bytes == 5


def _pss_samples() -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("mm_session_browser_pss_bytes_count") or 0.0


@override_settings(
    METAMASK_EXTENSION_PATH="/ext",
    BROWSER_PROFILES_DIR="/profiles",
    ARTIFACTS_DIR="/artifacts",
    BROWSER_EXTRA_FLAGS=["--lang=en-US"],
    BROWSER_MAX_OPERATIONS=7,
    BROWSER_USE_UNDETECTED=True,
    METAMASK_DISABLE_NETWORK_FEATURES=False,
    BROWSER_LOOPBACK_ONLY=True,
)
def test_browser_config_comes_from_settings() -> None:
    config = runtime.browser_config()
    assert (config.extension_path, config.profiles_dir, config.artifacts_dir) == (
        "/ext",
        "/profiles",
        "/artifacts",
    )
    assert config.max_operations == 7
    assert config.use_undetected is True
    assert config.disable_network_features is False
    assert config.loopback_only is True
    assert config.effective_flags()[-1].startswith("--host-resolver-rules=MAP * ~NOTFOUND")
    assert "--lang=en-US" in config.chrome_flags
    assert "--disable-background-networking" in config.chrome_flags
    assert runtime.profile_dir("abc").as_posix() == "/profiles/session-abc"


def test_task_duration_is_observed_by_action_and_outcome() -> None:
    from wallets import metrics

    def count() -> float:
        for metric in metrics.task_duration_seconds.collect():
            for sample in metric.samples:
                labels = sample.labels
                if sample.name.endswith("_count") and labels == {
                    "action": "session_open",
                    "outcome": "skipped",
                }:
                    return float(sample.value)
        return 0.0

    before = count()
    session = WalletSessionFactory(status=WalletSession.Status.CLOSED)
    execution.session_open(session_id=str(session.id), worker=WORKER, browsers=BROWSERS)
    assert count() == before + 1


def test_session_open_failing_on_an_unknown_metamask_screen_names_version_and_screen() -> None:
    # What _open does with the driver's error once the browser raised it (no browser here).
    session = WalletSessionFactory(status=WalletSession.Status.OPENING, metamask_version="13.99.0")
    exc = UnsupportedMetaMaskVersion("13.99.0", "onboarding: no known first screen", artifact_path="s1/x")
    outcome = open_failed(session, exc)
    assert (outcome.outcome, outcome.detail) == ("failed", "unsupported_metamask_version")
    session.refresh_from_db()
    assert (session.status, session.error_kind, session.artifact_path) == (
        "failed",
        "unsupported_metamask_version",
        "s1/x",
    )
    assert "13.99.0" in session.error
    assert "onboarding: no known first screen" in session.error
    assert session.metamask_version == "13.99.0"
    assert not SecurityEvent.objects.filter(session=session).exists()


def test_an_operation_failing_on_an_unknown_metamask_screen_keeps_the_drivers_kind() -> None:
    row = SignatureRequestFactory(status=SignatureRequest.Status.RUNNING)
    op = Operation(
        row_id=row.id,
        session=row.session,
        action="personal_sign",
        mark_rejected=functools.partial(services.signature_mark_rejected, signature_id=row.id),
        mark_failed=functools.partial(services.signature_mark_failed, signature_id=row.id),
    )
    exc = UnsupportedMetaMaskVersion(None, "signature: unknown confirmation layout")
    assert operation_failed(op, exc).detail == "unsupported_metamask_version"
    row.refresh_from_db()
    assert (row.status, row.error_kind) == ("failed", "unsupported_metamask_version")
    assert "(unknown version)" in row.error
    assert "signature: unknown confirmation layout" in row.error
    event = SecurityEvent.objects.get(session=row.session, kind=SecurityEvent.Kind.SIGNING_FAILED)
    assert event.details["reason"] == "unsupported_metamask_version"


def test_a_command_that_fails_or_is_refused_ends_so_with_an_event_only_for_the_refusal() -> None:
    """Commands go through operation_failed like every operation; one that cannot sign records no
    signing_failed event when it fails, and the usual policy_rejected one when its screen is refused."""
    from automation import PolicyRejected

    rows = [SessionCommandFactory(status=SessionCommand.Status.RUNNING) for _ in range(3)]

    def op_for(row: SessionCommand) -> Operation:
        return Operation(
            row.id,
            row.session,
            row.kind,
            mark_rejected=functools.partial(services.session_command_mark_rejected, command_id=row.id),
            mark_failed=functools.partial(services.session_command_mark_failed, command_id=row.id),
            signs=False,
        )

    failed, unexpected, refused = rows
    assert operation_failed(op_for(failed), UnsupportedMetaMaskVersion(None, "x")).outcome == "failed"
    assert operation_failed(op_for(unexpected), KeyError("secret?")).detail == "unexpected"
    assert operation_failed(op_for(refused), PolicyRejected("not the token asked")).outcome == "rejected"
    for row in rows:
        row.refresh_from_db()
    assert (failed.status, failed.error_kind) == ("failed", "unsupported_metamask_version")
    assert (unexpected.status, unexpected.error) == ("failed", "unexpected KeyError")
    assert (refused.status, refused.error_kind) == ("rejected", "policy_rejected")
    kinds = list(SecurityEvent.objects.values_list("kind", "session_id"))
    assert kinds == [(SecurityEvent.Kind.POLICY_REJECTED, refused.session_id)]


SECOND_ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # the factory phrase's index 1


def test_an_operation_asked_before_a_switch_is_failed_without_asking_metamask() -> None:
    """A signature asked of the first account, run after the session switched to another: not run on the
    new one (its browser is never started here: nothing reaches MetaMask)."""
    session = WalletSessionFactory()
    row = services.signature_request_create(
        user=session.wallet.owner, session_id=session.id, method="personal_sign", payload="hello"
    )
    assert row.account == session.wallet.address
    services.session_set_account(session_id=session.id, account=SECOND_ACCOUNT, accounts=[])
    browsers = SessionBrowsers()
    browsers.acquire(session.id).address = SECOND_ACCOUNT
    outcome = execution.signature_execute(signature_id=str(row.id), worker=WORKER, browsers=browsers)
    row.refresh_from_db()
    assert (outcome.outcome, row.status, row.error_kind) == ("failed", "failed", "account_changed")
    assert "switched to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8" in row.error
    assert row.progress == []  # no step ran


def test_an_operation_is_not_run_while_metamask_holds_another_selection_than_the_session() -> None:
    """A switch that failed half-way left MetaMask on another account: nothing runs until a switch fixes it;
    the switch itself runs whatever the selection."""
    session = WalletSessionFactory()
    row = services.signature_request_create(
        user=session.wallet.owner, session_id=session.id, method="personal_sign", payload="hello"
    )
    browsers = SessionBrowsers()
    browsers.acquire(session.id).address = SECOND_ACCOUNT
    execution.signature_execute(signature_id=str(row.id), worker=WORKER, browsers=browsers)
    row.refresh_from_db()
    assert (row.status, row.error_kind) == ("failed", "account_changed")
    assert f"MetaMask has {SECOND_ACCOUNT} selected" in row.error
    from wallets.execution.common import _account_moved

    switch = services.session_command_create(
        user=session.wallet.owner,
        session_id=session.id,
        kind="switch_account",
        params={"address": session.wallet.address},
    )
    op = Operation(
        switch.id,
        switch.session,
        switch.kind,
        mark_rejected=lambda **_kw: True,
        mark_failed=lambda **_kw: True,
        account=switch.account,
        on_any_account=True,
    )
    browser = browsers.get(session.id)
    assert browser is not None
    assert _account_moved(op, browser) == ""
