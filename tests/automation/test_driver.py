"""Driver suite: runs unchanged on real MetaMask (METAMASK_EXTENSION_PATH) and on the reference wallet.

One browser per module (see conftest): the tests run in file order and build on each other's state.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import psutil
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from automation import (
    Displayed,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedSignIn,
    DisplayedToken,
    DisplayedTransaction,
    MetaMaskUIError,
    NetworkSpec,
    PolicyRejected,
    TxRequest,
    requests,
)
from automation.metamask.approvals import recognise
from automation.metamask.pages.confirmations import ApprovalPage
from automation.metamask.pages.home import HomePage
from automation.metamask.screens import shown
from automation.metamask.selectors import base as S
from metamask_service.devstack import Anvil, StaticServer, test_dapp_dir
from metamask_service.devstack.erc20 import deploy_erc20
from metamask_service.devstack.typed_data import typed_data
from tests.automation.conftest import ANVIL_MNEMONIC, WALLET_PASSWORD, WalletRun
from tests.support.chain_fixtures import TOKEN_SYMBOL
from tests.support.hostile import wrap_provider_script
from tests.support.polling import until

pytestmark = pytest.mark.browser

RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil account #1


def address_shown_matches(shown: str, expected: str) -> bool:
    """Full address, or MetaMask's abbreviation "0x70997...c79C8" (prefix ... suffix)."""
    shown = shown.strip()
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", shown):
        return shown.lower() == expected.lower()
    match = re.fullmatch(r"(0x[0-9a-fA-F]{3,})(?:\.\.\.|…)([0-9a-fA-F]{3,})", shown)
    if match is None:
        return False
    return expected.lower().startswith(match.group(1).lower()) and expected.lower().endswith(
        match.group(2).lower()
    )


def host_port(url: str) -> str:
    return urlparse(url).netloc


def typed_mail(address: str) -> dict:
    return typed_data(
        primary_type="Mail",
        types={
            "Mail": [
                {"name": "from", "type": "address"},
                {"name": "contents", "type": "string"},
                {"name": "amount", "type": "uint256"},
            ],
        },
        message={"from": address, "contents": "Typed hello from the driver suite", "amount": 424242},
        domain_name="Driver Suite",
    )


def test_onboarding_imports_the_mnemonic(wallet_run: WalletRun) -> None:
    assert wallet_run.address == wallet_run.expected_address


def test_onboarding_declines_metametrics_and_turns_off_network_features(wallet_run: WalletRun) -> None:
    """MetaMetrics is declined whatever the build asks (13.5: "No thanks"; 13.36: a ticked box and one
    Continue), and the network features are off as the suite configures (wherever the build's settings
    keep them); read back from the settings pages, as a user would see them."""
    shown = wallet_run.wallet.privacy_settings()
    assert shown["Participate in MetaMetrics"] is False
    assert shown["Security alerts"] is False
    assert shown["Estimate balance changes"] is False
    assert shown["Basic functionality"] is True  # not configured off: only with disable_basic_functionality


def test_announcements_over_home_are_closed_never_accepted(wallet_run: WalletRun) -> None:
    """Modals that cover home once a wallet is set up (13.36: Transaction Shield, then Rewards, when remote
    flags say so, so not offline) are closed by their X, never by their opt-in. The reference wallet shows
    both on every new profile, keeps each until it is answered and shows a banner for an accepted one."""
    mm = wallet_run.wallet.mm
    mm.focus(mm.wallet_handle)
    mm.goto_extension_page(S.HOME_PAGE)
    mm.page(HomePage).wait_ready()
    time.sleep(1.0)  # an unanswered announcement shows right after home
    assert mm.dom.first_visible("testid:shield-entry-modal", "testid:rewards-modal") is None
    assert not mm.dom.exists("testid:reference-opted-in")


# A popover over all of home, as 13.5's "We can't connect to Ethereum": a backdrop taking clicks, and its X.
_LATE_POPOVER_JS = """
() => {
  const wrap = document.createElement('div');
  wrap.setAttribute('data-testid', 'test-late-popover');
  wrap.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.4)';
  const close = document.createElement('button');
  close.setAttribute('data-testid', 'popover-close');
  close.setAttribute('aria-label', 'Close');
  close.textContent = 'x';
  close.style.cssText = 'position:absolute;top:45%;left:45%;width:40px;height:40px';
  close.onclick = () => wrap.remove();
  wrap.append(close);
  document.body.append(wrap);
  return true;
}
"""


def test_a_popover_that_comes_up_over_home_late_is_closed_and_the_address_still_read(
    wallet_run: WalletRun,
) -> None:
    """13.5 offline puts "We can't connect to Ethereum" over home now and then, also after the driver has
    closed home's covers. Under a popover the copy button gets only a script's click(), which copies
    nothing where copying needs a user's gesture (the reference wallet, as MetaMask's execCommand copy):
    the driver then closes what covers home and copies again. On the real builds the script's click copied
    (clipboard access is granted), so the popover may stay there."""
    mm = wallet_run.wallet.mm
    mm.focus(mm.wallet_handle)
    mm.goto_extension_page(S.HOME_PAGE)
    home = mm.page(HomePage)
    home.wait_ready()
    home.dismiss_covering(quiet_for=0.5)
    assert mm.dom.call(_LATE_POPOVER_JS)
    assert home.read_address() == wallet_run.address
    home.dismiss_covering(quiet_for=0.3)
    assert not mm.dom.exists("testid:test-late-popover")


def test_isolated_dom_follows_tab_switches_and_reloads(wallet_run: WalletRun) -> None:
    """The isolated world is reused without asking which tab is current: a switch to another tab or a
    reload the driver did not start must still land each read in the current tab's document."""
    mm = wallet_run.wallet.mm
    mm.focus(mm.wallet_handle)
    wallet_url = mm.dom.url()
    mm.focus(mm.notification_handle)
    approval_url = mm.dom.url()
    assert S.HOME_PAGE in wallet_url
    assert mm.approval_page in approval_url
    mm.focus(mm.wallet_handle)
    assert mm.dom.url() == wallet_url
    marker = mm.dom.call("() => (globalThis.__reloadMarker = Math.random())")
    mm.driver.execute_cdp_cmd("Page.reload", {})
    until("the reloaded page", lambda: mm.dom.call("() => document.readyState") == "complete", 15)
    assert mm.dom.call("() => globalThis.__reloadMarker || null") is None
    assert marker
    mm.page(HomePage).wait_ready()


