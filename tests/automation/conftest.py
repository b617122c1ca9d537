"""Driver suite fixtures: one anvil + dApp server per session, ONE wallet browser per module (time)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_account import Account

from automation import BrowserConfig, WalletBrowser
from metamask_service.devstack import Anvil, StaticServer
from tests.support.browser_fixtures import browser_config, extension_path, is_real_metamask  # noqa: F401
from tests.support.chain_fixtures import ANVIL_MNEMONIC, anvil_chain, dapp_server, erc20_token  # noqa: F401

WALLET_PASSWORD = "driver-suite-Pa55word!"


@dataclass
class WalletRun:
    wallet: WalletBrowser
    address: str
    expected_address: str
    onboarding_seconds: float
    anvil: Anvil
    dapp_url: str
    dapp_server: StaticServer

    def dapp_paths_served(self) -> set[str]:
        return {path.split("?")[0] for path in self.dapp_server.served}


def expected_address() -> str:
    Account.enable_unaudited_hdwallet_features()
    return str(Account.from_mnemonic(ANVIL_MNEMONIC, account_path="m/44'/60'/0'/0/0").address)


@pytest.fixture(scope="module")
def wallet_run(
    browser_config: BrowserConfig,  # noqa: F811
    anvil_chain: Anvil,  # noqa: F811
    dapp_server: StaticServer,  # noqa: F811
) -> Iterator[WalletRun]:
    wallet = WalletBrowser(browser_config, "driver-suite")
    try:
        started = time.monotonic()
        wallet.start()
        address = wallet.ensure_wallet(mnemonic=ANVIL_MNEMONIC, password=WALLET_PASSWORD)
        elapsed = time.monotonic() - started
        wallet.open_dapp(dapp_server.url)
        yield WalletRun(
            wallet, address, expected_address(), elapsed, anvil_chain, dapp_server.url, dapp_server
        )
    finally:
        wallet.close()
