"""A dApp flow: steps on the dApp's own page, and MetaMask's confirmations they raise, each judged by the
caller's expectations (automation/metamask/flow_run.py) while the steps run.

What the flow sent is read from the chain, not from the page: the transactions from the wallet's account
mined from the block the flow started at, each with its receipt (a hostile page can show any hash). What
it signed goes to the page; a read step brings it back, and the caller's side checks it against the wallet
and what was shown.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automation.errors import AutomationError
from automation.flow_steps import Step, StepResult, StepRunner
from automation.metamask.approvals import TRANSACTION
from automation.metamask.flow_run import Confirmation, Expectation, FlowWatch
from automation.models import Receipt
from automation.polling import wait_until

if TYPE_CHECKING:
    from automation.channel import ChannelPage
    from automation.dapp import DappPage
    from automation.metamask.driver import MetaMaskDriver

logger = logging.getLogger("automation.session")
_LOG = {"component": "browser_controller"}
# Seconds the approval tab must show nothing once every expectation is met: a confirmation that follows
# another (13.36's switch after an added network) is answered within the flow, not left pending.
_SETTLE = 0.6
_CHAIN_POLL = 0.25


class FlowLimitReached(AutomationError):
    kind = "flow_time_limit"


class FlowStepError(AutomationError):
    kind = "flow_step_failed"


@dataclass(frozen=True)
class SentTransaction:
    tx_hash: str
    nonce: int
    to: str  # "" for a contract creation
    value_wei: int
    data: str
    receipt: Receipt | None


@dataclass
class FlowOutcome:
    steps: list[StepResult] = field(default_factory=list)
    confirmations: list[Confirmation] = field(default_factory=list)
    met: list[bool] = field(default_factory=list)
    sent: list[SentTransaction] = field(default_factory=list)
    error: AutomationError | None = None  # what ended the flow early (a step, the origin, the time limit)
    chain_id: int | None = None  # the chain MetaMask has selected for the origin once the flow ended


class FlowRun:
    def __init__(
        self,
        mm: MetaMaskDriver,
        dapp: DappPage,
        channel: ChannelPage,
        *,
        origin: str,
        account: str,
        expectations: list[Expectation],
    ) -> None:
        self.mm = mm
        self.dapp = dapp
        self.channel = channel
        self.origin = origin
        self.account = account.lower()
        self.watch = FlowWatch(mm, expectations)

    def run(self, steps: list[Step], *, time_limit: float, receipt_timeout: float) -> FlowOutcome:
        mm, outcome = self.mm, FlowOutcome()
        mm.begin_approvals("left pending before a flow started")
        start_block = int(self.channel.call("eth_blockNumber"), 16)
        deadline = time.monotonic() + time_limit
        runner = StepRunner(self.dapp, self.origin, self.watch.tick)
        try:
            for index, step in enumerate(steps):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise FlowLimitReached(f"the flow's time limit ended before step {index}")
                result = runner.run(index, Step(**{**vars(step), "timeout": min(step.timeout, left)}))
                outcome.steps.append(result)
                if not result.ok:
                    raise FlowStepError(f"step {index} ({step.action}) failed: {result.error}")
            self._settle(deadline)
        except AutomationError as exc:
            if not isinstance(exc, (FlowLimitReached, FlowStepError)) and exc.kind != "flow_left_origin":
                raise
            outcome.error = exc
        finally:
            # Anything still pending was not answered within the flow: refused, not left for a later one.
            mm.reject_pending("left pending when the flow ended")
        outcome.confirmations = list(self.watch.confirmations)
        outcome.met = self.watch.met()
        approved_txs = sum(1 for c in self.watch.approved() if c.kind == TRANSACTION)
        outcome.sent = self._sent(start_block, approved_txs, receipt_timeout)
        outcome.chain_id = int(self.channel.call("eth_chainId"), 16)
        return outcome

    def _settle(self, deadline: float) -> None:
        """Watches the approval tab until every expectation is met and it has shown nothing for a moment;
        past the flow's time limit, the flow ends with what is met (the caller's side names the rest)."""
        quiet_since: list[float] = []

        def settled() -> bool:
            idle = self.watch.idle()  # one look, which answers what shows: before asking what is met
            if not idle or not all(self.watch.met()):
                quiet_since.clear()
                return False
            quiet_since[:] = quiet_since or [time.monotonic()]
            return time.monotonic() - quiet_since[0] >= _SETTLE

        left = max(deadline - time.monotonic(), 0.0)
        try:
            wait_until(
                "the expected confirmations",
                settled,
                left,
                interval=0.1,
                error=lambda _w: FlowLimitReached("the flow's time limit ended with a confirmation shown"),
            )
        except FlowLimitReached:
            if all(self.watch.met()):
                raise
            # Unmet expectations: reported with the outcome (the caller's side names them), no error here.

    def _sent(self, start_block: int, expected: int, timeout: float) -> list[SentTransaction]:
        """Every transaction from the account mined after ``start_block``, once ``expected`` of them are
        (or ``timeout`` passed): more than were approved is something the caller's side must see."""
        found: dict[str, SentTransaction] = {}
        scanned = [start_block]

        def scan() -> bool:
            latest = int(self.channel.call("eth_blockNumber"), 16)
            for number in range(scanned[0] + 1, latest + 1):
                block: dict[str, Any] = self.channel.call("eth_getBlockByNumber", [hex(number), True]) or {}
                for tx in block.get("transactions") or []:
                    if str(tx.get("from", "")).lower() == self.account:
                        found[tx["hash"]] = self._with_receipt(tx)
                scanned[0] = number
            return len(found) >= expected

        if expected == 0:
            scan()
        else:
            try:
                wait_until("the approved transactions on chain", scan, timeout, interval=_CHAIN_POLL)
            except AutomationError:
                logger.warning(
                    "%d of %d approved transactions found on chain", len(found), expected, extra=_LOG
                )
        return sorted(found.values(), key=lambda t: t.nonce)

    def _with_receipt(self, tx: dict[str, Any]) -> SentTransaction:
        raw = self.channel.call("eth_getTransactionReceipt", [tx["hash"]])
        receipt = None
        if raw:
            receipt = Receipt(
                tx_hash=tx["hash"],
                block_number=int(raw["blockNumber"], 16),
                status=int(raw["status"], 16),
                gas_used=int(raw["gasUsed"], 16),
            )
        return SentTransaction(
            tx_hash=str(tx["hash"]),
            nonce=int(tx["nonce"], 16),
            to=str(tx.get("to") or ""),
            value_wei=int(tx.get("value") or "0x0", 16),
            data=str(tx.get("input") or tx.get("data") or "0x"),
            receipt=receipt,
        )