def test_ensure_network_switches_to_anvil_before_connecting(wallet_run: WalletRun) -> None:
    # Order matters on real MetaMask offline: connecting while Mainnet is selected made every later
    # eth_sendTransaction fail with "circuit breaker is open"; switching first avoids it.
    seen: list[Displayed] = []
    rpc = wallet_run.anvil.rpc_url

    def verify(shown: Displayed) -> str | None:
        seen.append(shown)
        if not isinstance(shown, DisplayedNetwork):
            return f"unexpected {type(shown).__name__}"
        # 13.5 shows the whole RPC URL; later builds show only its host:port.
        if shown.name != "Anvil Local" or shown.rpc_url.rstrip("/") not in (rpc, urlparse(rpc).netloc):
            return f"network shown as {shown.name!r} {shown.rpc_url!r}"
        if shown.chain_id and shown.chain_id != "31337":
            return f"chain id shown as {shown.chain_id!r}"
        return None

    spec = NetworkSpec(chain_id=31337, rpc_url=rpc, name="Anvil Local")
    assert wallet_run.wallet.ensure_network(spec, verify=verify) == 31337
    assert wallet_run.wallet.chain_id() == 31337
    assert seen, "MetaMask never showed the add-network confirmation"
    # Idempotent: already on the chain, nothing to approve.
    assert wallet_run.wallet.ensure_network(spec, verify=lambda _s: "must not be asked") == 31337


def test_connect_returns_the_account(wallet_run: WalletRun) -> None:
    seen: list[Displayed] = []
    expected_host = urlparse(wallet_run.dapp_url).hostname

    def verify(shown: Displayed) -> str | None:
        seen.append(shown)
        assert isinstance(shown, DisplayedConnect)
        return None if shown.origin == expected_host else f"origin {shown.origin!r}"

    accounts = wallet_run.wallet.connect(verify=verify)
    assert accounts == [wallet_run.expected_address]
    assert len(seen) == 1


def test_personal_sign_recovers_to_the_account(wallet_run: WalletRun) -> None:
    message = "Sign in to the driver suite\nnonce 7"
    seen: list[DisplayedSignature] = []

    def verify(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedSignature)
        seen.append(shown)
        if shown.text != " ".join(message.split()):
            return f"message shown as {shown.text!r}"
        return None if shown.origin == host_port(wallet_run.dapp_url) else f"origin {shown.origin!r}"

    signature = wallet_run.wallet.personal_sign(message, address=wallet_run.address, verify=verify)
    recovered = Account.recover_message(encode_defunct(text=message), signature=signature)
    assert recovered == wallet_run.expected_address
    assert seen[0].method == "personal_sign"
    assert seen[0].network == "Anvil Local"  # the network the screen names (the service checks it)
    assert wallet_run.wallet.approved_in_last_request is True


def test_typed_data_v4_recovers_to_the_account(wallet_run: WalletRun) -> None:
    data = typed_mail(wallet_run.address)

    def verify(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedSignature)
        for needle in ("Mail", "Typed hello from the driver suite", "424242"):
            if needle not in shown.text:
                return f"{needle!r} not shown"
        return None if shown.network == "Anvil Local" else f"network shown as {shown.network!r}"

    signature = wallet_run.wallet.sign_typed_data_v4(data, address=wallet_run.address, verify=verify)
    recovered = Account.recover_message(encode_typed_data(full_message=data), signature=signature)
    assert recovered == wallet_run.expected_address


def test_send_transaction_is_mined_as_shown(wallet_run: WalletRun, is_real_metamask: bool) -> None:
    value = 10**15
    seen: list[DisplayedTransaction] = []

    def verify(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedTransaction)
        seen.append(shown)
        if not address_shown_matches(shown.to, RECIPIENT):
            return f"recipient shown as {shown.to!r}"
        return None if shown.value_text == "0.001 ETH" else f"amount shown as {shown.value_text!r}"

    tx_hash = wallet_run.wallet.send_transaction(
        TxRequest(to=RECIPIENT, value_wei=value), sender=wallet_run.address, verify=verify
    )
    if is_real_metamask:
        # MetaMask 13.5 exposes the full recipient in its name-details modal; the driver must read it there.
        assert seen[0].to == RECIPIENT
    # The network the screen names, where it names one (13.5's transaction screen does not).
    assert seen[0].network in ("Anvil Local", "")
    assert seen[0].data == ""  # read from the advanced details: a plain transfer shows no calldata
    assert seen[0].value_exact is None  # shown in full: no tooltip
    assert seen[0].max_fee_text is not None  # the advanced details' max fee (MetaMask chose the fee here)
    assert [alert for alert in seen[0].alerts if not alert.informs] == []  # a plain transfer warns of nothing
    receipt = wallet_run.wallet.wait_for_receipt(tx_hash, timeout=30)
    assert receipt.status == 1
    on_chain = wallet_run.anvil.rpc("eth_getTransactionByHash", [tx_hash])
    assert on_chain["to"].lower() == RECIPIENT.lower()
    assert int(on_chain["value"], 16) == value
    assert on_chain["from"].lower() == wallet_run.address.lower()
    assert seen[0].nonce == int(on_chain["nonce"], 16)  # the nonce shown is the one it was sent with


def test_a_rounded_amount_is_read_in_full(wallet_run: WalletRun) -> None:
    """MetaMask rounds 0.001234567890123456 ETH on screen; the full value is in the tooltip over it, and the
    driver reads it from there (an amount shown in full has none)."""
    value = 1_234_567_890_123_456
    seen: list[DisplayedTransaction] = []

    def verify(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedTransaction)
        seen.append(shown)
        return None if shown.value_exact == "0.001234567890123456" else f"in full {shown.value_exact!r}"

    tx_hash = wallet_run.wallet.send_transaction(
        TxRequest(to=RECIPIENT, value_wei=value), sender=wallet_run.address, verify=verify
    )
    assert wallet_run.wallet.wait_for_receipt(tx_hash, timeout=30).status == 1
    assert int(wallet_run.anvil.rpc("eth_getTransactionByHash", [tx_hash])["value"], 16) == value
    assert seen[0].value_text != "0.001234567890123456 ETH"  # rounded on screen


