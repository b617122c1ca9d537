"""dApp flows: steps on the session's dApp page and the MetaMask confirmations they are expected to raise.

``spec`` validates what a caller asks, ``expectations`` holds the kinds of confirmation a caller can
expect (kind -> check), ``results`` turns what the browser saw into what the caller reads back. The worker
runs a flow as the session command ``flow`` (wallets/commands/flow.py).
"""

from wallets.flows.expectations import EXPECTATIONS, FlowContext, FlowExpectation
from wallets.flows.spec import MAX_STEPS, MAX_TIME_LIMIT, clean_flow

# wallets.flows.results is not re-exported: it reads automation's types, which load Selenium, and the API
# imports this package (tests/infra/test_imports.py holds it to that).

__all__ = [
    "EXPECTATIONS",
    "MAX_STEPS",
    "MAX_TIME_LIMIT",
    "FlowContext",
    "FlowExpectation",
    "clean_flow",
]
