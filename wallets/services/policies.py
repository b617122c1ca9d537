"""Wallet policies: staff edit them (admin, API), the worker applies them before asking MetaMask."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from wallets.audit import security_event_record
from wallets.exceptions import ValidationFailed
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
from wallets.policy import (
    NetworkAsk,
    Policy,
    SignatureAsk,
    TransactionAsk,
    network_decision,
    signature_decision,
    transaction_decision,
)
from wallets.services.transitions import transition_one
from wallets.validators import url_origin, validate_address

SELECTOR_RE = re.compile(r"0x[0-9a-fA-F]{8}")
# What counts against the rolling 24 h limit: everything that was or may have been sent.
SPENDING_STATUSES = (
    Transaction.Status.RUNNING,
    Transaction.Status.SUBMITTED,
    Transaction.Status.UNKNOWN,
    Transaction.Status.CONFIRMED,
    Transaction.Status.REVERTED,
)
AMOUNTS = ("max_value_wei_per_tx", "max_value_wei_per_24h", "max_permit_amount", "max_fee_per_gas_wei")


def _amount(name: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ValidationFailed(f"{name} must be a non-negative integer (wei) or null")
    if int(value) >= 2**256:
        raise ValidationFailed(f"{name} must be below 2**256")
    return Decimal(int(value))


def _list(name: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 100:
        raise ValidationFailed(f"{name} must be a list of at most 100 entries")
    return value


def policy_rules_clean(rules: dict[str, Any]) -> dict[str, Any]:
    """Validated and normalised rule values (unknown names refused)."""
    unknown = set(rules) - set(WalletPolicy.RULES)
    if unknown:
        raise ValidationFailed(f"unknown policy rules: {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    for name, value in rules.items():
        if name in AMOUNTS:
            clean[name] = _amount(name, value)
        elif name == "allowed_origins":
            origins = []
            for origin in _list(name, value):
                if not isinstance(origin, str) or not origin.startswith(("http://", "https://")):
                    raise ValidationFailed("allowed_origins takes http(s) origins")
                origins.append(url_origin(origin))
            clean[name] = origins
        elif name == "allowed_chain_ids":
            ids = _list(name, value)
            if not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids):
                raise ValidationFailed("allowed_chain_ids takes positive integers")
            clean[name] = ids
        elif name == "allowed_contracts":
            clean[name] = [validate_address(a) for a in _list(name, value)]
        elif name == "allowed_selectors":
            selectors = _list(name, value)
            if not all(isinstance(s, str) and SELECTOR_RE.fullmatch(s) for s in selectors):
                raise ValidationFailed('allowed_selectors takes 4-byte selectors like "0x095ea7b3"')
            clean[name] = [s.lower() for s in selectors]
    return clean


def _jsonable(rules: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in rules.items()}


def wallet_policy_update(
    *, wallet: Wallet, actor: Any, rules: dict[str, Any], ip: str | None = None
) -> WalletPolicy:
    """Sets the given rules (others keep their value) and records a policy_changed event with both states."""
    clean = policy_rules_clean(rules)
    with transaction.atomic():
        policy, _ = WalletPolicy.objects.select_for_update().get_or_create(wallet=wallet)
        before = policy.rules()
        for name, value in clean.items():
            setattr(policy, name, value)
        policy.save()
        wallet_policy_changed(policy=policy, actor=actor, before=before, ip=ip)
    return policy


def wallet_policy_changed(
    *, policy: WalletPolicy, actor: Any, before: dict[str, Any], ip: str | None = None
) -> None:
    after = policy.rules()
    if after == before:
        return
    security_event_record(
        kind=SecurityEvent.Kind.POLICY_CHANGED,
        severity=SecurityEvent.Severity.WARNING,
        actor=actor,
        wallet=policy.wallet,
        ip=ip,
        details={"before": _jsonable(before), "after": _jsonable(after)},
    )


def wallet_policy(*, wallet: Wallet) -> Policy:
    stored = WalletPolicy.objects.filter(wallet=wallet).first()
    return Policy.of(**stored.rules()) if stored else Policy()


def spent_24h(*, wallet: Wallet, exclude_id: Any) -> int:
    """The value the wallet sent or is sending in the last 24 h: its transactions, and what its dApp flows
    sent (found on chain, kept in each flow's result)."""
    since = timezone.now() - timedelta(hours=24)
    total = (
        Transaction.objects.filter(
            session__wallet=wallet, status__in=SPENDING_STATUSES, created_at__gte=since
        )
        .exclude(id=exclude_id)
        .aggregate(total=Sum("value_wei"))["total"]
    )
    flows = SessionCommand.objects.filter(session__wallet=wallet, kind="flow", created_at__gte=since).exclude(
        id=exclude_id
    )
    in_flows = sum(int((row.result or {}).get("value_sent_wei") or 0) for row in flows.only("result"))
    return int(total or 0) + in_flows


def transaction_policy_reason(*, row: Transaction) -> str | None:
    session: WalletSession = row.session
    ask = TransactionAsk(
        origin=session.dapp_origin,
        chain_id=session.chain_id,
        to=row.to,
        value_wei=int(row.value_wei),
        data=row.data,
        spent_24h_wei=spent_24h(wallet=session.wallet, exclude_id=row.id),
        max_fee_per_gas=None if row.max_fee_per_gas_wei is None else int(row.max_fee_per_gas_wei),
    )
    return transaction_decision(wallet_policy(wallet=session.wallet), ask)


def signature_policy_reason(*, row: SignatureRequest) -> str | None:
    session: WalletSession = row.session
    typed = dict(row.payload) if row.method == SignatureRequest.Method.SIGN_TYPED_DATA_V4 else None
    ask = SignatureAsk(
        origin=session.dapp_origin, chain_id=session.chain_id, method=row.method, typed_data=typed
    )
    return signature_decision(wallet_policy(wallet=session.wallet), ask)


def network_change_policy_reason(*, row: NetworkChange) -> str | None:
    session: WalletSession = row.session
    ask = NetworkAsk(origin=session.dapp_origin, chain_id=int(row.network["chain_id"]))
    return network_decision(wallet_policy(wallet=session.wallet), ask)


def operation_mark_blocked(
    *, row: SignatureRequest | Transaction | NetworkChange, reason: str, action: str
) -> bool:
    """Ends the row `blocked` and records policy_blocked; nothing was asked of MetaMask."""
    moved = transition_one(
        type(row),
        row_id=row.id,
        to=type(row).Status.BLOCKED,
        error=reason[:2000],
        error_kind="policy_blocked",
    )
    if moved:
        security_event_record(
            kind=SecurityEvent.Kind.POLICY_BLOCKED,
            severity=SecurityEvent.Severity.WARNING,
            actor=row.session.wallet.owner,
            session=row.session,
            details={"action": action, "request_id": str(row.id), "reason": reason[:500]},
        )
    return moved