def test_the_calldata_shown_is_the_calldata_sent(wallet_run: WalletRun) -> None:
    """MetaMask's advanced details show a transaction's calldata in full; the driver reads it exactly (the
    advanced details stay on from here: a preference MetaMask keeps)."""
    calldata = "0x" + "a9059cbb" + RECIPIENT[2:].lower().rjust(64, "0") + f"{12345:064x}"
    seen: list[DisplayedTransaction] = []

    def verify(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedTransaction)
        seen.append(shown)
        return None if shown.data == calldata else f"calldata shown as {shown.data!r}"

    tx_hash = wallet_run.wallet.send_transaction(
        TxRequest(to=RECIPIENT, value_wei=0, data=calldata), sender=wallet_run.address, verify=verify
    )
    assert wallet_run.wallet.wait_for_receipt(tx_hash, timeout=30).status == 1
    on_chain = wallet_run.anvil.rpc("eth_getTransactionByHash", [tx_hash])
    assert on_chain["input"] == calldata
    assert [s.data for s in seen] == [calldata]
    assert seen[0].nonce == int(on_chain["nonce"], 16)


def test_a_transaction_is_signed_with_the_fee_caps_it_asks_for(wallet_run: WalletRun) -> None:
    """The service compares the chain's transaction with the caps it asked for, and a policy's fee cap
    relies on MetaMask signing what the dApp suggests: it must, on every build."""
    fee, tip = 3 * 10**9, 10**9
    seen: list[Displayed] = []
    tx_hash = wallet_run.wallet.send_transaction(
        TxRequest(to=RECIPIENT, value_wei=1, max_fee_per_gas=fee, max_priority_fee_per_gas=tip),
        sender=wallet_run.address,
        verify=lambda shown: seen.append(shown),
    )
    # What MetaMask warns of here is advice on the fee, on the fee rows (13.36: "High site fee"): the
    # service lets that pass only for a request that sets its own caps, as this one does.
    assert isinstance(seen[0], DisplayedTransaction)
    assert all(a.about == "fee" for a in seen[0].alerts if not a.informs), seen[0].alerts
    assert wallet_run.wallet.wait_for_receipt(tx_hash, timeout=30).status == 1
    on_chain = wallet_run.anvil.rpc("eth_getTransactionByHash", [tx_hash])
    assert (int(on_chain["maxFeePerGas"], 16), int(on_chain["maxPriorityFeePerGas"], 16)) == (fee, tip)


def test_verifier_reason_rejects_a_signature(wallet_run: WalletRun) -> None:
    with pytest.raises(PolicyRejected) as caught:
        wallet_run.wallet.personal_sign(
            "not what the caller asked", address=wallet_run.address, verify=lambda _shown: "message mismatch"
        )
    assert caught.value.reason == "message mismatch"
    assert caught.value.dapp_error_code == 4001
    # The rejection carries the screen its reason is about (for the security event), read before Reject.
    assert isinstance(caught.value.shown, DisplayedSignature)
    assert caught.value.shown.text == "not what the caller asked"
    assert wallet_run.wallet.approved_in_last_request is False  # rejected: nothing was approved


def test_verifier_reason_rejects_a_transaction_and_nonce_is_unchanged(wallet_run: WalletRun) -> None:
    nonce_before = wallet_run.anvil.rpc("eth_getTransactionCount", [wallet_run.address, "latest"])
    with pytest.raises(PolicyRejected) as caught:
        wallet_run.wallet.send_transaction(
            TxRequest(to=RECIPIENT, value_wei=1234),
            sender=wallet_run.address,
            verify=lambda shown: "recipient mismatch",
        )
    assert caught.value.dapp_error_code == 4001
    assert wallet_run.anvil.rpc("eth_getTransactionCount", [wallet_run.address, "latest"]) == nonce_before
    # The wallet still works after a rejection.
    assert wallet_run.wallet.chain_id() == 31337


def sign_in_text(domain: str, address: str, uri: str, *, nonce: str = "n0nce5ign1n") -> str:
    """An EIP-4361 message, written out as the standard lays it out."""
    return (
        f"{domain} wants you to sign in with your Ethereum account:\n{address}\n\n"
        "Sign in to the driver suite.\n\n"
        f"URI: {uri}\nVersion: 1\nChain ID: 31337\nNonce: {nonce}\nIssued At: 2026-12-03T12:00:00.000Z"
    )


def test_a_sign_in_shows_each_field_of_the_message_and_signs_it(wallet_run: WalletRun) -> None:
    host = host_port(wallet_run.dapp_url)
    message = sign_in_text(host, wallet_run.address, wallet_run.dapp_url)
    seen: list[Displayed] = []

    def verify(shown: Displayed) -> str | None:
        seen.append(shown)
        return None

    signature = wallet_run.wallet.request(requests.sign_in(message, wallet_run.address), verify=verify)
    assert Account.recover_message(encode_defunct(text=message), signature=signature) == wallet_run.address
    [screen] = seen
    assert isinstance(screen, DisplayedSignIn), screen
    assert (screen.origin, screen.statement, screen.uri) == (
        host,
        "Sign in to the driver suite.",
        wallet_run.dapp_url,
    )
    assert (screen.version, screen.chain_id, screen.nonce) == ("1", "31337", "n0nce5ign1n")
    assert screen.account == "Account 1"
    assert screen.issued.startswith("03 December 2026"), screen.issued
    assert screen.network == "Anvil Local"
    assert all(alert.informs for alert in screen.alerts), screen.alerts  # 13.36 marks its Network row, info


def test_a_sign_in_for_another_domain_shows_metamasks_danger_alert_and_is_refused(
    wallet_run: WalletRun,
) -> None:
    """The page asks to sign in to another site: MetaMask marks "Request from" as danger (and Confirm reads
    "Review alert"); a verifier that refuses any warning refuses it, and nothing is signed."""
    message = sign_in_text("evil.example", wallet_run.address, "https://evil.example/")
    seen: list[Displayed] = []

    def verify(shown: Displayed) -> str | None:
        seen.append(shown)
        warns = [a for a in getattr(shown, "alerts", ()) if not a.informs]
        return f"MetaMask warns: {warns}" if warns else None

    with pytest.raises(PolicyRejected) as caught:
        wallet_run.wallet.request(requests.sign_in(message, wallet_run.address), verify=verify)
    assert caught.value.dapp_error_code == 4001
    [screen] = seen
    assert isinstance(screen, DisplayedSignIn)
    assert screen.uri == "https://evil.example/"
    danger = [a for a in screen.alerts if a.severity == "danger"]
    assert [a.text.split(":")[0] for a in danger] == ["Request from"], screen.alerts
    assert wallet_run.wallet.approved_in_last_request is False


