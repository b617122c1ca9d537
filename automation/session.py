"""WalletBrowser: the facade the worker uses. One Chromium + one wallet profile + one dApp tab."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from selenium.common.exceptions import WebDriverException

from automation import requests
from automation.artifacts import save_failure_artifacts
from automation.browser import Browser
from automation.channel import ChannelPage, open_channel, origin_of
from automation.config import BrowserConfig
from automation.dapp import DappPage
from automation.errors import (
    AutomationError,
    AutomationTimeout,
    BrowserError,
    MetaMaskUIError,
    PolicyRejected,
)
from automation.flow_steps import Step
from automation.flows import FlowOutcome, FlowRun
from automation.metamask.approvals import SIGNATURE, TRANSACTION
from automation.metamask.driver import MetaMaskDriver
from automation.metamask.flow_run import Expectation
from automation.models import NetworkSpec, Receipt, TxRequest, Verifier
from automation.polling import wait_until
from automation.requests import DappRequest

logger = logging.getLogger("automation.session")
_LOG = {"component": "browser_controller"}


def _to_checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return str(to_checksum_address(address))


@dataclass(frozen=True)
class AccountSpec:
    """An account to select and how MetaMask gets it if it lacks it (the key never shown in a repr)."""

    address: str
    hd_index: int | None
    private_key: str | None = field(default=None, repr=False)


class WalletBrowser:
    def __init__(self, config: BrowserConfig, profile_id: str) -> None:
        self.config = config
        self.profile_id = profile_id
        self.browser = Browser(config, profile_id)
        self.mm = MetaMaskDriver(self.browser, config)
        self.dapp: DappPage | None = None  # the dApp's own page: its flows, what a user would see
        self.channel: ChannelPage | None = None  # our page of the dApp's origin: the service's requests
        self._operations = 0
        self._password: str | None = None
        self.address: str | None = None
        # What the dApp was given, with the verifiers it was checked with: restored after a restart if lost.
        self._network: tuple[NetworkSpec, Verifier] | None = None
        self._connect_verify: Verifier | None = None
        # The account use_account selected and how MetaMask gets it (kept in memory only, like the
        # password): selected again after a restart that lost it.
        self._account: AccountSpec | None = None

    # ---- lifecycle
    # ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        with self._action("start", count=False):
            self.browser.launch()

    @property
    def extension_version(self) -> str | None:
        """The loaded extension's manifest version ("13.36.0.0"), known once the browser started."""
        return self.browser.extension_version

    @property
    def operations(self) -> int:
        return self._operations

    def needs_restart(self) -> bool:
        if self._operations >= self.config.max_operations:
            return True
        limit = self.config.max_rss_mb * 1024 * 1024
        if limit and (rss := self.rss_bytes()) > limit:
            logger.warning(
                "browser RSS %d MiB is over the %d MiB limit: restart due",
                rss // (1024 * 1024),
                self.config.max_rss_mb,
                extra={**_LOG, "profile": self.profile_id},
            )
            return True
        return False

    def restart(self) -> None:
        """Close and relaunch on the same profile, unlock, reopen the dApp; resets the operation counter."""
        password, dapp_url = self._password, self.dapp.url if self.dapp else None
        self.close()
        self.start()
        if password is not None:
            self.ensure_wallet(mnemonic="", password=password)
        if self._account is not None and self.address != self._account.address:
            # Like the connection below: a selection made seconds before the restart may not be written yet.
            logger.warning("account selection lost across the restart; selecting it again", extra=_LOG)
            self.mm.select_account(
                self._account.address,
                hd_index=self._account.hd_index,
                private_key=self._account.private_key,
            )
            self.address = self._account.address
        if dapp_url:
            self.open_dapp(dapp_url)
            self._restore_dapp_state()
        self._operations = 0

    def _restore_dapp_state(self) -> None:
        """Network and connection as before the restart, through the same verified approvals if they are gone.

        MetaMask writes its state to the profile some seconds after a change: 13.36 restarted right after a
        connect came back with the site disconnected and on Mainnet (docs/metamask.md section 5). Nothing is
        approved here that was not approved, and checked the same way, before.
        """
        channel = self._channel()
        if self._network is not None and self.chain_id() != self._network[0].chain_id:
            logger.warning("network lost across the restart; adding it again", extra=_LOG)
            self.ensure_network(self._network[0], verify=self._network[1])
        accounts = [str(a).lower() for a in channel.call("eth_accounts") or []]
        if self._connect_verify is not None and self.address and accounts[:1] != [self.address.lower()]:
            logger.warning("connection lost across the restart; connecting again", extra=_LOG)
            self._connect_with(self.address, self._connect_verify)

    def close(self) -> None:
        self.dapp = None
        self.channel = None
        self.mm.notification_handle = None
        self.mm.wallet_handle = None
        self.browser.close()

    def __enter__(self) -> WalletBrowser:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- actions
    # ---------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _action(self, name: str, *, count: bool = True) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        except AutomationError as exc:
            if exc.artifact_path is None and exc.kind not in ("policy_rejected", "rejected"):
                exc.artifact_path = save_failure_artifacts(
                    self.browser.driver, self.config.artifacts_dir, name
                )
            logger.warning("%s failed: %s (%s)", name, exc.kind, type(exc).__name__, extra=_LOG)
            raise
        except WebDriverException as exc:
            path = save_failure_artifacts(self.browser.driver, self.config.artifacts_dir, name)
            raise BrowserError(
                f"{name}: {type(exc).__name__}: {(exc.msg or '')[:200]}", artifact_path=path
            ) from exc
        finally:
            if count:
                self._operations += 1
            logger.info(
                "%s took %.2fs",
                name,
                time.monotonic() - started,
                extra={**_LOG, "action": name, "profile": self.profile_id},
            )

    def ensure_wallet(self, *, mnemonic: str, password: str) -> str:
        """Onboard (fresh profile) or unlock; return the checksummed address MetaMask shows."""
        with self._action("ensure_wallet"):
            self._password = password
            address = _to_checksum(self.mm.ensure_wallet(mnemonic, password))
            self.address = address
            return address

    def open_dapp(self, url: str) -> None:
        with self._action("open_dapp", count=False):
            driver = self.mm.driver
            if self.dapp is not None and self.dapp.handle in driver.window_handles:
                self.dapp.focus()
                driver.get(url)
                self.dapp.url = url
            else:
                # A window of its own: as a tab beside the approval page, every poll of the dApp would hide
                # that page (switching tabs activates one); a hidden page renders nothing, acks no click.
                driver.switch_to.new_window("window")
                self.dapp = DappPage(driver, driver.current_window_handle, url)
                driver.get(url)
            self.dapp.wait_provider(self.config.ui_timeout)
            channel = self.channel
            if (
                channel is None
                or channel.handle not in driver.window_handles
                or origin_of(channel.url) != origin_of(url)
            ):
                if channel is not None and channel.handle in driver.window_handles:
                    channel.focus()
                    driver.close()
                    driver.switch_to.window(self.dapp.handle)  # the closed one cannot open the new one
                self.channel = open_channel(driver, url, timeout=self.config.ui_timeout)

    def _channel(self) -> ChannelPage:
        if self.channel is None:
            raise MetaMaskUIError("no dApp page is open; call open_dapp first")
        return self.channel

    @property
    def approved_in_last_request(self) -> bool:
        """True once the driver clicked an approval for the latest request (even if it then failed)."""
        return self.mm.approved_in_last_request

    @property
    def refused_others(self) -> list[tuple[str, str]]:
        """Confirmations the driver refused during the latest request as not its own (reason, screen text):
        one left pending before it, or a second one of a kind already approved for it."""
        return list(self.mm.refused_others)

    def request(self, request: DappRequest, *, verify: Verifier) -> Any:
        """Send ``request`` through the channel (the dApp's origin, not its page), handle MetaMask's
        approvals for it with ``verify``; returns MetaMask's result."""
        with self._action(request.name):
            return self._send(request, verify)

    def _send(self, request: DappRequest, verify: Verifier) -> Any:
        # What the latest request did starts here, before anything can refuse it: a request refused before
        # it is fired must not report the previous request's approval (a transfer would end `unknown`
        # instead of refused) or its refusals as its own.
        self._new_records()
        pinned = None
        if self._network is not None and {SIGNATURE, TRANSACTION} & set(request.approvals):
            # A page of the origin can switch its network without an approval; what is signed is made for
            # the network selected when it is asked (the driver also refuses one that moves meanwhile).
            pinned, selected = self._network[0].chain_id, self.chain_id()
            if selected != pinned:
                raise PolicyRejected(
                    f"the dApp's network is chain {selected}, the session's is {pinned}: not sent"
                )
        return self.mm.run_request(
            self._channel(),
            request.method,
            request.params,
            expect=request.approvals,
            verify=verify,
            chain_id=pinned,
        )

    def connect(self, *, verify: Verifier) -> list[str]:
        accounts = self.request(requests.request_accounts(), verify=verify)
        self._connect_verify = verify
        return [_to_checksum(a) for a in accounts]

    def use_account(
        self, address: str, *, hd_index: int | None = None, private_key: str | None = None
    ) -> list[str]:
        """Makes ``address`` the account every later action uses: selected in MetaMask (added or imported
        first when MetaMask lacks it: ``hd_index`` under the wallet's phrase, or ``private_key``), and the
        one a connected dApp gets first. Returns the dApp's accounts ([] when it is not connected)."""
        with self._action("use_account"):
            self._new_records()
            address = _to_checksum(address)
            self.mm.select_account(address, hd_index=hd_index, private_key=private_key)
            self.address = address
            self._account = AccountSpec(address, hd_index, private_key)
            if self._connect_verify is None:
                return []
            return self._connect_with(address, self._connect_verify)

    def _connect_with(self, address: str, verify: Verifier) -> list[str]:
        """The dApp connected with ``address`` (MetaMask's selected account) first; its network kept."""
        channel = self._channel()
        accounts = [_to_checksum(a) for a in channel.call("eth_accounts") or []]
        if accounts[:1] != [address]:
            # A site keeps the accounts it was connected with: a new selection reaches it only through a
            # new connection, whose screen is checked like the first one (docs/metamask.md section 13).
            if accounts:
                channel.call("wallet_revokePermissions", [{"eth_accounts": {}}])
            accounts = self.connect(verify=verify)
            if accounts[:1] != [address]:
                raise MetaMaskUIError(f"the dApp was connected with {accounts}, not {address}")
        if self._network is not None and self.chain_id() != self._network[0].chain_id:
            self.ensure_network(self._network[0], verify=self._network[1])
        return accounts

    def chain_id(self) -> int:
        return int(self._channel().call("eth_chainId"), 16)

    def ensure_network(self, network: NetworkSpec, *, verify: Verifier) -> int:
        with self._action("ensure_network"):
            if self.chain_id() == network.chain_id:
                self._network = (network, verify)
                return network.chain_id
            self._send(requests.add_chain(network), verify)
            if self.chain_id() != network.chain_id:
                self._send(requests.switch_chain(network.chain_id), verify)
            # chainChanged can lag the promise by a moment (docs/metamask.md section 6).
            wait_until(
                f"chain {network.chain_id} selected",
                lambda: self.chain_id() == network.chain_id,
                10,
                interval=0.2,
                error=lambda _what: MetaMaskUIError(
                    f"wallet stayed on chain {self.chain_id()} after switching"
                ),
            )
            self._network = (network, verify)
            return network.chain_id

    def personal_sign(self, message: str, *, address: str, verify: Verifier) -> str:
        return str(self.request(requests.personal_sign(message, address), verify=verify))

    def sign_typed_data_v4(self, typed_data: dict[str, Any], *, address: str, verify: Verifier) -> str:
        return str(self.request(requests.sign_typed_data_v4(typed_data, address), verify=verify))

    def send_transaction(self, tx: TxRequest, *, sender: str, verify: Verifier) -> str:
        return str(self.request(requests.send_transaction(tx, sender), verify=verify))

    def wait_for_receipt(self, tx_hash: str, *, timeout: float) -> Receipt:
        with self._action("wait_for_receipt", count=False):
            channel = self._channel()
            receipt = wait_until(
                f"receipt of {tx_hash}",
                lambda: channel.call("eth_getTransactionReceipt", [tx_hash]),
                timeout,
                interval=0.5,
                error=lambda _what: AutomationTimeout(f"no receipt for {tx_hash} within {timeout:.0f}s"),
            )
            return Receipt(
                tx_hash=tx_hash,
                block_number=int(receipt["blockNumber"], 16),
                status=int(receipt["status"], 16),
                gas_used=int(receipt["gasUsed"], 16),
            )

    def run_flow(
        self,
        steps: list[Step],
        expectations: list[Expectation],
        *,
        time_limit: float,
    ) -> FlowOutcome:
        """Runs ``steps`` on the dApp's own page; every MetaMask confirmation they raise is approved only
        where one of ``expectations`` accepts what it shows (automation/flows.py)."""
        with self._action("flow"):
            self._new_records()
            if self.dapp is None:
                raise MetaMaskUIError("no dApp page is open; call open_dapp first")
            channel = self._channel()
            run = FlowRun(
                self.mm,
                self.dapp,
                channel,
                origin=origin_of(channel.url),
                expectations=expectations,
            )
            return run.run(steps, time_limit=time_limit)

    def adopt_network(self, network: NetworkSpec, *, verify: Verifier) -> bool:
        """After a flow moved MetaMask to ``network`` through screens checked with ``verify``: the session's
        network from now on (what is signed or sent is pinned to it). False when MetaMask is not on it."""
        if self.chain_id() != network.chain_id:
            return False
        self._network = (network, verify)
        return True

    def lock(self) -> bool:
        """Locks MetaMask: True, or False when it was locked already. A later request unlocks it first."""
        with self._action("lock", count=False):
            self._new_records()
            return self.mm.lock()

    def unlock(self) -> bool:
        """Unlocks MetaMask: True, or False when it was unlocked already."""
        with self._action("unlock", count=False):
            self._new_records()
            return self.mm.unlock()

    def _new_records(self) -> None:
        """What the latest action did starts here: no approval, no refusal of the previous request's."""
        self.mm.approved_in_last_request = False
        self.mm.refused_others = []

    def privacy_settings(self) -> dict[str, bool]:
        """MetaMask's settings as it shows them: MetaMetrics, security alerts, simulations, basic
        functionality (label -> on)."""
        with self._action("privacy_settings", count=False):
            return self.mm.privacy_settings()

    def rss_bytes(self) -> int:
        return self.browser.rss_bytes()


def derive_address(mnemonic: str, index: int = 0) -> str:
    """Address of m/44'/60'/0'/0/<index> (for callers that need to know the expected account up front)."""
    Account.enable_unaudited_hdwallet_features()
    return str(Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}").address)
