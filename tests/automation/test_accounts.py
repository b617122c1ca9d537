"""Accounts in MetaMask: the phrase's next account added, a private key imported, the selection switched;
after each switch the dApp is connected with that account and what is signed or sent is that account's.
Runs unchanged on real MetaMask (METAMASK_EXTENSION_PATH) and on the reference wallet.

One browser for the module (its own profile): the tests run in file order and build on each other's state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from automation import (
    BrowserConfig,
    Displayed,
    DisplayedConnect,
    DisplayedSignature,
    DisplayedTransaction,
    MetaMaskUIError,
    NetworkSpec,
    TxRequest,
    WalletBrowser,
)
from automation.metamask.pages.home import HomePage
from metamask_service.devstack import Anvil, StaticServer
from tests.automation.conftest import ANVIL_MNEMONIC, WALLET_PASSWORD, expected_address
from tests.support.accounts import derived_address

pytestmark = pytest.mark.browser

# A key of no anvil account (anvil's are all the phrase's): imported, it is an account of its own.
IMPORTED_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
IMPORTED = Account.from_key(IMPORTED_KEY).address
RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@dataclass
class AccountsRun:
    wallet: WalletBrowser
    anvil: Anvil
    host: str
    connects: list[Displayed]

    def dapp_accounts(self) -> list[str]:
        assert self.wallet.channel is not None
        return [str(a).lower() for a in self.wallet.channel.call("eth_accounts")]


@pytest.fixture(scope="module")
def run(
    browser_config: BrowserConfig, anvil_chain: Anvil, dapp_server: StaticServer
) -> Iterator[AccountsRun]:
    wallet = WalletBrowser(browser_config, "accounts-suite")
    connects: list[Displayed] = []
    host = str(urlparse(dapp_server.url).hostname)

    def verify_connect(shown: Displayed) -> str | None:
        connects.append(shown)
        return None if isinstance(shown, DisplayedConnect) and shown.origin == host else f"not ours: {shown}"

    try:
        wallet.start()
        assert wallet.ensure_wallet(mnemonic=ANVIL_MNEMONIC, password=WALLET_PASSWORD) == expected_address()
        wallet.open_dapp(dapp_server.url)
        spec = NetworkSpec(chain_id=anvil_chain.chain_id, rpc_url=anvil_chain.rpc_url, name="Anvil Local")
        wallet.ensure_network(spec, verify=lambda _shown: None)
        assert wallet.connect(verify=verify_connect) == [expected_address()]
        yield AccountsRun(wallet, anvil_chain, host, connects)
    finally:
        wallet.close()


def _signs_as(run: AccountsRun, address: str) -> None:
    message = f"signed by {address}"

    def verify(shown: Displayed) -> str | None:
        return None if isinstance(shown, DisplayedSignature) and shown.text == message else f"shown {shown}"

    signature = run.wallet.personal_sign(message, address=address, verify=verify)
    assert Account.recover_message(encode_defunct(text=message), signature=signature) == address


def test_the_phrases_next_account_is_added_selected_and_connected(run: AccountsRun) -> None:
    second = derived_address(ANVIL_MNEMONIC, 1)
    before = len(run.connects)
    accounts = run.wallet.use_account(second, hd_index=1)
    assert accounts[0] == second
    assert run.dapp_accounts()[0] == second.lower()
    assert len(run.connects) == before + 1  # the new connection went through the checked connect screen
    assert run.wallet.chain_id() == run.anvil.chain_id  # still on the session's network
    _signs_as(run, second)


def test_switching_back_selects_an_account_metamask_holds(run: AccountsRun) -> None:
    first = expected_address()
    assert run.wallet.use_account(first, hd_index=0)[0] == first
    assert run.dapp_accounts()[0] == first.lower()
    _signs_as(run, first)


def test_an_imported_key_becomes_the_account_that_sends(run: AccountsRun) -> None:
    run.anvil.rpc("anvil_setBalance", [IMPORTED, hex(10**18)])
    assert run.wallet.use_account(IMPORTED, private_key=IMPORTED_KEY)[0] == IMPORTED
    seen: list[Displayed] = []

    def verify(shown: Displayed) -> str | None:
        seen.append(shown)
        return None if isinstance(shown, DisplayedTransaction) else f"shown {shown}"

    tx_hash = run.wallet.send_transaction(
        TxRequest(to=RECIPIENT, value_wei=10**15), sender=IMPORTED, verify=verify
    )
    receipt = run.wallet.wait_for_receipt(tx_hash, timeout=30)
    assert receipt.status == 1
    assert run.anvil.rpc("eth_getTransactionByHash", [tx_hash])["from"].lower() == IMPORTED.lower()
    _signs_as(run, IMPORTED)


def test_an_imported_account_is_found_again_without_importing(run: AccountsRun) -> None:
    run.wallet.use_account(expected_address(), hd_index=0)
    # The key is not given: MetaMask holds the account already, and it is found in its list.
    assert run.wallet.use_account(IMPORTED)[0] == IMPORTED
    assert run.dapp_accounts()[0] == IMPORTED.lower()


def test_an_account_metamask_cannot_have_is_an_error_and_the_selection_stays_one_of_its_own(
    run: AccountsRun,
) -> None:
    stranger = Account.create().address  # neither the phrase's (no index given) nor imported
    with pytest.raises(MetaMaskUIError, match="holds no account"):
        run.wallet.use_account(stranger)
    # Every entry was read, and the selection went back to the account the session uses.
    assert run.wallet.address == IMPORTED
    run.wallet.mm.show_wallet_home()
    assert HomePage(run.wallet.mm.dom, 10).read_address() == IMPORTED
    assert IMPORTED_KEY[2:] not in str(run.wallet.mm.driver.page_source)  # nothing typed left on a page


def test_a_restart_right_after_a_switch_keeps_the_account_and_its_connection(run: AccountsRun) -> None:
    """MetaMask writes its state some seconds after a change: a restart right after a switch may come back
    on the old selection and connection; both are restored, through the checked connect screen."""
    second = derived_address(ANVIL_MNEMONIC, 1)
    run.wallet.use_account(second, hd_index=1)
    run.wallet.restart()
    assert run.wallet.address == second
    assert run.dapp_accounts()[0] == second.lower()
    assert run.wallet.chain_id() == run.anvil.chain_id
    _signs_as(run, second)