def test_watch_asset_shows_the_token_and_its_balance_and_adds_it(
    wallet_run: WalletRun, erc20_token: str
) -> None:
    seen: list[Displayed] = []

    def refuse(shown: Displayed) -> str | None:
        seen.append(shown)
        return "refused by the test"

    request = requests.watch_asset(erc20_token, TOKEN_SYMBOL, 18)
    with pytest.raises(PolicyRejected) as caught:
        wallet_run.wallet.request(request, verify=refuse)
    assert caught.value.dapp_error_code == 4001
    added = wallet_run.wallet.request(request, verify=lambda shown: seen.append(shown) or None)
    assert added is True
    assert len(seen) == 2
    for screen in seen:
        assert isinstance(screen, DisplayedToken), screen
        assert screen.symbols == (TOKEN_SYMBOL,)
        assert len(screen.balances) == 1  # MetaMask's tracked balance: "0" offline on 13.5 and 13.36
        assert all(alert.informs for alert in screen.alerts)


def test_a_token_suggestion_left_pending_by_the_page_is_refused_before_the_services_own(
    wallet_run: WalletRun, erc20_token: str
) -> None:
    """MetaMask lists every pending suggestion on one page and adds all of them: one the page left pending
    is refused before the service's own is sent, so the service's is shown and added alone."""
    wallet, mm = wallet_run.wallet, wallet_run.wallet.mm
    other = deploy_erc20(
        wallet_run.anvil, name="Other", symbol="OTH", supply=10**18, owner=wallet_run.address
    )
    suggestion = {"type": "ERC20", "options": {"address": other, "symbol": "OTH", "decimals": 18}}

    def page_suggestion_shown() -> bool:
        mm.focus(mm.notification_handle)
        mm.follow_approvals_elsewhere()
        return recognise(shown(mm.dom)).kind == "token"

    seen: list[Displayed] = []
    with hostile_page(wallet_run, ""):
        page_request_later(wallet_run, "wallet_watchAsset", suggestion, delay_ms=0)
        until("the page's token suggestion on screen", page_suggestion_shown, 15)
        request = requests.watch_asset(erc20_token, TOKEN_SYMBOL, 18)
        added = wallet.request(request, verify=lambda shown: seen.append(shown) or None)
        refused = list(wallet.refused_others)
        wait_page_request_refused(wallet_run)
    assert added is True
    assert [screen.symbols for screen in seen if isinstance(screen, DisplayedToken)] == [(TOKEN_SYMBOL,)]
    assert [text.split(":")[0] for _reason, text in refused] == ["token"]
    assert "OTH" in refused[0][1]


def test_sign_while_locked_unlocks_in_the_approval_tab(wallet_run: WalletRun) -> None:
    wallet = wallet_run.wallet
    assert wallet.lock() is True
    assert wallet.lock() is False  # locked already: nothing to do, and it says so
    signature = wallet.personal_sign(
        "signed after unlock", address=wallet.address or "", verify=lambda _s: None
    )
    recovered = Account.recover_message(encode_defunct(text="signed after unlock"), signature=signature)
    assert recovered == wallet_run.expected_address
    assert wallet.unlock() is False  # the signature unlocked it


def test_lock_then_unlock_on_request_and_the_wallet_signs_as_before(wallet_run: WalletRun) -> None:
    wallet = wallet_run.wallet
    assert wallet.lock() is True
    assert wallet.unlock() is True
    assert wallet.unlock() is False
    # Unlocked in the wallet tab, so the approval tab shows the signature itself: no unlock screen on the way.
    signature = wallet.personal_sign("after unlock", address=wallet.address or "", verify=lambda _s: None)
    recovered = Account.recover_message(encode_defunct(text="after unlock"), signature=signature)
    assert recovered == wallet_run.expected_address


def _secrets_in(directory: Path) -> list[str]:
    found = []
    for file in directory.rglob("*"):
        if file.is_file():
            blob = file.read_bytes()
            for secret in (ANVIL_MNEMONIC, WALLET_PASSWORD):
                if secret.encode() in blob:
                    found.append(f"{file.name} contains a secret")
        for secret in (ANVIL_MNEMONIC, WALLET_PASSWORD):
            if secret in str(file):
                found.append("secret in a file name")
    return found


def test_failure_writes_an_artifact_without_secrets(wallet_run: WalletRun) -> None:
    wallet = wallet_run.wallet
    # A password typed into the unlock screen is the worst case: it sits in an <input> value.
    wallet.lock()
    # Typed through the driver's own element layer: chromedriver's atoms fail on scuttled official builds.
    wallet.mm.dom.type_text("testid:unlock-password", WALLET_PASSWORD)
    with pytest.raises(MetaMaskUIError) as caught, wallet._action("artifact-probe"):
        raise MetaMaskUIError("forced failure for the artifact test")
    path = caught.value.artifact_path
    assert path
    assert (Path(path) / "page.html").is_file()
    assert "unlock" in (Path(path) / "page.html").read_text()
    assert _secrets_in(Path(path)) == []

    # And a real failing action: a dApp URL where nothing listens never gets window.ethereum.
    wallet.config = dataclasses.replace(wallet.config, ui_timeout=3.0)
    try:
        with pytest.raises(Exception) as dead:  # noqa: PT011 - AutomationTimeout or BrowserError
            wallet.open_dapp("http://127.0.0.1:9/")
    finally:
        wallet.config = dataclasses.replace(wallet.config, ui_timeout=30.0)
    dead_path = getattr(dead.value, "artifact_path", None)
    assert dead_path
    assert Path(dead_path).is_dir()
    assert _secrets_in(Path(wallet.config.artifacts_dir)) == []


def test_restart_keeps_profile_and_unlocks(wallet_run: WalletRun) -> None:
    wallet = wallet_run.wallet
    wallet.open_dapp(wallet_run.dapp_url)
    wallet.restart()
    assert wallet.address == wallet_run.expected_address
    assert wallet.operations == 0
    # Connection and network survived: no approval may be asked for these.
    assert wallet.connect(verify=lambda _s: "must not be asked") == [wallet_run.expected_address]
    assert wallet.chain_id() == 31337
    signature = wallet.personal_sign("after restart", address=wallet.address, verify=lambda _s: None)
    assert (
        Account.recover_message(encode_defunct(text="after restart"), signature=signature) == wallet.address
    )


