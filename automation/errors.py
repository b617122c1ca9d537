"""Errors raised by the automation package. ``kind`` is stable: it is used as a metric label."""

from __future__ import annotations

from automation.models import Displayed


class AutomationError(Exception):
    kind = "automation"

    def __init__(self, message: str, *, artifact_path: str | None = None) -> None:
        super().__init__(message)
        self.artifact_path = artifact_path


class BrowserError(AutomationError):
    kind = "browser"


class MetaMaskUIError(AutomationError):
    kind = "ui"


class RequestRejected(AutomationError):
    kind = "rejected"


class PolicyRejected(RequestRejected):
    kind = "policy_rejected"

    def __init__(
        self, reason: str, *, shown: Displayed | None = None, artifact_path: str | None = None
    ) -> None:
        super().__init__(f"rejected by policy: {reason}", artifact_path=artifact_path)
        self.reason = reason
        self.shown = shown  # the Displayed screen the reason is about (None: rejected before reading one)
        self.dapp_error_code: int | None = None  # the error code the dApp received (4001 after our Reject)


class ProviderError(AutomationError):
    kind = "provider"

    def __init__(self, message: str, *, code: int | None = None, artifact_path: str | None = None) -> None:
        super().__init__(message, artifact_path=artifact_path)
        self.code = code


class AutomationTimeout(AutomationError):
    kind = "timeout"


class UnsupportedMetaMaskVersion(MetaMaskUIError):
    """A MetaMask screen the driver does not recognise: it stops instead of waiting or clicking blindly."""

    kind = "unsupported_metamask_version"

    def __init__(self, version: str | None, screen: str, *, artifact_path: str | None = None) -> None:
        super().__init__(
            f"MetaMask {version or '(unknown version)'} showed a screen the driver does not recognise: "
            f"{screen}",
            artifact_path=artifact_path,
        )
        self.version = version
        self.screen = screen
