"""flow: the dApp's own buttons, clicked on its page, and every MetaMask confirmation they raise checked
against what the caller expects (wallets/flows/) and the wallet's policy before it is approved.

The flow can sign and send: like a signature or a transaction it is never run twice (a flow interrupted
mid-run is failed). Its result is kept whether it ends done or failed: each step, each confirmation, the
transactions found on chain.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from wallets.commands.base import Command
from wallets.exceptions import NetworkRequired
from wallets.flows import EXPECTATIONS, FlowContext, clean_flow

if TYPE_CHECKING:
    from automation import Displayed, WalletBrowser
    from wallets.models import SessionCommand, WalletSession

RECEIPT_TIMEOUT = 30.0  # seconds in all for the session's RPC to show the approved transactions mined


class Flow(Command):
    kind = "flow"
    signs = True
    summary = (
        "Steps on the session's dApp page (navigate, click, fill, select, wait, read) and the MetaMask "
        "confirmations they are expected to raise; POST /sessions/{id}/flows/."
    )

    def clean(self, params: dict[str, Any]) -> dict[str, Any]:
        return clean_flow(params)

    def check_session(self, session: WalletSession, params: dict[str, Any]) -> None:
        # What a flow sends is read from the chain through the session's RPC.
        sends = any(e["kind"] == "transaction" and e["approve"] for e in params["expect"])
        if sends and not (session.network or {}).get("rpc_url"):
            raise NetworkRequired()

    def run(self, browser: WalletBrowser, row: SessionCommand) -> dict[str, Any]:
        # Here, not at import: the API imports the registry, and importing automation loads Selenium.
        from automation import Expectation, SpendingCap, Step
        from wallets.chain import chain_of_network
        from wallets.commands.flow_record import (
            FlowIncomplete,
            chain_sent,
            record_unapproved,
            session_context,
        )
        from wallets.flows.expectations import Network
        from wallets.flows.results import flow_result

        ctx = session_context(row)
        expect: list[dict[str, Any]] = row.params["expect"]
        chain = chain_of_network(row.session.network)

        def spending_cap(e: dict[str, Any]) -> SpendingCap | None:
            # MetaMask's cap field takes token units: the token's decimals, where it names its contract.
            if "amount" not in e:
                return None
            decimals = chain.erc20_decimals(e["to"]) if chain is not None and e.get("to") else None
            return SpendingCap(int(e["amount"]), decimals)

        expectations = [
            Expectation(
                kinds=EXPECTATIONS[e["kind"]].kinds,
                method=EXPECTATIONS[e["kind"]].method,
                verify=functools.partial(_verify, asked=e, ctx=ctx),
                approve=bool(e["approve"]),
                spending_cap=spending_cap(e),
            )
            for e in expect
        ]
        steps = [
            Step(
                action=s["action"],
                selector=s.get("selector", ""),
                text=s.get("text", ""),
                value=s.get("value", ""),
                path=s.get("path", ""),
                name=s.get("name", ""),
                timeout=float(s["timeout_seconds"]),
            )
            for s in row.params["steps"]
        ]
        address = row.session.active_account
        start_nonce = chain.nonce(address, "pending") if chain is not None else None
        outcome = browser.run_flow(steps, expectations, time_limit=float(row.params["time_limit_seconds"]))
        # The networks the flow switched MetaMask to, through their checked screens: the session's now.
        networks_met = []
        for i, e in enumerate(expect):
            if e["kind"] == Network.kind and e["approve"] and outcome.met[i]:
                browser.adopt_network(Network.spec(e), verify=expectations[i].verify)
                networks_met.append(e)
        approved = sum(
            1 for c in outcome.confirmations if c.decision == "approved" and c.kind == "transaction"
        )
        sent = []
        if chain is not None and start_nonce is not None:
            sent = chain_sent(chain, address, start_nonce, approved=approved, timeout=RECEIPT_TIMEOUT)
        result = flow_result(outcome, expect, address=address, sent=sent)
        record_unapproved(row, result, networks_met=networks_met)
        if not result["ok"]:
            raise FlowIncomplete(result)
        return result


def _verify(shown: Displayed, *, asked: dict[str, Any], ctx: FlowContext) -> str | None:
    reason = EXPECTATIONS[asked["kind"]].verify(shown, asked, ctx)
    if reason is None and asked["kind"] == "transaction" and asked["approve"]:
        # Counted as spent from here on (before the click: the policy's 24 h cap holds for the next one).
        from wallets import verification

        value, _ = verification.shown_amount(
            getattr(shown, "value_text", ""),
            exact_text=getattr(shown, "value_exact", None),
            currency_symbol=ctx.currency_symbol,
        )
        ctx.spent_24h_wei += int((value or 0) * verification.WEI_PER_ETH)
    return reason