def test_restart_restores_a_connection_that_did_not_survive_it(
    wallet_run: WalletRun, is_real_metamask: bool
) -> None:
    # MetaMask 13.36 persists its state seconds after a change, so a restart right after a connect can come
    # back disconnected. Revoking the permission from the page makes that state on the reference wallet,
    # which persists at once; real MetaMask may come back from the restart still connected (its revocation
    # not persisted yet). Either way the dApp must see the account, and any connect screen was verified.
    wallet = wallet_run.wallet
    seen: list[Displayed] = []

    def verify(shown: Displayed) -> str | None:
        seen.append(shown)
        return None if isinstance(shown, DisplayedConnect) else f"unexpected {type(shown).__name__}"

    assert wallet.connect(verify=verify) == [wallet_run.expected_address]  # connected: nothing to approve
    assert seen == []
    assert wallet.dapp is not None
    wallet.dapp.call("wallet_revokePermissions", [{"eth_accounts": {}}])
    assert wallet.dapp.call("eth_accounts") == []
    wallet.restart()
    if is_real_metamask:
        assert all(isinstance(shown, DisplayedConnect) for shown in seen)
    else:  # connected again through the same verifier, which saw the connect screen once
        assert [type(shown) for shown in seen] == [DisplayedConnect]
    assert [a.lower() for a in wallet.dapp.call("eth_accounts")] == [wallet_run.expected_address.lower()]
    assert wallet.chain_id() == 31337
    assert wallet.operations == 0


@pytest.mark.parametrize("hidden_ms", [0, 700], ids=["shown", "text-shown-late"])
def test_a_confirmation_left_pending_is_rejected_before_the_next_request(
    wallet_run: WalletRun, hidden_ms: int
) -> None:
    """One approval per request: whatever is pending when a request starts is not its own, and its refusal
    records what it said. With ``hidden_ms``, its text is hidden for that long as the next request starts
    (its DOM there, its rendered text empty): 13.36 showed such a screen right after a browser restart, its
    route already naming it, and the record once held no text."""
    wallet = wallet_run.wallet
    dapp = wallet.dapp
    assert dapp is not None
    stale = dapp.fire("personal_sign", ["0x" + b"left behind by the page".hex(), wallet_run.address])
    # Left pending: on screen before the next request starts (13.36 takes up to a second to show it; one
    # fired at the same moment as the next request is the verifier's to refuse, by what it shows).
    mm = wallet.mm
    mm.focus(mm.notification_handle)
    until("the page's confirmation on screen", lambda: recognise(shown(mm.dom)).kind == "signature", 30)
    if hidden_ms:
        mm.dom.call(
            "(ms) => { document.body.style.visibility = 'hidden';"
            " setTimeout(() => { document.body.style.visibility = ''; }, ms); }",
            hidden_ms,
        )
        assert mm.dom.body_text() == ""
    signature = wallet.personal_sign("the request", address=wallet_run.address, verify=lambda _s: None)
    assert Account.recover_message(encode_defunct(text="the request"), signature=signature) == wallet.address
    [(reason, text)] = wallet.refused_others
    assert reason == "left pending before personal_sign was sent"
    assert "left behind by the page" in text
    outcome = dapp.poll(stale)
    assert outcome is not None
    assert (outcome["state"], outcome.get("code")) == ("error", 4001)


@contextlib.contextmanager
def hostile_page(wallet_run: WalletRun, script: str) -> Iterator[None]:
    """The suite's dApp page with ``script`` run in it, and a fresh page again afterwards."""
    dapp = wallet_run.wallet.dapp
    assert dapp is not None
    dapp.focus()
    dapp.driver.execute_script(script)
    try:
        yield
    finally:
        wallet_run.wallet.open_dapp(wallet_run.dapp_url)  # a fresh page: the wrapper goes


def nonce_of(wallet_run: WalletRun) -> int:
    return int(wallet_run.anvil.rpc("eth_getTransactionCount", [wallet_run.address, "latest"]), 16)


# A page that rewrites what it is asked to send and answers for the wallet: personal_sign becomes a transfer
# to itself, eth_chainId says Mainnet, every other answer is forged. It counts the requests it saw.
_REWRITE_AND_FORGE = wrap_provider_script("""
(original) => {
  window.__seen = 0;
  return (args) => {
    window.__seen += 1;
    if (args && args.method === 'eth_chainId') return Promise.resolve('0x1');
    if (args && args.method === 'personal_sign') {
      const from = args.params[1];
      return original({method: 'eth_sendTransaction', params: [{from, to: from, value: '0x2386f26fc10000'}]});
    }
    return Promise.resolve('0x' + '11'.repeat(65));
  };
}
""")


def test_the_page_cannot_rewrite_or_answer_the_services_requests(wallet_run: WalletRun) -> None:
    """Requests go through the driver's own page of the dApp's origin, not through the dApp's provider."""
    wallet = wallet_run.wallet
    nonce_before = nonce_of(wallet_run)
    with hostile_page(wallet_run, _REWRITE_AND_FORGE):
        assert wallet.chain_id() == 31337
        message = "sent past the page"
        signature = wallet.personal_sign(message, address=wallet_run.address, verify=lambda _s: None)
        assert Account.recover_message(encode_defunct(text=message), signature=signature) == wallet.address
        assert wallet.refused_others == []
        assert wallet.dapp is not None
        wallet.dapp.focus()
        assert wallet.dapp.driver.execute_script("return window.__seen;") == 0
    assert nonce_of(wallet_run) == nonce_before
    channel = wallet.channel
    assert channel is not None
    assert channel.handle != wallet.dapp.handle
    assert urlparse(channel.url).netloc == host_port(wallet_run.dapp_url)  # the dApp's origin ...
    assert urlparse(channel.url).path not in wallet_run.dapp_paths_served()  # ... never asked of its server


def page_request_later(wallet_run: WalletRun, method: str, params: list | dict, *, delay_ms: int) -> None:
    """The dApp page sends a request of its own ``delay_ms`` after now; its outcome lands in __pageRequest."""
    dapp = wallet_run.wallet.dapp
    assert dapp is not None
    dapp.focus()
    dapp.driver.execute_script(
        """const [method, params, delay] = arguments;
        window.__pageRequest = 'waiting';
        setTimeout(() => {
          window.__pageRequest = 'pending';
          window.ethereum.request({method, params}).then(
            () => { window.__pageRequest = 'approved'; }, (e) => { window.__pageRequest = e.code; });
        }, delay);""",
        method,
        params,
        delay_ms,
    )


def page_request_state(wallet_run: WalletRun) -> object:
    dapp = wallet_run.wallet.dapp
    assert dapp is not None
    dapp.focus()
    return dapp.driver.execute_script("return window.__pageRequest;")


def wait_page_request_refused(wallet_run: WalletRun) -> None:
    until("the page's request refused (4001)", lambda: page_request_state(wallet_run) == 4001, 15)


