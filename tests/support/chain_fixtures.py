"""Session fixtures: a throw-away anvil chain and the MetaMask test dApp served on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
import rlp
from eth_utils import keccak, to_checksum_address

from metamask_service.devstack import Anvil, StaticServer, test_dapp_dir
from metamask_service.devstack.erc20 import deploy_erc20
from tests.support.polling import until

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's public test phrase
ANVIL_ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # that phrase's first account
TOKEN_SYMBOL = "PRB"
TOKEN_BALANCE = 1234 * 10**18  # of ANVIL_ACCOUNT_0, in base units (18 decimals)


@pytest.fixture(scope="session")
def anvil_chain() -> Iterator[Anvil]:
    with Anvil(mnemonic=ANVIL_MNEMONIC) as chain:
        yield chain


@pytest.fixture(scope="session")
def dapp_server() -> Iterator[StaticServer]:
    with StaticServer(test_dapp_dir()) as server:
        yield server


@pytest.fixture(scope="session")
def erc20_token(anvil_chain: Anvil) -> str:
    """An ERC-20 on the chain (OpenZeppelin's preset), TOKEN_BALANCE of it held by ANVIL_ACCOUNT_0."""
    return deploy_erc20(
        anvil_chain, name="Probe Token", symbol=TOKEN_SYMBOL, supply=TOKEN_BALANCE, owner=ANVIL_ACCOUNT_0
    )


def send_mined(anvil: Anvil, tx: dict[str, str], timeout: float = 10.0) -> str:
    """Sends ``tx`` straight to anvil and returns its hash once anvil has a receipt for it: anvil answers
    eth_sendTransaction before its automine block is there, so a receipt asked for at once can still be
    missing (seen: None, then found)."""
    tx_hash = str(anvil.rpc("eth_sendTransaction", [tx]))
    receipt = partial(anvil.rpc, "eth_getTransactionReceipt", [tx_hash])
    until(f"a receipt for {tx_hash}", receipt, timeout, interval=0.05)
    return tx_hash


def contract_address(sender: str, nonce: int) -> str:
    """The address a contract created by ``sender``'s transaction with ``nonce`` gets (CREATE)."""
    return str(to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:]))
