"""Session fixtures: a throw-away anvil chain and the MetaMask test dApp served on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from metamask_service.devstack import Anvil, StaticServer, test_dapp_dir
from tests.support.polling import until

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's public test phrase


@pytest.fixture(scope="session")
def anvil_chain() -> Iterator[Anvil]:
    with Anvil(mnemonic=ANVIL_MNEMONIC) as chain:
        yield chain


@pytest.fixture(scope="session")
def dapp_server() -> Iterator[StaticServer]:
    with StaticServer(test_dapp_dir()) as server:
        yield server


def send_mined(anvil: Anvil, tx: dict[str, str], timeout: float = 10.0) -> str:
    """Sends ``tx`` straight to anvil and returns its hash once anvil has a receipt for it: anvil answers
    eth_sendTransaction before its automine block is there, so a receipt asked for at once can still be
    missing (seen: None, then found)."""
    tx_hash = str(anvil.rpc("eth_sendTransaction", [tx]))
    receipt = partial(anvil.rpc, "eth_getTransactionReceipt", [tx_hash])
    until(f"a receipt for {tx_hash}", receipt, timeout, interval=0.05)
    return tx_hash