def refused_with_the_pages_request(wallet_run: WalletRun, refused: list[tuple[str, str]]) -> list:
    """``refused`` plus what a next request refuses once the page's request was sent and shown, if it was
    still pending after the service's own (it came too late to be seen during it)."""
    wallet = wallet_run.wallet
    until("the page's request sent", lambda: page_request_state(wallet_run) != "waiting", 10)
    if page_request_state(wallet_run) == "pending":
        mm = wallet.mm

        def on_screen() -> bool:
            mm.focus(mm.notification_handle)
            return recognise(shown(mm.dom)).kind in ("signature", "transaction")

        until(
            "the page's request settled or on screen",
            lambda: page_request_state(wallet_run) != "pending" or on_screen(),
            30,
        )
        wallet.personal_sign("flush", address=wallet_run.address, verify=lambda _s: None)
        refused = refused + wallet.refused_others
    return refused


def hex_text(text: str) -> str:
    return "0x" + text.encode().hex()


class QueuedBeside:
    """A verifier for the service's own screen that first has the page send ``method(params)`` and waits
    until MetaMask counts it beside that screen ("1 of 2"), then lets ``check`` decide (every screen read)."""

    def __init__(
        self, wallet_run: WalletRun, method: str, params: list, check: Callable[[Displayed], str | None]
    ) -> None:
        self.wallet_run, self.method, self.params, self.check = wallet_run, method, params, check
        self.request_id: str | None = None

    def __call__(self, shown: Displayed) -> str | None:
        if self.request_id is None:
            wallet, mm = self.wallet_run.wallet, self.wallet_run.wallet.mm
            assert wallet.dapp is not None
            self.request_id = wallet.dapp.fire(self.method, self.params)
            mm.focus(mm.notification_handle)
            until("the page's request queued beside it", lambda: mm.page(ApprovalPage).queue_size() == 2, 15)
        return self.check(shown)

    def assert_page_request_refused(self) -> None:
        dapp = self.wallet_run.wallet.dapp
        assert dapp is not None
        assert self.request_id is not None
        request_id = self.request_id
        outcome = until("the page's request settled", lambda: dapp.poll(request_id), 15)
        assert (outcome["state"], outcome.get("code")) == ("error", 4001)


def message_is(asked: str) -> Callable[[Displayed], str | None]:
    def check(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedSignature)
        return None if shown.text == asked else f"message shown as {shown.text!r}"

    return check


def test_a_duplicate_of_the_transfer_queued_beside_it_gets_both_refused_and_nothing_sent(
    wallet_run: WalletRun,
) -> None:
    """The page queues an exact copy of the service's transfer while the service's own screen is read
    ("1 of 2"): both show what was asked, which is the service's own cannot be told, so neither is approved.
    Both are refused, the transfer fails, and nothing is sent."""
    wallet = wallet_run.wallet
    nonce_before = nonce_of(wallet_run)
    value = 10**15
    duplicate = {"from": wallet_run.address, "to": RECIPIENT, "value": hex(value)}
    verify = QueuedBeside(wallet_run, "eth_sendTransaction", [duplicate], lambda _shown: None)
    with pytest.raises(PolicyRejected, match="2 pending confirmations show what eth_sendTransaction asked"):
        wallet.send_transaction(
            TxRequest(to=RECIPIENT, value_wei=value), sender=wallet_run.address, verify=verify
        )
    assert wallet.approved_in_last_request is False
    verify.assert_page_request_refused()
    assert nonce_of(wallet_run) == nonce_before


def fee_shown(shown: Displayed) -> float:
    """The max fee a transaction screen shows, in ETH (the first number of "Max fee 0.0021 ETH")."""
    assert isinstance(shown, DisplayedTransaction)
    match = re.search(r"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)", shown.max_fee_text or "")
    assert match, shown.max_fee_text
    return float(match.group(1))


def test_a_page_copy_with_raised_fees_is_refused_and_the_services_own_sent_with_its_caps(
    wallet_run: WalletRun,
) -> None:
    """The page queues the service's transfer again (same recipient, value, no calldata) with a fee cap of
    its own, 2.1 ETH at most instead of 0.000063: only the max fee in the advanced details tells the two
    apart, and the driver reads it. The page's is refused; the service's own is sent once, with its caps."""
    wallet = wallet_run.wallet
    gas, fee, tip = 21_000, 3 * 10**9, 10**9
    raised = {
        "from": wallet_run.address,
        "to": RECIPIENT,
        "value": "0x1",
        "gas": hex(gas),
        "maxFeePerGas": hex(10**14),
        "maxPriorityFeePerGas": hex(tip),
    }

    def within_caps(shown: Displayed) -> str | None:
        return None if fee_shown(shown) <= 0.0001 else f"max fee shown as {fee_shown(shown)}"

    nonce_before = nonce_of(wallet_run)
    verify = QueuedBeside(wallet_run, "eth_sendTransaction", [raised], within_caps)
    asked = TxRequest(to=RECIPIENT, value_wei=1, gas=gas, max_fee_per_gas=fee, max_priority_fee_per_gas=tip)
    tx_hash = wallet.send_transaction(asked, sender=wallet_run.address, verify=verify)
    assert wallet.wait_for_receipt(tx_hash, timeout=30).status == 1
    on_chain = wallet_run.anvil.rpc("eth_getTransactionByHash", [tx_hash])
    assert (int(on_chain["maxFeePerGas"], 16), int(on_chain["gas"], 16)) == (fee, gas)
    assert nonce_of(wallet_run) == nonce_before + 1
    assert [reason for reason, _text in wallet.refused_others] == ["max fee shown as 2.1"]
    verify.assert_page_request_refused()


def test_a_transfer_the_wallet_cannot_pay_is_refused_on_metamasks_own_alert(wallet_run: WalletRun) -> None:
    """MetaMask marks a transfer above the balance with alerts (insufficient funds, which disables Confirm;
    13.36 also marks the fee's speed). The driver still reads the screen, alerts included, so that the
    verifier can refuse it (the service refuses every screen that warns); nothing is sent."""
    balance = int(wallet_run.anvil.rpc("eth_getBalance", [wallet_run.address, "latest"]), 16)
    nonce_before = nonce_of(wallet_run)

    def no_warnings(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedTransaction)
        warnings = [alert for alert in shown.alerts if not alert.informs]
        return f"MetaMask warns: {warnings}" if warnings else None

    with pytest.raises(PolicyRejected, match="MetaMask warns") as caught:
        wallet_run.wallet.send_transaction(
            TxRequest(to=RECIPIENT, value_wei=balance * 2), sender=wallet_run.address, verify=no_warnings
        )
    assert isinstance(caught.value.shown, DisplayedTransaction)
    # The reference wallet and 13.5 mark "Network fee" as danger; 13.36 had marked "Speed" (a warning) first.
    assert [alert for alert in caught.value.shown.alerts if not alert.informs], caught.value.shown.alerts
    assert wallet_run.wallet.approved_in_last_request is False
    assert nonce_of(wallet_run) == nonce_before


