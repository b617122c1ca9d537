"""A dApp flow: steps on the dApp's own page, and MetaMask's confirmations they raise, each judged by the
caller's expectations (automation/metamask/flow_run.py) while the steps run.

What the flow sent is for the caller's side to read from the chain through the session's own RPC (the
transactions from the account from the nonce it had when the flow began), not from the page, which can
show any hash, nor through MetaMask's provider, whose block number lags the chain by its polling interval
(seen 2026-12-04: a flow's start block read through it was one behind, so an earlier transfer was taken for
the flow's). What it signed goes to the page; a read step brings it back, and the caller's side checks it
against the wallet and what was shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from automation.errors import AutomationError
from automation.flow_steps import Step, StepResult, StepRunner
from automation.metamask.flow_run import Confirmation, Expectation, FlowWatch
from automation.polling import wait_until

if TYPE_CHECKING:
    from automation.channel import ChannelPage
    from automation.dapp import DappPage
    from automation.metamask.driver import MetaMaskDriver

# Seconds the approval tab must show nothing once every expectation is met: a confirmation that follows
# another (13.36's switch after an added network) is answered within the flow, not left pending.
_SETTLE = 0.6


class FlowLimitReached(AutomationError):
    kind = "flow_time_limit"


class FlowStepError(AutomationError):
    kind = "flow_step_failed"


@dataclass
class FlowOutcome:
    steps: list[StepResult] = field(default_factory=list)
    confirmations: list[Confirmation] = field(default_factory=list)
    met: list[bool] = field(default_factory=list)
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
        expectations: list[Expectation],
    ) -> None:
        self.mm = mm
        self.dapp = dapp
        self.channel = channel
        self.origin = origin
        self.watch = FlowWatch(mm, expectations)

    def run(self, steps: list[Step], *, time_limit: float) -> FlowOutcome:
        mm, outcome = self.mm, FlowOutcome()
        mm.begin_approvals("left pending before a flow started")
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
