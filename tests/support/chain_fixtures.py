"""Session fixtures: a throw-away anvil chain and the MetaMask test dApp served on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metamask_service.devstack import Anvil, StaticServer, test_dapp_dir

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's public test phrase


@pytest.fixture(scope="session")
def anvil_chain() -> Iterator[Anvil]:
    with Anvil(mnemonic=ANVIL_MNEMONIC) as chain:
        yield chain


@pytest.fixture(scope="session")
def dapp_server() -> Iterator[StaticServer]:
    with StaticServer(test_dapp_dir()) as server:
        yield server
