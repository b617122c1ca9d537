"""`manage.py export_evidence`: what a window holds goes in, with checksums; a canary wallet's secrets never
do, not even where a log line or artifact carried them."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.factories import (
    NetworkChangeFactory,
    SessionCommandFactory,
    SignatureRequestFactory,
    TransactionFactory,
    WalletFactory,
    WalletSessionFactory,
)
from tests.support.canary import Canary
from wallets import crypto
from wallets.audit import security_event_record
from wallets.models import SecurityEvent, WalletSession

pytestmark = pytest.mark.django_db


def _archive(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as archive:
        return {
            m.name.removeprefix("evidence/"): archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
        }


def _jsonl(content: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in content.decode().splitlines()]


@pytest.fixture
def canary_session(tmp_path: Path) -> tuple[Canary, WalletSession]:
    canary = Canary()
    wallet = WalletFactory.create(
        mnemonic=canary.mnemonic, encrypted_password=crypto.encrypt(canary.password)
    )
    assert wallet.address == canary.address
    return canary, WalletSessionFactory.create(wallet=wallet)


def test_a_window_is_exported_with_checksums_and_no_secret_even_where_one_leaked(
    tmp_path: Path, canary_session: tuple[Canary, WalletSession]
) -> None:
    canary, session = canary_session
    now = timezone.now()
    artifacts = tmp_path / "artifacts"
    failure = artifacts / "20261202T101010-sign-abc123"
    failure.mkdir(parents=True)
    # A DOM dump that (against every rule) holds the password and three words of the phrase.
    (failure / "page.html").write_text(
        f"<p>{canary.password}</p><p>{' '.join(canary.words[3:6])}</p><p>Confirm</p>", encoding="utf-8"
    )
    (failure / "screenshot.png").write_bytes(b"\x89PNG fake")
    signature = SignatureRequestFactory.create(session=session, artifact_path=str(failure), status="failed")
    transaction = TransactionFactory.create(session=session, tx_hash="0x" + "ab" * 32, status="confirmed")
    change = NetworkChangeFactory.create(session=session, status="switched", chain_id=31390)
    command = SessionCommandFactory.create(
        session=session, status="done", result={"locked": True, "was_locked": False}
    )
    inside = security_event_record(
        kind=SecurityEvent.Kind.POLICY_REJECTED, session=session, details={"reason": "recipient differs"}
    )
    security_event_record(kind=SecurityEvent.Kind.AUTH_FAILED, details={"leak": canary.mnemonic})
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.AUTH_FAILED, created_at=now - timedelta(days=3))
    log = tmp_path / "worker.log"
    lines = [
        {"ts": (now - timedelta(days=2)).isoformat(), "message": "too old", "session_id": str(session.id)},
        {"ts": now.isoformat(), "message": "approving signature", "session_id": str(session.id)},
        {"ts": now.isoformat(), "message": f"oops 0x{canary.private_key}", "session_id": str(session.id)},
    ]
    log.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot a log line\n", encoding="utf-8")

    out = tmp_path / "evidence.tar.gz"
    stdout, stderr = io.StringIO(), io.StringIO()
    with override_settings(ARTIFACTS_DIR=str(artifacts)):
        call_command(
            "export_evidence",
            "--since",
            (now - timedelta(hours=1)).isoformat(),
            "--logs",
            str(log),
            "--out",
            str(out),
            stdout=stdout,
            stderr=stderr,
        )
    files = _archive(out)
    manifest = json.loads(files.pop("manifest.json"))
    assert set(files) == set(manifest["files"])
    for name, content in files.items():
        assert manifest["files"][name] == {
            "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        assert canary.leaks(content.decode("utf-8", "replace")) == [], name
    # Four leaks were planted: the password and three words in the DOM dump, the phrase in an event's
    # details, the private key in a log line. Each was replaced and counted, and the operator is told.
    assert manifest["redactions"] == 4
    assert "treat as a leak" in stderr.getvalue()
    assert "[redacted]" in files["artifacts/20261202T101010-sign-abc123/page.html"].decode()

    events = _jsonl(files["security_events.jsonl"])
    assert {e["id"] for e in events} >= {str(inside.id)}
    assert all(parse_datetime(e["created_at"]) >= now - timedelta(hours=1) for e in events)  # type: ignore[operator]
    assert [s["id"] for s in _jsonl(files["sessions.jsonl"])] == [str(session.id)]
    assert [w["address"] for w in _jsonl(files["wallets.jsonl"])] == [canary.address]
    assert not any(k.startswith("encrypted") for w in _jsonl(files["wallets.jsonl"]) for k in w)
    assert [s["id"] for s in _jsonl(files["signature_requests.jsonl"])] == [str(signature.id)]
    assert [t["tx_hash"] for t in _jsonl(files["transactions.jsonl"])] == [transaction.tx_hash]
    assert [t["network"] for t in _jsonl(files["transactions.jsonl"])] == [session.network]
    assert [(c["id"], c["chain_id"]) for c in _jsonl(files["network_changes.jsonl"])] == [
        (str(change.id), 31390)
    ]
    assert manifest["counts"]["network_changes"] == 1
    assert [(c["id"], c["kind"], c["result"]) for c in _jsonl(files["session_commands.jsonl"])] == [
        (str(command.id), "lock", {"locked": True, "was_locked": False})
    ]
    assert manifest["counts"]["session_commands"] == 1
    assert files["artifacts/20261202T101010-sign-abc123/screenshot.png"] == b"\x89PNG fake"
    logged = files["logs/worker.log"].decode().splitlines()
    assert [json.loads(line)["message"] for line in logged] == ["approving signature", "oops [redacted]"]
    assert manifest["counts"]["log_lines"] == 2
    assert out.stat().st_mode & 0o777 == 0o600


def test_a_session_filter_keeps_only_that_sessions_material(
    tmp_path: Path, canary_session: tuple[Canary, WalletSession]
) -> None:
    _canary, session = canary_session
    other = WalletSessionFactory.create()
    security_event_record(kind=SecurityEvent.Kind.POLICY_REJECTED, session=session)
    security_event_record(kind=SecurityEvent.Kind.POLICY_REJECTED, session=other)
    log = tmp_path / "api.log"
    stamp = timezone.now().isoformat()
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    log.write_text(
        json.dumps({"ts": stamp, "session_id": str(session.id)})
        + "\n"
        + json.dumps({"ts": stamp, "session_id": str(other.id)})
        + "\n"
        + f"[{a_minute_ago:%Y-%m-%d %H:%M:%S},123: ERROR/MainProcess] lost {session.id}\n",
        encoding="utf-8",
    )
    out = tmp_path / "one.tar.gz"
    call_command(
        "export_evidence",
        "--since",
        "2000-01-01T00:00",
        "--session",
        str(session.id),
        "--logs",
        str(log),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    files = _archive(out)
    assert [e["session_id"] for e in _jsonl(files["security_events.jsonl"])] == [str(session.id)]
    assert [s["id"] for s in _jsonl(files["sessions.jsonl"])] == [str(session.id)]
    kept = files["logs/api.log"].decode().splitlines()
    assert len(kept) == 2
    assert all(str(session.id) in line for line in kept)
    assert json.loads(files["manifest.json"])["redactions"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "not an ISO 8601"),
        (["--since", "2026-12-02T10:00", "--until", "2026-12-01T10:00"], "before --since"),
        (["--since", "2026-12-02T10:00", "--logs", "/nonexistent.log"], "no such log file"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "never.tar.gz"
    with pytest.raises(CommandError, match=message):
        call_command("export_evidence", *args, "--out", str(out))
    assert not out.exists()
