"""UI contracts by MetaMask major version; v13 is the one in use."""

from automation.metamask.selectors import v13

__all__ = ["v13"]
