"""Evidence export for incident response (`manage.py export_evidence`, docs/operations.md).

One gzipped tar holds, for a time window (and optionally some sessions): the security events, the sessions
and their wallets and policies, the signature requests, transactions and network changes, their failure
artifacts, and the matching lines of the log files given, plus a manifest with each file's size and SHA-256.

Secrets never go in, by two separate means. Rows are written from an allow-list of fields (no encrypted_*
field is ever read). Then every file, rows, artifacts and log lines alike, is scrubbed of the secrets of
the wallets in scope: their recovery phrase (whole, or any three of its words in order, whatever separates
them), their MetaMask password and the private key of their first account. Those are decrypted here, in
memory only, for that comparison. A log line or artifact that carried one (it never should) is exported
with it replaced by ``[redacted]``, and the manifest counts the redactions, so a leak is both contained and
reported.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wallets import crypto
from wallets.artifacts import ArtifactNotFound, artifact_resolve
from wallets.models import (
    NetworkChange,
    SecurityEvent,
    SessionCommand,
    SignatureRequest,
    Transaction,
    Wallet,
    WalletPolicy,
    WalletSession,
)

REDACTED = "[redacted]"
# Celery's own lines: "[2026-12-02 16:19:03,685: ERROR/MainProcess] ...".
_CELERY_TS = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}):")
_MAX_ARTIFACT_BYTES = 20 * 2**20


@dataclass(frozen=True)
class Scope:
    since: datetime
    until: datetime
    session_ids: frozenset[str] = frozenset()  # empty: every session in the window

    def covers(self, when: datetime | None) -> bool:
        return when is not None and self.since <= when <= self.until


@dataclass
class Scrubber:
    """Replaces the secrets of the wallets in scope wherever they occur."""

    patterns: list[re.Pattern[str]] = field(default_factory=list)
    redactions: int = 0

    @classmethod
    def for_wallets(cls, wallets: Iterable[Wallet]) -> Scrubber:
        from eth_account import Account

        Account.enable_unaudited_hdwallet_features()
        scrubber = cls()
        for wallet in wallets:
            mnemonic = crypto.decrypt(wallet.encrypted_mnemonic)
            words = mnemonic.split()
            scrubber.patterns.append(re.compile(re.escape(mnemonic)))
            for i in range(len(words) - 2):
                run = r"\W{1,6}".join(map(re.escape, words[i : i + 3]))
                scrubber.patterns.append(re.compile(r"\b" + run + r"\b"))
            scrubber.patterns.append(re.compile(re.escape(crypto.decrypt(wallet.encrypted_password))))
            key = (
                Account.from_mnemonic(mnemonic, account_path="m/44'/60'/0'/0/0").key.hex().removeprefix("0x")
            )
            scrubber.patterns.append(re.compile(r"(?i)(0x)?" + re.escape(key)))
        return scrubber

    def text(self, value: str) -> str:
        for pattern in self.patterns:
            value, n = pattern.subn(REDACTED, value)
            self.redactions += n
        return value

    def data(self, raw: bytes) -> bytes:
        return self.text(raw.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


# ---- what is exported ----------------------------------------------------------------------------------
_SESSION_FIELDS = (
    "id", "wallet_id", "dapp_url", "dapp_origin", "network", "status", "worker", "metamask_version",
    "accounts", "chain_id", "progress", "error", "error_kind", "artifact_path", "created_at", "opened_at",
    "last_activity_at", "expires_at", "closed_at",
)  # fmt: skip
_OPERATION_FIELDS = (
    "id", "session_id", "status", "error", "error_kind", "artifact_path", "task_id", "progress", "attempts",
    "created_at", "updated_at", "claimed_at", "finished_at",
)  # fmt: skip
_SIGNATURE_FIELDS = (*_OPERATION_FIELDS, "method", "payload", "signature")
_NETWORK_CHANGE_FIELDS = (*_OPERATION_FIELDS, "network", "chain_id")
_COMMAND_FIELDS = (*_OPERATION_FIELDS, "kind", "params", "result")
_TRANSACTION_FIELDS = (
    *_OPERATION_FIELDS, "to", "value_wei", "data", "gas", "max_fee_per_gas_wei",
    "max_priority_fee_per_gas_wei", "network", "nonce", "tx_hash", "block_number", "receipt_status",
    "gas_used", "submitted_at",
)  # fmt: skip
_EVENT_FIELDS = (
    "id", "kind", "severity", "actor_id", "actor_repr", "wallet_id", "session_id", "ip", "details",
    "created_at",
)  # fmt: skip
_WALLET_FIELDS = ("id", "owner_id", "label", "address", "created_at")  # never encrypted_*


def _rows(queryset: QuerySet[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    present = {f.attname for f in queryset.model._meta.concrete_fields}
    wanted = [name for name in fields if name in present]
    return list(queryset.values(*wanted))


def _jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, default=str, sort_keys=True) + "\n" for row in rows).encode()


def _sessions(scope: Scope) -> QuerySet[WalletSession]:
    if scope.session_ids:
        return WalletSession.objects.filter(id__in=scope.session_ids)
    # Every session alive at some moment of the window.
    return WalletSession.objects.filter(created_at__lte=scope.until).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=scope.since)
    )


def _events(scope: Scope) -> QuerySet[SecurityEvent]:
    events = SecurityEvent.objects.filter(created_at__gte=scope.since, created_at__lte=scope.until)
    if scope.session_ids:
        events = events.filter(session_id__in=scope.session_ids)
    return events.order_by("created_at")


def _operations(model: type[Model], session_ids: list[Any], scope: Scope) -> QuerySet[Any]:
    return model._default_manager.filter(
        session_id__in=session_ids, created_at__gte=scope.since, created_at__lte=scope.until
    ).order_by("created_at")


def _line_time(line: str) -> datetime | None:
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        stamp = record.get("ts") if isinstance(record, dict) else None
        return parse_datetime(stamp) if isinstance(stamp, str) else None
    match = _CELERY_TS.match(line)
    if match is None:
        return None
    naive = datetime.fromisoformat(f"{match[1]}.{match[2]}")
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _log_lines(paths: Iterable[Path], scope: Scope, session_ids: set[str]) -> Iterator[tuple[str, str]]:
    """(file name, line) of each line in the window; with sessions named, only lines that name one."""
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if not scope.covers(_line_time(line)):
                    continue
                if scope.session_ids and not any(sid in line for sid in session_ids):
                    continue
                yield path.name, line


def _artifact_files(stored_paths: Iterable[str]) -> Iterator[tuple[str, Path]]:
    seen: set[Path] = set()
    for stored in stored_paths:
        try:
            root = artifact_resolve(stored_path=stored)
        except ArtifactNotFound:
            continue
        for path in sorted(root.rglob("*") if root.is_dir() else [root]):
            if path.is_file() and path not in seen and path.stat().st_size <= _MAX_ARTIFACT_BYTES:
                seen.add(path)
                yield f"artifacts/{root.name}/{path.relative_to(root) if root.is_dir() else path.name}", path


def export_evidence(out: Path, scope: Scope, *, log_paths: Iterable[Path] = ()) -> dict[str, Any]:
    """Writes the archive to ``out`` and returns its manifest (also inside, as manifest.json)."""
    sessions = _sessions(scope)
    session_rows = _rows(sessions, _SESSION_FIELDS)
    session_ids = [row["id"] for row in session_rows]
    events = _events(scope)
    event_rows = _rows(events, _EVENT_FIELDS)
    wallet_ids = {row["wallet_id"] for row in session_rows} | {
        row["wallet_id"] for row in event_rows if row["wallet_id"]
    }
    wallets = Wallet.objects.filter(id__in=wallet_ids)
    signatures = _rows(_operations(SignatureRequest, session_ids, scope), _SIGNATURE_FIELDS)
    transactions = _rows(_operations(Transaction, session_ids, scope), _TRANSACTION_FIELDS)
    network_changes = _rows(_operations(NetworkChange, session_ids, scope), _NETWORK_CHANGE_FIELDS)
    commands = _rows(_operations(SessionCommand, session_ids, scope), _COMMAND_FIELDS)
    policies: list[dict[str, Any]] = [
        dict(p) for p in WalletPolicy.objects.filter(wallet_id__in=wallet_ids).values()
    ]

    scrubber = Scrubber.for_wallets(wallets)
    files: dict[str, bytes] = {
        "security_events.jsonl": _jsonl(event_rows),
        "sessions.jsonl": _jsonl(session_rows),
        "wallets.jsonl": _jsonl(_rows(wallets, _WALLET_FIELDS)),
        "wallet_policies.jsonl": _jsonl(policies),
        "signature_requests.jsonl": _jsonl(signatures),
        "transactions.jsonl": _jsonl(transactions),
        "network_changes.jsonl": _jsonl(network_changes),
        "session_commands.jsonl": _jsonl(commands),
    }
    stored = [
        row["artifact_path"]
        for row in (*session_rows, *signatures, *transactions, *network_changes, *commands)
        if row["artifact_path"]
    ]
    for name, path in _artifact_files(stored):
        files[name] = path.read_bytes()
    logs: dict[str, list[str]] = {}
    for name, line in _log_lines(log_paths, scope, {str(s) for s in session_ids}):
        logs.setdefault(f"logs/{name}", []).append(line)
    files.update({name: "".join(lines).encode() for name, lines in logs.items()})

    files = {name: scrubber.data(content) for name, content in files.items()}
    manifest = {
        "created_at": timezone.now().isoformat(),
        "since": scope.since.isoformat(),
        "until": scope.until.isoformat(),
        "sessions_asked": sorted(scope.session_ids),
        "counts": {
            "security_events": len(event_rows),
            "sessions": len(session_rows),
            "signature_requests": len(signatures),
            "transactions": len(transactions),
            "network_changes": len(network_changes),
            "session_commands": len(commands),
            "log_lines": sum(len(lines) for lines in logs.values()),
        },
        "redactions": scrubber.redactions,
        "files": {
            name: {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            for name, content in sorted(files.items())
        },
    }
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"evidence/{name}")
            info.size = len(content)
            info.mtime = int(timezone.now().timestamp())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(content))
    out.chmod(0o600)
    return manifest