def test_a_page_request_shown_before_the_services_own_is_refused_and_its_own_approved(
    wallet_run: WalletRun,
) -> None:
    """The page's signature of the same kind comes first: it is not what was asked, so it is refused and the
    request goes on to its own screen (the page's may also be pending already: then it is refused first)."""
    wallet = wallet_run.wallet
    evil = "0x" + b"the page's own message".hex()
    asked = "the service's own message"

    def verify(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedSignature)
        return None if shown.text == asked else f"message shown as {shown.text!r}"

    with hostile_page(wallet_run, ""):
        page_request_later(wallet_run, "personal_sign", [evil, wallet_run.address], delay_ms=0)
        signature = wallet.personal_sign(asked, address=wallet_run.address, verify=verify)
        refused = refused_with_the_pages_request(wallet_run, list(wallet.refused_others))
        wait_page_request_refused(wallet_run)
    assert Account.recover_message(encode_defunct(text=asked), signature=signature) == wallet.address
    assert len(refused) == 1, refused
    assert "the page's own message" in refused[0][1]


def test_a_page_copy_with_other_calldata_is_refused_and_the_services_own_sent(wallet_run: WalletRun) -> None:
    """The page sends the same transfer to the same recipient with the same value, but with calldata of its
    own: only the calldata tells the two apart, and the driver reads it. The page's is refused; the
    service's own is sent, once, with its own calldata."""
    wallet = wallet_run.wallet
    ours = "0x" + "a9059cbb" + RECIPIENT[2:].lower().rjust(64, "0") + f"{1:064x}"
    theirs = ours[:-2] + "ff"

    def verify(shown: Displayed) -> str | None:
        assert isinstance(shown, DisplayedTransaction)
        return None if shown.data == ours else f"calldata shown as {shown.data!r}"

    nonce_before = nonce_of(wallet_run)
    copy = {"from": wallet_run.address, "to": RECIPIENT, "value": "0x0", "data": theirs}
    with hostile_page(wallet_run, ""):
        page_request_later(wallet_run, "eth_sendTransaction", [copy], delay_ms=0)
        tx_hash = wallet.send_transaction(
            TxRequest(to=RECIPIENT, value_wei=0, data=ours), sender=wallet_run.address, verify=verify
        )
        refused = refused_with_the_pages_request(wallet_run, list(wallet.refused_others))
        wait_page_request_refused(wallet_run)
    assert wallet.wait_for_receipt(tx_hash, timeout=30).status == 1
    assert wallet_run.anvil.rpc("eth_getTransactionByHash", [tx_hash])["input"] == ours
    assert nonce_of(wallet_run) == nonce_before + 1
    assert len(refused) == 1, refused
    assert refused[0][1].startswith("transaction"), refused


def test_a_confirmation_pending_beside_the_services_own_is_looked_at_and_refused_first(
    wallet_run: WalletRun,
) -> None:
    """The page's request arrives while the service's own screen is read: MetaMask shows "1 of 2". The
    driver does not approve while another is pending; it looks at the other, refuses it (not what was
    asked), and approves its own once it is the only one."""
    wallet = wallet_run.wallet
    asked = "the service's own, with company"
    page_params = [hex_text("the page's, beside it"), wallet_run.address]
    verify = QueuedBeside(wallet_run, "personal_sign", page_params, message_is(asked))
    signature = wallet.personal_sign(asked, address=wallet_run.address, verify=verify)
    assert Account.recover_message(encode_defunct(text=asked), signature=signature) == wallet.address
    assert [reason.startswith("message shown as") for reason, _text in wallet.refused_others] == [True]
    verify.assert_page_request_refused()


def test_two_pending_confirmations_that_both_show_what_was_asked_are_both_refused(
    wallet_run: WalletRun,
) -> None:
    """The page queues an exact copy of the service's request beside it: two screens show what was asked and
    which is the request's own cannot be told. Neither is approved: both are refused and the request fails."""
    wallet = wallet_run.wallet
    asked = "asked once, copied by the page"
    verify = QueuedBeside(
        wallet_run, "personal_sign", [hex_text(asked), wallet_run.address], message_is(asked)
    )
    with pytest.raises(PolicyRejected, match="2 pending confirmations show what personal_sign asked"):
        wallet.personal_sign(asked, address=wallet_run.address, verify=verify)
    assert wallet.approved_in_last_request is False
    verify.assert_page_request_refused()


def test_a_page_transfer_during_a_signature_is_refused_as_not_its_own(wallet_run: WalletRun) -> None:
    wallet = wallet_run.wallet
    nonce_before = nonce_of(wallet_run)
    transfer = {"from": wallet_run.address, "to": wallet_run.address, "value": "0x2386f26fc10000"}
    with hostile_page(wallet_run, ""):
        page_request_later(wallet_run, "eth_sendTransaction", [transfer], delay_ms=300)
        signature = wallet.personal_sign("sign this", address=wallet_run.address, verify=lambda _s: None)
        refused = refused_with_the_pages_request(wallet_run, list(wallet.refused_others))
        wait_page_request_refused(wallet_run)
    assert Account.recover_message(encode_defunct(text="sign this"), signature=signature) == wallet.address
    assert [text.split(":")[0] for _reason, text in refused] == ["transaction"]
    assert nonce_of(wallet_run) == nonce_before


def test_many_refusals_of_one_origin_go_through_the_throttle_modal_without_blocking_it(
    wallet_run: WalletRun,
) -> None:
    """After a few refusals of one origin, 13.36 asks before the next (and so does the reference wallet):
    "We've noticed multiple requests", with a button that would block the origin, the driver's channel too.
    The driver refuses through the modal's other button; its own request then still goes through."""
    wallet = wallet_run.wallet
    dapp = wallet.dapp
    assert dapp is not None
    asked = [
        dapp.fire("personal_sign", ["0x" + f"spam {i}".encode().hex(), wallet_run.address]) for i in range(4)
    ]
    mm = wallet.mm
    mm.focus(mm.notification_handle)
    until("the page's confirmations on screen", lambda: recognise(shown(mm.dom)).kind == "signature", 30)
    signature = wallet.personal_sign("after the spam", address=wallet_run.address, verify=lambda _s: None)
    assert (
        Account.recover_message(encode_defunct(text="after the spam"), signature=signature) == wallet.address
    )
    assert len(wallet.refused_others) == 4, wallet.refused_others
    outcomes = [until("the page's request settled", lambda r=r: dapp.poll(r), 15) for r in asked]
    assert [(o["state"], o.get("code")) for o in outcomes] == [("error", 4001)] * 4


