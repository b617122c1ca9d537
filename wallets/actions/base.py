"""What every MetaMask action of the registry has: the request it sends, the screen it expects MetaMask to
show for it, and the check of that screen against what the caller asked. An action knows the domain (rows,
policy, verification) and names automation's requests; it never touches a browser itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from automation import Displayed, DisplayedSignature, Verifier
from automation.requests import DappRequest
from wallets import verification
from wallets.models import SignatureRequest, Transaction, WalletSession

R = TypeVar("R", SignatureRequest, Transaction)
S = TypeVar("S", bound=Displayed)


@dataclass(frozen=True)
class Asked(Generic[R]):
    """The row being executed and the session it runs on: everything an action checks against."""

    row: R
    session: WalletSession

    @property
    def address(self) -> str:
        """The account it is asked of: the session's when it was asked (the worker runs it only while that
        is still the session's account)."""
        return str(self.row.account or self.session.active_account)

    @property
    def dapp_origin(self) -> str:
        return str(self.session.dapp_origin)

    @property
    def network_name(self) -> str | None:
        name = (self.session.network or {}).get("name")
        return str(name) if name else None

    @property
    def currency_symbol(self) -> str:
        return str((self.session.network or {}).get("currency_symbol") or "ETH")


class Action(Generic[R, S]):
    """One MetaMask action. Subclasses set ``name`` (metrics, logs, security events), ``key`` (what selects
    it: a signature request's method, or the transaction's RPC method), ``shown`` (the screen type it must
    get) and implement ``request`` and ``check``."""

    name: ClassVar[str]
    key: ClassVar[str]
    shown: ClassVar[type[Displayed]]

    def request(self, asked: Asked[R]) -> DappRequest:
        raise NotImplementedError

    def check(self, shown: S, asked: Asked[R]) -> str | None:
        """None if MetaMask shows exactly what was asked, else the reason to reject."""
        raise NotImplementedError

    def sets_own_fee(self, asked: Asked[R]) -> bool:
        """Whether the request sets its own fee caps (MetaMask's advice on the fee is then expected)."""
        return False

    def verifier(self, asked: Asked[R]) -> Verifier:
        def check_all(shown: Any) -> str | None:
            return (
                verification.alerts_reason(shown, own_fee=self.sets_own_fee(asked))
                or verification.shown_network_reason(shown, asked.network_name)
                or self.check(shown, asked)
            )

        check: Any = check_all
        return verification.verifier(self.shown, check)


class SignatureAction(Action[SignatureRequest, DisplayedSignature]):
    """A signing action: its signature must recover to the wallet over exactly the requested payload."""

    shown = DisplayedSignature

    def signer(self, asked: Asked[SignatureRequest], signature: str) -> str:
        """The address ``signature`` recovers to over the requested payload."""
        raise NotImplementedError
