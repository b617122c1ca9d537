"""A flow's outcome as the caller reads it back: each step, each confirmation (what it showed, how it was
answered, and for an approved one its signature or its transaction on chain), and what is unmet."""

from __future__ import annotations

import re
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from automation import Confirmation, DisplayedSignature, FlowOutcome
from automation.metamask.approvals import SIGNATURE, TRANSACTION
from wallets import policy as P
from wallets import verification
from wallets.chain import ChainReceipt, ChainTransaction

Sent = tuple[ChainTransaction, ChainReceipt | None]  # a transaction as the session's RPC has it

_SIGNATURE_RE = re.compile(r"0x[0-9a-fA-F]{130}")


def flow_result(
    outcome: FlowOutcome, expect: list[dict[str, Any]], *, address: str, sent: list[Sent]
) -> dict[str, Any]:
    reads = {s.name: s.text for s in outcome.steps if s.name and s.text is not None}
    approved_txs = [c for c in outcome.confirmations if c.decision == "approved" and c.kind == TRANSACTION]
    # The chain's transactions from the account since the flow began, in nonce order: one per approval.
    queue = sorted(sent, key=lambda s: s[0].nonce)
    confirmations, mismatches = [], []
    for confirmation in outcome.confirmations:
        entry = _confirmation(confirmation, expect, reads, address)
        if confirmation.decision == "approved" and confirmation.kind == TRANSACTION and queue:
            on_chain = queue.pop(0)
            entry["transaction"] = _transaction(on_chain)
            if confirmation.expectation is not None and (
                reason := chain_mismatch(on_chain, expect[confirmation.expectation])
            ):
                mismatches.append(reason)
        confirmations.append(entry)
    unmet = [i for i, met in enumerate(outcome.met) if not met]
    error = str(outcome.error) if outcome.error is not None else None
    error_kind = outcome.error.kind if outcome.error is not None else "flow_expectation_unmet"
    if error is None and mismatches:
        error, error_kind = "; ".join(mismatches), "chain_mismatch"
    if error is None and unmet:
        error = "; ".join(f"expect[{i}] ({expect[i]['kind']}) was not met" for i in unmet)
        refused = [c["reason"] for c in confirmations if c["expectation"] is None and c["reason"]]
        if refused:
            error += "; refused: " + "; ".join(refused)[:1000]
    return {
        "ok": error is None,
        "error": error,
        "error_kind": error_kind if error else "",
        "chain_mismatches": mismatches,
        "steps": [s.as_dict() for s in outcome.steps],
        "reads": reads,
        "confirmations": confirmations,
        "unmet": unmet,
        "transactions": [_transaction(t) for t in sorted(sent, key=lambda s: s[0].nonce)],
        "unapproved_transactions": max(len(sent) - len(approved_txs), 0),
        "value_sent_wei": str(sum(tx.value_wei for tx, _ in sent)),
        "chain_id": outcome.chain_id,
    }


def _confirmation(
    confirmation: Confirmation, expect: list[dict[str, Any]], reads: dict[str, str], address: str
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": confirmation.kind,
        "decision": confirmation.decision,
        "expectation": confirmation.expectation,
        "reason": confirmation.reason,
        "changed": confirmation.changed,
        "shown": verification.shown_summary(confirmation.shown)
        if confirmation.shown is not None
        else {"text": confirmation.shown_text[:1000]},
    }
    index = confirmation.expectation
    if confirmation.decision == "approved" and confirmation.kind == SIGNATURE and index is not None:
        signature = signature_read(confirmation.shown, expect[index], reads, address)
        if signature:
            entry["signature"] = signature
    return entry


def signature_read(shown: Any, asked: dict[str, Any], reads: dict[str, str], address: str) -> str | None:
    """The signature among the flow's reads that recovers to the wallet's account over what was signed: the
    expected message (else the message as MetaMask showed it) of a personal_sign, the typed data of a
    typed_data expectation given in full. None when no read holds one that can be proven so."""
    if asked["kind"] == "personal_sign":
        text = asked.get("message") or (shown.text if isinstance(shown, DisplayedSignature) else "")
        signable = encode_defunct(text=text) if text else None
    elif asked["kind"] == "typed_data" and "typed_data" in asked:
        signable = encode_typed_data(full_message=asked["typed_data"])
    else:
        signable = None
    if signable is None:
        return None
    for value in reads.values():
        for candidate in _SIGNATURE_RE.findall(value):
            try:
                signer = Account.recover_message(signable, signature=candidate)
            except Exception:  # noqa: S112 - not a signature of this message: the next one is tried
                continue
            if signer.lower() == address.lower():
                return candidate
    return None


def chain_mismatch(sent: Sent, asked: dict[str, Any]) -> str | None:
    """The transaction as mined against its expectation: what the screen was checked for must also be
    what the chain holds (a contract creation's value, which 13.36 does not show, is checked here only)."""
    tx, _ = sent
    to, mined_to = asked.get("to"), tx.to or ""
    if (to or "").lower() != mined_to.lower():
        return (
            f"transaction {tx.tx_hash} went to {mined_to or 'a new contract'}, expected {to or 'a creation'}"
        )
    if tx.value_wei > int(asked["max_value_wei"]):
        return f"transaction {tx.tx_hash} carried {tx.value_wei} wei, above {asked['max_value_wei']}"
    selector = asked.get("selector")
    called = tx.data.lower()[:10] if tx.data not in ("", "0x") else None
    if to and called != selector:
        return f"transaction {tx.tx_hash} called {tx.data[:10]}, expected {selector or 'no calldata'}"
    if "spender" in asked:
        words = P.calldata_words(tx.data.lower())
        amount = words[1] if len(words) >= 2 else None
        if amount is None or words[0] != int(asked["spender"], 16):
            return f"transaction {tx.tx_hash} approves another spender than {asked['spender']}"
        if "amount" in asked and amount != int(asked["amount"]):
            return f"transaction {tx.tx_hash} approves {amount}, asked exactly {asked['amount']}"
        if "max_amount" in asked and amount > int(asked["max_amount"]):
            return f"transaction {tx.tx_hash} approves {amount}, above {asked['max_amount']}"
    return None


def _transaction(sent: Sent) -> dict[str, Any]:
    tx, receipt = sent
    return {
        "tx_hash": tx.tx_hash,
        "nonce": tx.nonce,
        "to": tx.to or "",
        "value_wei": str(tx.value_wei),
        "data": tx.data[:10] + ("..." if len(tx.data) > 10 else ""),
        "receipt": None
        if receipt is None
        else {"status": receipt.status, "block_number": receipt.block_number, "gas_used": receipt.gas_used},
    }
