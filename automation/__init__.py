"""Browser + MetaMask driver (plain Python, no Django). Public interface: the names in ``__all__`` below."""

from automation.config import DEFAULT_FLAGS, BrowserConfig
from automation.errors import (
    AutomationError,
    AutomationTimeout,
    BrowserError,
    MetaMaskUIError,
    PolicyRejected,
    ProviderError,
    RequestRejected,
    UnsupportedMetaMaskVersion,
)
from automation.flow_steps import Step, StepResult
from automation.flows import FlowOutcome
from automation.metamask.flow_run import Confirmation, Expectation
from automation.models import (
    Alert,
    Displayed,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedSignIn,
    DisplayedToken,
    DisplayedTransaction,
    NetworkSpec,
    Receipt,
    SpendingCap,
    TxRequest,
    Verifier,
    approve_all,
)
from automation.session import WalletBrowser

__all__ = [
    "DEFAULT_FLAGS",
    "Alert",
    "AutomationError",
    "AutomationTimeout",
    "BrowserConfig",
    "BrowserError",
    "Confirmation",
    "Displayed",
    "DisplayedConnect",
    "DisplayedNetwork",
    "DisplayedSignIn",
    "DisplayedSignature",
    "DisplayedToken",
    "DisplayedTransaction",
    "Expectation",
    "FlowOutcome",
    "MetaMaskUIError",
    "NetworkSpec",
    "PolicyRejected",
    "ProviderError",
    "Receipt",
    "RequestRejected",
    "SpendingCap",
    "Step",
    "StepResult",
    "TxRequest",
    "UnsupportedMetaMaskVersion",
    "Verifier",
    "WalletBrowser",
    "approve_all",
]