def test_a_network_switched_by_the_page_refuses_the_transaction(wallet_run: WalletRun) -> None:
    """The page switches the origin to another chain it is permitted (no approval shows) just as the service
    sends: the transfer would be made for that chain. Refused, whether the switch lands before the request
    is sent or while it is pending; nothing is sent on either chain."""
    wallet = wallet_run.wallet
    anvil = NetworkSpec(31337, wallet_run.anvil.rpc_url, "Anvil Local")
    with Anvil(chain_id=31390, mnemonic=ANVIL_MNEMONIC) as other_chain:
        other = NetworkSpec(31390, other_chain.rpc_url, "Other Anvil")
        wallet.ensure_network(other, verify=lambda _s: None)  # now permitted for the origin too
        wallet.ensure_network(anvil, verify=lambda _s: None)
        nonces = (
            nonce_of(wallet_run),
            other_chain.rpc("eth_getTransactionCount", [wallet_run.address, "latest"]),
        )
        try:
            with hostile_page(wallet_run, ""):
                page_request_later(
                    wallet_run, "wallet_switchEthereumChain", [{"chainId": hex(31390)}], delay_ms=0
                )
                with pytest.raises(PolicyRejected, match="network"):
                    wallet.send_transaction(
                        TxRequest(to=RECIPIENT, value_wei=10**15),
                        sender=wallet_run.address,
                        verify=lambda _s: None,
                    )
                assert wallet.approved_in_last_request is False
        finally:
            wallet.ensure_network(anvil, verify=lambda _s: None)
        # Refused before it is sent, right after an approved request: the refusal is this request's own
        # (nothing approved for it, nothing else refused), not the previous request's approval.
        wallet.personal_sign("approved just before", address=wallet_run.address, verify=lambda _s: None)
        assert wallet.approved_in_last_request is True
        try:
            with hostile_page(wallet_run, ""):
                page_request_later(
                    wallet_run, "wallet_switchEthereumChain", [{"chainId": hex(31390)}], delay_ms=0
                )
                until("the page's switch", lambda: wallet.chain_id() == 31390, 15)
                with pytest.raises(PolicyRejected, match="not sent"):
                    wallet.send_transaction(
                        TxRequest(to=RECIPIENT, value_wei=10**15),
                        sender=wallet_run.address,
                        verify=lambda _s: None,
                    )
                assert wallet.approved_in_last_request is False
                assert wallet.refused_others == []
        finally:
            wallet.ensure_network(anvil, verify=lambda _s: None)
        after = (
            nonce_of(wallet_run),
            other_chain.rpc("eth_getTransactionCount", [wallet_run.address, "latest"]),
        )
    assert after == nonces


def test_a_chain_permission_shows_site_and_network_and_is_checked(
    wallet_run: WalletRun, is_real_metamask: bool
) -> None:
    """Another site added a network; the suite's site, connected, then asks for it. 13.5, 13.36 and the
    reference wallet ask on "Review permissions" first (a build may also switch without asking). Where it
    asks, the driver reads the asking site and the network's name, and a verifier's refusal refuses it."""
    wallet = wallet_run.wallet
    anvil = NetworkSpec(31337, wallet_run.anvil.rpc_url, "Anvil Local")
    seen: list[Displayed] = []

    def refuse(shown: Displayed) -> str | None:
        seen.append(shown)
        return "not this time"

    def by_name(shown: Displayed) -> str | None:
        ok = isinstance(shown, DisplayedNetwork) and shown.name == "Permission Anvil"
        return None if ok else f"shown {shown!r}"

    with Anvil(chain_id=31391, mnemonic=ANVIL_MNEMONIC) as chain, StaticServer(test_dapp_dir()) as other:
        spec = NetworkSpec(31391, chain.rpc_url, "Permission Anvil")
        try:
            wallet.open_dapp(other.url)
            wallet.ensure_network(spec, verify=lambda _s: None)  # added by the other site
            wallet.open_dapp(wallet_run.dapp_url)
            wallet.ensure_network(anvil, verify=lambda _s: None)
            try:
                wallet.ensure_network(spec, verify=refuse)
                asked = False
            except PolicyRejected:
                asked = True
            if asked:
                assert wallet.chain_id() == 31337
                permission = seen[0]
                assert isinstance(permission, DisplayedNetwork), seen
                assert permission.permission, seen
                assert (permission.origin, permission.name) == (host_port(wallet_run.dapp_url), spec.name)
                wallet.ensure_network(spec, verify=by_name)
            assert wallet.chain_id() == 31391
            assert asked or is_real_metamask  # the reference wallet asks, as 13.5 and 13.36 do
        finally:
            wallet.open_dapp(wallet_run.dapp_url)
            wallet.ensure_network(anvil, verify=lambda _s: None)


def test_basic_functionality_is_turned_off_when_configured(wallet_run: WalletRun) -> None:
    """METAMASK_DISABLE_BASIC_FUNCTIONALITY: through the switch's confirmation modal, whose root has no size
    of its own on 13.36 (and on the reference wallet). Late in the file: later tests need no web features."""
    wallet = wallet_run.wallet
    configured = wallet.mm.config
    wallet.mm.config = dataclasses.replace(configured, disable_basic_functionality=True)
    try:
        wallet.mm.focus(wallet.mm.wallet_handle)
        wallet.mm.apply_settings()
    finally:
        wallet.mm.config = configured
    assert wallet.privacy_settings()["Basic functionality"] is False


def test_rss_over_the_limit_makes_a_restart_due(wallet_run: WalletRun) -> None:
    wallet = wallet_run.wallet
    assert not wallet.needs_restart()
    wallet.config = dataclasses.replace(wallet.config, max_rss_mb=1)
    try:
        assert wallet.needs_restart()
    finally:
        wallet.config = dataclasses.replace(wallet.config, max_rss_mb=0)


def test_close_leaves_no_browser_process(wallet_run: WalletRun) -> None:
    wallet = wallet_run.wallet
    profile = str(wallet.browser.profile_dir.resolve())
    assert wallet.rss_bytes() > 50 * 1024 * 1024
    pids = {p.pid for p in wallet.browser.processes()}
    assert pids
    wallet.close()
    wallet.close()  # idempotent
    alive = [
        p
        for p in psutil.process_iter(["pid", "cmdline"])
        if p.info["pid"] in pids and p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert alive == []
    leftovers = [
        p.pid for p in psutil.process_iter(["cmdline"]) if any(profile in c for c in p.info["cmdline"] or [])
    ]
    assert leftovers == []
