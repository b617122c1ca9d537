"""The registry of MetaMask actions a caller can ask for on a ready session: key -> action.

Each action is one module here (its request, the screen it expects, the check of that screen against the
request); wallets/execution/ runs any of them the same way. Adding an action: a module with an Action
subclass, its entry below, its screen's page in automation/metamask/pages/ if MetaMask shows a new one, and
tests (tests/wallets/test_actions.py, the driver suite).
"""

from __future__ import annotations

from typing import Any

from wallets.actions.base import Action, Asked, SignatureAction
from wallets.actions.personal_sign import PersonalSign
from wallets.actions.send_transaction import SendTransaction
from wallets.actions.sign_in import SignIn
from wallets.actions.typed_data_v4 import TypedDataV4

ACTIONS: dict[str, type[Action[Any, Any]]] = {
    action.key: action for action in (PersonalSign, TypedDataV4, SignIn, SendTransaction)
}


def action_for(key: str) -> Action[Any, Any]:
    """The action registered under ``key`` (a signature request's method, or eth_sendTransaction)."""
    return ACTIONS[key]()


__all__ = [
    "ACTIONS",
    "Action",
    "Asked",
    "PersonalSign",
    "SendTransaction",
    "SignIn",
    "SignatureAction",
    "TypedDataV4",
    "action_for",
]
