"""eth_sendTransaction: a native transfer or contract call, shown on MetaMask's transaction screen."""

from __future__ import annotations

from automation import DisplayedTransaction, TxRequest, requests
from automation.requests import DappRequest
from wallets import verification
from wallets.actions.base import Action, Asked
from wallets.models import Transaction


def _wei(value: object) -> int | None:
    return None if value is None else int(str(value))


def _max_fee(row: Transaction) -> int | None:
    """The most the request lets the transaction pay for gas, where it caps both factors."""
    fee = _wei(row.max_fee_per_gas_wei)
    return row.gas * fee if row.gas and fee is not None else None


class SendTransaction(Action[Transaction, DisplayedTransaction]):
    name = "send_transaction"
    key = "eth_sendTransaction"
    shown = DisplayedTransaction

    def request(self, asked: Asked[Transaction]) -> DappRequest:
        row = asked.row
        tx = TxRequest(
            to=row.to,
            value_wei=int(row.value_wei),
            data=row.data or None,
            gas=row.gas,
            max_fee_per_gas=_wei(row.max_fee_per_gas_wei),
            max_priority_fee_per_gas=_wei(row.max_priority_fee_per_gas_wei),
        )
        return requests.send_transaction(tx, asked.address)

    def sets_own_fee(self, asked: Asked[Transaction]) -> bool:
        return asked.row.max_fee_per_gas_wei is not None

    def check(self, shown: DisplayedTransaction, asked: Asked[Transaction]) -> str | None:
        return verification.transaction_reason(
            shown,
            dapp_origin=asked.dapp_origin,
            to=asked.row.to,
            value_wei=int(asked.row.value_wei),
            data=asked.row.data or None,
            max_fee_wei=_max_fee(asked.row),
            currency_symbol=asked.currency_symbol,
        )
