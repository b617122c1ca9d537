"""Rows the API writes and the browser worker reads and updates.

Secrets (mnemonic, MetaMask password) are stored only as Fernet tokens (wallets/crypto.py) and are never part
of __str__/repr, admin pages or API output.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


def _default_ttl() -> int:
    return int(settings.SESSION_TTL_SECONDS)


class Wallet(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallets")
    label = models.CharField(max_length=100)
    address = models.CharField(max_length=42, help_text="EIP-55 checksummed account 0 (m/44'/60'/0'/0/0)")
    encrypted_mnemonic = models.TextField(editable=False)
    encrypted_password = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "address"], name="wallet_unique_address_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.address})"

    def __repr__(self) -> str:
        return f"<Wallet {self.id} {self.address}>"


class WalletAccount(models.Model):
    """An account of a wallet beyond its first (``Wallet.address``, the phrase's index 0): the phrase's
    account at ``hd_index``, or one imported from a private key (stored only as a Fernet token). MetaMask
    holds it once a session switched to it; a session whose MetaMask lacks it adds or imports it then."""

    class Kind(models.TextChoices):
        DERIVED = "derived"
        IMPORTED = "imported"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="extra_accounts")
    address = models.CharField(max_length=42, help_text="EIP-55 checksummed")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    hd_index = models.PositiveIntegerField(null=True, blank=True, help_text="m/44'/60'/0'/0/<index>")
    encrypted_private_key = models.TextField(editable=False, blank=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "address"], name="wallet_account_unique_address"),
            models.UniqueConstraint(fields=["wallet", "hd_index"], name="wallet_account_unique_index"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="derived", hd_index__isnull=False, encrypted_private_key="")
                    | (models.Q(kind="imported", hd_index__isnull=True) & ~models.Q(encrypted_private_key=""))
                ),
                name="wallet_account_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} account {self.address}"

    def __repr__(self) -> str:
        return f"<WalletAccount {self.id} {self.kind} {self.address}>"


class WalletPolicy(models.Model):
    """Limits on what a wallet may sign (wallets/policy.py decides). Empty lists / null: the rule is not
    set; a set rule denies what it does not list. Edited by staff only; every change is a security event."""

    wallet = models.OneToOneField(Wallet, on_delete=models.CASCADE, related_name="policy")
    allowed_origins = models.JSONField(default=list, blank=True, help_text='e.g. ["https://app.example"]')
    allowed_chain_ids = models.JSONField(default=list, blank=True, help_text="e.g. [1, 8453]")
    max_value_wei_per_tx = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    max_value_wei_per_24h = models.DecimalField(
        max_digits=78, decimal_places=0, null=True, blank=True, help_text="over submitted and confirmed"
    )
    allowed_contracts = models.JSONField(default=list, blank=True, help_text="addresses a call may go to")
    allowed_selectors = models.JSONField(default=list, blank=True, help_text='method selectors, "0x095ea7b3"')
    max_permit_amount = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    max_fee_per_gas_wei = models.DecimalField(
        max_digits=78,
        decimal_places=0,
        null=True,
        blank=True,
        help_text="transactions must set a fee cap <= this",
    )
    updated_at = models.DateTimeField(auto_now=True)

    RULES = (
        "allowed_origins",
        "allowed_chain_ids",
        "max_value_wei_per_tx",
        "max_value_wei_per_24h",
        "allowed_contracts",
        "allowed_selectors",
        "max_permit_amount",
        "max_fee_per_gas_wei",
    )

    def __str__(self) -> str:
        return f"policy of {self.wallet_id}"

    def rules(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.RULES}


class WalletSession(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        OPENING = "opening"
        READY = "ready"
        CLOSING = "closing"
        CLOSED = "closed"
        FAILED = "failed"
        LOST = "lost"
        EXPIRED = "expired"

    ACTIVE_STATUSES = (Status.PENDING, Status.OPENING, Status.READY, Status.CLOSING)
    FINAL_STATUSES = (Status.CLOSED, Status.FAILED, Status.LOST, Status.EXPIRED)
    # The one table of allowed moves: new status -> the statuses it may come from. Applied only by
    # wallets.services.transitions.transition(), as one conditional UPDATE.
    TRANSITIONS = {
        Status.OPENING: (Status.PENDING,),  # a worker claimed it
        Status.READY: (Status.OPENING,),
        Status.CLOSING: (Status.OPENING, Status.READY),  # close asked while a browser exists
        Status.FAILED: (Status.PENDING, Status.OPENING),
        Status.CLOSED: ACTIVE_STATUSES,  # from pending directly when no worker has picked it up
        Status.EXPIRED: ACTIVE_STATUSES,
        Status.LOST: ACTIVE_STATUSES,
    }
    METAMASK_VERSION_MAX_LENGTH = 32

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="sessions")
    dapp_url = models.CharField(max_length=2000, help_text="http(s) URL of the dApp page")
    dapp_origin = models.CharField(max_length=300)
    network = models.JSONField(
        null=True, blank=True, help_text="requested: chain_id, rpc_url, name, currency_symbol"
    )
    chain_id = models.BigIntegerField(
        null=True, blank=True, help_text="chain the dApp reports once connected"
    )
    accounts = models.JSONField(default=list, blank=True)
    account = models.CharField(
        max_length=42,
        blank=True,
        help_text="the account every action uses: MetaMask's selected one and the dApp's first "
        "(empty: the wallet's first account)",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=64, blank=True)
    artifact_path = models.CharField(max_length=500, blank=True)
    worker = models.CharField(max_length=255, blank=True, help_text="Celery hostname holding the browser")
    metamask_version = models.CharField(
        max_length=METAMASK_VERSION_MAX_LENGTH,
        blank=True,
        default="",
        help_text="`version` of the extension manifest the session's browser loaded (set when it starts)",
    )
    task_id = models.CharField(max_length=64, blank=True)
    progress = models.JSONField(default=list, blank=True)
    # The session's Chromium (browser process and its children), as its worker's heartbeat last measured it.
    browser_rss_bytes = models.BigIntegerField(null=True, blank=True)
    browser_rss_at = models.DateTimeField(null=True, blank=True)
    ttl_seconds = models.PositiveIntegerField(default=_default_ttl)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["worker", "status"], name="session_worker_status")]

    def __str__(self) -> str:
        return f"session {self.id} ({self.status})"

    def touch(self, *, now: Any = None, save: bool = True, unless_within: float = 0.0) -> None:
        """Sliding TTL: every use pushes expiry to now + ttl_seconds. ``unless_within``: nothing is written
        when the last use is fewer seconds ago (a session in steady use is then written once per that many
        seconds, not once per request: its expiry is at most that much earlier than exact)."""
        now = now or timezone.now()
        if (
            unless_within
            and self.last_activity_at
            and (now - self.last_activity_at).total_seconds() < unless_within
        ):
            return
        self.last_activity_at = now
        self.expires_at = now + timedelta(seconds=self.ttl_seconds)
        if save:
            self.save(update_fields=["last_activity_at", "expires_at"])

    @property
    def active_account(self) -> str:
        """The address every action of the session uses (a switch_account command changes it)."""
        return str(self.account or self.wallet.address)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class Operation(models.Model):
    """What a transaction and a signature request share: one browser task's bookkeeping.

    Each concrete model keeps its own status field, since their choices differ.
    """

    # The session's account when the operation was asked: it runs only while that is still the account.
    account = models.CharField(max_length=42, blank=True)
    error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=64, blank=True)
    artifact_path = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    progress = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class Transaction(Operation):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUBMITTED = "submitted"
        # Confirm may have been clicked but the outcome is not known (worker died mid-send, no receipt in
        # time, the page's hash is not on chain): never sent again; reconciled from the chain by hash, else
        # by the sender nonce recorded before sending (execution.transactions.transactions_reconcile).
        UNKNOWN = "unknown"
        CONFIRMED = "confirmed"
        REVERTED = "reverted"
        REJECTED = "rejected"
        BLOCKED = "blocked"  # refused by the wallet's policy before MetaMask was asked
        FAILED = "failed"

    FINAL_STATUSES = (Status.CONFIRMED, Status.REVERTED, Status.REJECTED, Status.BLOCKED, Status.FAILED)
    # new status -> the statuses it may come from (see WalletSession.TRANSITIONS)
    TRANSITIONS = {
        Status.RUNNING: (Status.PENDING,),  # a worker claimed it
        Status.SUBMITTED: (Status.RUNNING,),  # MetaMask returned a hash
        Status.UNKNOWN: (Status.RUNNING, Status.SUBMITTED),
        Status.CONFIRMED: (Status.RUNNING, Status.SUBMITTED, Status.UNKNOWN),
        Status.REVERTED: (Status.RUNNING, Status.SUBMITTED, Status.UNKNOWN),
        Status.REJECTED: (Status.PENDING, Status.RUNNING),  # never once a hash exists
        Status.BLOCKED: (Status.RUNNING,),  # decided before the request is fired
        # Only where nothing can have been sent: before Confirm, or the recorded nonce went to another tx.
        Status.FAILED: (Status.PENDING, Status.RUNNING, Status.UNKNOWN),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(WalletSession, on_delete=models.CASCADE, related_name="transactions")
    to = models.CharField(max_length=42)
    value_wei = models.DecimalField(max_digits=78, decimal_places=0, default=0)
    data = models.TextField(blank=True, help_text="0x-prefixed calldata")
    gas = models.BigIntegerField(null=True, blank=True)
    # EIP-1559 fee caps asked for (null: MetaMask chooses); the chain's transaction must carry exactly these.
    max_fee_per_gas_wei = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    max_priority_fee_per_gas_wei = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    tx_hash = models.CharField(max_length=66, blank=True, db_index=True)
    block_number = models.BigIntegerField(null=True, blank=True)
    receipt_status = models.PositiveSmallIntegerField(null=True, blank=True)
    gas_used = models.BigIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The sender's pending nonce read from the session's RPC just before the request was fired: the
    # transaction that consumes it is this row's (reconciliation when the hash is unknown or forged).
    nonce = models.BigIntegerField(null=True, blank=True)
    # The session's network when the request was accepted: the chain it is for, whose RPC checks and
    # reconciles it even after the session moved to another network (a NetworkChange).
    network = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"tx {self.id} ({self.status})"

    @property
    def sender(self) -> str:
        """The account it is sent from: the session's when it was asked (rows from before accounts: the
        wallet's first), whatever the session switched to since."""
        return str(self.account or self.session.wallet.address)


class SignatureRequest(Operation):
    class Method(models.TextChoices):
        PERSONAL_SIGN = "personal_sign"
        SIGN_TYPED_DATA_V4 = "eth_signTypedData_v4"
        SIGN_IN = "sign_in"  # Sign-In with Ethereum (EIP-4361): a personal_sign of the message built for it

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SIGNED = "signed"
        REJECTED = "rejected"
        BLOCKED = "blocked"  # refused by the wallet's policy before MetaMask was asked
        FAILED = "failed"

    FINAL_STATUSES = (Status.SIGNED, Status.REJECTED, Status.BLOCKED, Status.FAILED)
    # new status -> the statuses it may come from (see WalletSession.TRANSITIONS)
    TRANSITIONS = {
        Status.RUNNING: (Status.PENDING,),
        Status.SIGNED: (Status.RUNNING,),
        Status.REJECTED: (Status.PENDING, Status.RUNNING),
        Status.BLOCKED: (Status.RUNNING,),
        Status.FAILED: (Status.PENDING, Status.RUNNING),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(WalletSession, on_delete=models.CASCADE, related_name="signature_requests")
    method = models.CharField(max_length=32, choices=Method.choices)
    payload = models.JSONField(
        help_text="personal_sign: the message string; v4: the typed-data object; sign_in: the EIP-4361 text"
    )
    signature = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)

    def __str__(self) -> str:
        return f"{self.method} {self.id} ({self.status})"


class NetworkChange(Operation):
    """Add a network to MetaMask if it lacks it, and switch the session's dApp to it. Once switched, the
    session's network and chain id are the new ones: later transactions are checked against its RPC."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SWITCHED = "switched"
        REJECTED = "rejected"
        BLOCKED = "blocked"  # refused by the wallet's policy before MetaMask was asked
        FAILED = "failed"

    FINAL_STATUSES = (Status.SWITCHED, Status.REJECTED, Status.BLOCKED, Status.FAILED)
    # new status -> the statuses it may come from (see WalletSession.TRANSITIONS)
    TRANSITIONS = {
        Status.RUNNING: (Status.PENDING,),
        Status.SWITCHED: (Status.RUNNING,),
        Status.REJECTED: (Status.PENDING, Status.RUNNING),
        Status.BLOCKED: (Status.RUNNING,),
        Status.FAILED: (Status.PENDING, Status.RUNNING),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(WalletSession, on_delete=models.CASCADE, related_name="network_changes")
    network = models.JSONField(help_text="requested: chain_id, rpc_url, name, currency_symbol")
    chain_id = models.BigIntegerField(
        null=True, blank=True, help_text="chain MetaMask has selected for the dApp when the change ended"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)

    def __str__(self) -> str:
        return f"network change {self.id} ({self.status})"


class SessionCommand(Operation):
    """A wallet action on a ready session other than a signature or a transaction (lock, unlock, watch an
    asset): what the caller asked (``kind``, ``params``), what the worker found (``result``). Kinds are the
    registry's (wallets/commands/)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        REJECTED = "rejected"  # a MetaMask screen the command raised did not show what was asked
        FAILED = "failed"

    FINAL_STATUSES = (Status.DONE, Status.REJECTED, Status.FAILED)
    # new status -> the statuses it may come from (see WalletSession.TRANSITIONS)
    TRANSITIONS = {
        Status.RUNNING: (Status.PENDING,),
        Status.DONE: (Status.RUNNING,),
        Status.REJECTED: (Status.RUNNING,),
        Status.FAILED: (Status.PENDING, Status.RUNNING),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(WalletSession, on_delete=models.CASCADE, related_name="commands")
    kind = models.CharField(
        max_length=32, help_text="the command: lock, unlock, watch_asset or flow (a dApp flow)"
    )
    params = models.JSONField(default=dict, blank=True, help_text="the command's parameters (no secrets)")
    result = models.JSONField(default=dict, blank=True, help_text="what the worker found and did")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class SecurityEventQuerySet(models.QuerySet["SecurityEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("security events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("security events are append-only")


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        AUTH_FAILED = "auth_failed"
        TOKEN_INVALID = "token_invalid"  # noqa: S105
        TOKEN_EXPIRED = "token_expired"  # noqa: S105
        RATE_LIMITED = "rate_limited"
        OBJECT_ACCESS_DENIED = "object_access_denied"
        REQUEST_REJECTED = "request_rejected"
        POLICY_REJECTED = "policy_rejected"
        SIGNING_FAILED = "signing_failed"
        SESSION_LOST = "session_lost"
        KEY_ROTATED = "key_rotated"
        # The chain does not hold what the dApp page reported: a hash of another transaction, or none at all.
        CHAIN_MISMATCH = "chain_mismatch"
        POLICY_BLOCKED = "policy_blocked"  # the wallet's policy refused a request; nothing was signed
        POLICY_CHANGED = "policy_changed"  # staff changed a wallet's policy (details: before and after)
        ACCOUNT_IMPORTED = "account_imported"  # a private key was added to a wallet (details: its address)

    class Severity(models.TextChoices):
        INFO = "info"
        WARNING = "warning"
        CRITICAL = "critical"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.WARNING)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    wallet = models.ForeignKey(Wallet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    session = models.ForeignKey(
        WalletSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.severity}) at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("security events are append-only")
        kwargs["force_insert"] = True  # never an UPDATE, even if someone reuses an id
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("security events are append-only")


class BrowserWorker(models.Model):
    """Heartbeat row written by each browser worker (hostname = Celery node name)."""

    hostname = models.CharField(max_length=255, primary_key=True)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    sessions_open = models.PositiveIntegerField(default=0)
    browsers_running = models.PositiveIntegerField(default=0)
    rss_bytes = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname

    @property
    def is_live(self) -> bool:
        return self.last_seen >= timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a caller sent with a POST or DELETE that acts (wallets/api/idempotency.py):
    the request's fingerprint and, once it succeeded, its response, replayed for the same key and body."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # HMAC-SHA256 (keyed by SECRET_KEY) of method, path and canonical body: bodies can hold secrets, and a
    # plain hash of a weak password could be guessed.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)  # null while in progress
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.response_status or 'in progress'})"


class OutboxEvent(models.Model):
    """An operation or security event waiting to be published to Kafka (wallets/outbox.py), written in the
    same database transaction as the change it reports, so none is lost and none is reported that did not
    happen. Written only while KAFKA_BOOTSTRAP_SERVERS is set."""

    # Publication order: rows are published by id, and every event of one session carries that session as
    # its Kafka key (one partition), so a session's events arrive in the order they happened.
    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # consumers' idempotency key
    type = models.CharField(max_length=64)  # e.g. "transaction.status", "security_event"
    key = models.CharField(max_length=64, blank=True)  # the session's id (else the wallet's)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], name="outbox_unpublished", condition=models.Q(published_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.id} ({'published' if self.published_at else 'pending'})"
