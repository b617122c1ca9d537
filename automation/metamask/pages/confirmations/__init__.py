"""Approval screens: a shared base, the screens every generation shares, and the generations side by side
(`legacy/`: 13.5's templated confirmations; `redesign/`: what later builds moved into the redesign)."""

from automation.metamask.pages.confirmations.base import ApprovalPage
from automation.metamask.pages.confirmations.connect import ConnectPage, PermissionPage
from automation.metamask.pages.confirmations.legacy.add_network import AddNetworkPage as LegacyAddNetworkPage
from automation.metamask.pages.confirmations.legacy.add_token import AddTokenPage
from automation.metamask.pages.confirmations.redesign.add_network import (
    AddNetworkPage as RedesignAddNetworkPage,
)
from automation.metamask.pages.confirmations.signature import SignaturePage
from automation.metamask.pages.confirmations.transaction import TransactionPage, abbreviation_matches

__all__ = [
    "AddTokenPage",
    "ApprovalPage",
    "ConnectPage",
    "LegacyAddNetworkPage",
    "PermissionPage",
    "RedesignAddNetworkPage",
    "SignaturePage",
    "TransactionPage",
    "abbreviation_matches",
]
