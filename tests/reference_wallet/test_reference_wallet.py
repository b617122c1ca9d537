"""The reference wallet signs for real and keeps MetaMask 13.5's DOM contract (headless Chromium + anvil).

One browser for the module; tests run in file order and build on each other (onboard, connect, add chain...).
Extension pages are scuttled like official MetaMask builds, so they are read and driven only through the
harness's CDP isolated world (wallet_harness.IsolatedWorld). Approvals follow sidepanel.html by default.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from selenium.common.exceptions import JavascriptException, WebDriverException
from selenium.webdriver.common.by import By

from metamask_service.devstack import static_server
from metamask_service.devstack.anvil import DEFAULT_MNEMONIC, Anvil
from metamask_service.devstack.static_server import StaticServer
from tests.reference_wallet.wallet_harness import Wallet, build_wallet, remove_profile

pytestmark = pytest.mark.browser

Account.enable_unaudited_hdwallet_features()
ADDRESS = Account.from_mnemonic(DEFAULT_MNEMONIC, account_path="m/44'/60'/0'/0/0").address
PASSWORD = "correct horse battery"  # throwaway test wallet
RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
SCUTTLED = 'LavaMoat - property "{}" of globalThis is inaccessible under scuttling mode'
SURFACE_TOGGLE = '[data-testid="approval-surface-toggle"] .toggle-button'
TYPED: dict[str, Any] = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
        ],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "contents", "type": "string"},
            {"name": "amount", "type": "uint256"},
        ],
    },
    "primaryType": "Mail",
    "domain": {
        "name": "Ether Mail",
        "version": "1",
        "chainId": 31337,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
    },
    "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!",
        "amount": 12345,
    },
}


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    with Anvil() as chain:
        yield chain


@pytest.fixture(scope="module")
def dapp() -> Iterator[StaticServer]:
    server = StaticServer(static_server.test_dapp_dir()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def wallet() -> Iterator[Wallet]:
    build_wallet()
    profile = Path(tempfile.mkdtemp(prefix="refwallet-"))
    w = Wallet(profile)
    w.start()
    yield w
    w.quit()
    remove_profile(profile)


def approve_in_approvals_page(w: Wallet, route_prefix: str, button: str) -> str:
    w.in_approvals()
    route = w.wait_route(route_prefix)
    w.click(button)
    return route


def test_onboarding_by_import(wallet: Wallet) -> None:
    w = wallet
    w.tab("main", w.url("home.html"))
    assert w.wait_route("#onboarding/welcome")
    w.click("onboarding-import-wallet")
    w.wait_route("#onboarding/import-with-recovery-phrase")
    assert not w.wait("import-srp-confirm").is_enabled()
    # Typing word by word also works (first word in the textarea, then one word input each).
    words = DEFAULT_MNEMONIC.split()
    w.wait("srp-input-import__srp-note").type(words[0] + " ")
    for i, word in enumerate(words[1:], start=1):
        w.wait(f"import-srp__srp-word-{i}").type(word + " ")
    assert w.wait("import-srp-confirm").is_enabled()
    w.until(lambda: w.world.xpath("//button[normalize-space()='Clear all']")).click()
    w.paste_phrase(" ".join(["test"] * 12))  # twelve wordlist words, bad checksum
    w.wait("import-srp__srp-word-11")
    assert not w.wait("import-srp-confirm").is_enabled()
    w.until(lambda: w.world.xpath("//button[normalize-space()='Clear all']")).click()
    w.paste_phrase(DEFAULT_MNEMONIC)  # a synthetic paste event, dispatched from the isolated world
    pasted = [w.wait(f"import-srp__srp-word-{i}").value for i in range(12)]
    assert " ".join(pasted) == DEFAULT_MNEMONIC
    # Values live in properties only: a DOM dump (failure artifact) must not carry the phrase.
    assert "junk" not in w.html()
    w.click("import-srp-confirm")
    w.wait_route("#onboarding/create-password")
    w.wait("create-password-new-input").type(PASSWORD)
    w.wait("create-password-confirm-input").type(PASSWORD + "x")
    w.wait("create-password-terms").click()
    assert not w.wait("create-password-submit").is_enabled()  # passwords differ
    w.wait("create-password-confirm-input").clear()
    w.wait("create-password-confirm-input").type(PASSWORD)
    assert w.wait("create-password-submit").is_enabled()
    w.wait("create-password-terms").click()
    assert not w.wait("create-password-submit").is_enabled()  # terms unticked
    w.wait("create-password-terms").click()
    w.click("create-password-submit")
    w.wait_route("#onboarding/metametrics")
    usage, marketing = w.wait("metametrics-checkbox"), w.wait("metametrics-data-collection-checkbox")
    assert (usage.attr("data-checked"), marketing.attr("aria-disabled")) == ("true", "false")
    usage.click()  # declining usage data disables the marketing box too
    w.until(lambda: w.wait("metametrics-checkbox").attr("data-checked") == "false")
    assert w.wait("metametrics-data-collection-checkbox").attr("aria-disabled") == "true"
    w.click("metametrics-i-agree")
    for route, button in [
        ("#onboarding/completion", "onboarding-complete-done"),
        ("#onboarding/download-app", "download-app-continue"),
        ("#onboarding/pin-extension", "pin-extension-done"),
    ]:
        w.wait_route(route)
        w.click(button)
    w.wait("account-options-menu-button")
    assert w.route() in ("#", "")
    copy = w.wait("app-header-copy-button")
    assert copy.text == f"{ADDRESS[:7]}...{ADDRESS[-5:]}"


def test_announcements_cover_home_until_closed(wallet: Wallet) -> None:
    """As 13.36 when its flags say so: Transaction Shield, then Rewards, each over the whole page."""
    w = wallet
    w.tab("main", w.url("home.html"))
    w.wait("shield-entry-modal")
    # The modal's overlay is what a click meant for the page behind it would hit.
    with pytest.raises(Exception, match="would hit <div class=\"mm-modal-overlay"):
        w.wait("account-options-menu-button").click()
    w.world.press("Escape", 27)  # Escape does not close this one
    time.sleep(0.3)
    assert w.find("shield-entry-modal") is not None
    w.click("shield-entry-modal-close-button")
    w.wait("rewards-modal")
    assert w.find("shield-entry-modal") is None
    w.until(lambda: w.world.xpath("//button[normalize-space()='Join Rewards']")).click()
    assert w.wait("reference-opted-in").text == "Opted in: rewards"
    assert w.find("rewards-modal") is None
    w.d.refresh()
    w.wait("account-options-menu-button")
    assert w.find("shield-entry-modal") is None and w.find("rewards-modal") is None


def test_onboarding_not_shown_again(wallet: Wallet) -> None:
    w = wallet
    w.tab("scratch", w.url("home.html#onboarding/import-with-recovery-phrase"))
    # A finished wallet never shows onboarding again.
    w.wait("account-options-menu-button")
    assert not w.route().startswith("#onboarding")


@pytest.mark.parametrize("page", ["home.html", "notification.html", "sidepanel.html"])
def test_extension_page_is_scuttled(wallet: Wallet, page: str) -> None:
    w = wallet
    w.tab("scratch", w.url(page))
    w.wait("account-options-menu-button")  # the wallet's own UI runs on the scuttled page
    # From the page's main world, where chromedriver's atoms run, scuttled globals throw as under LavaMoat.
    for name in ("RegExp", "Window", "JSON", "Proxy", "Node"):
        with pytest.raises(JavascriptException, match=re.escape(SCUTTLED.format(name))):
            w.d.execute_script(f"return typeof {name}")
    with pytest.raises(JavascriptException, match=re.escape(SCUTTLED.format("JSON"))):
        w.d.execute_script("return JSON.stringify(1)")
    # A script touching none of them still runs (plain chromedriver keeps copies of its own, see scuttle.js).
    assert w.d.execute_script("return location.pathname") == f"/{page}"
    app = w.d.execute_script("return document.getElementById('app-content')")
    with pytest.raises(WebDriverException, match=re.escape(SCUTTLED.format("Element"))):
        app.is_displayed()
    with pytest.raises(WebDriverException, match=re.escape(SCUTTLED.format("RegExp"))):
        w.d.find_element(By.XPATH, "//*[contains(normalize-space(.),'Account')]")
    # The same reads through a CDP isolated world see that world's own globals.
    frame_id = w.d.execute_cdp_cmd("Page.getFrameTree", {})["frameTree"]["frame"]["id"]
    world = w.d.execute_cdp_cmd(
        "Page.createIsolatedWorld", {"frameId": frame_id, "worldName": "scuttle-check"}
    )

    def isolated(expression: str) -> Any:
        reply = w.d.execute_cdp_cmd(
            "Runtime.evaluate",
            {"expression": expression, "contextId": world["executionContextId"], "returnByValue": True},
        )
        assert "exceptionDetails" not in reply, reply
        return reply["result"]["value"]

    assert isolated("typeof RegExp") == "function"
    assert isolated("[typeof Window, typeof JSON, typeof Proxy, typeof Node]") == [
        "function",
        "object",
        "function",
        "function",
    ]
    assert isolated("JSON.stringify({a: 1})") == '{"a":1}'
    assert isolated("document.getElementById('app-content').checkVisibility()") is True
    w.close_tab("scratch")


def test_provider_before_connect(wallet: Wallet, dapp: StaticServer) -> None:
    w = wallet
    w.tab("dapp", dapp.url)
    # dApp pages are not scuttled: the provider is injected into their main world, as MetaMask's is.
    assert w.d.execute_script("return typeof RegExp + ' ' + typeof JSON") == "function object"
    assert w.json("window.ethereum.isMetaMask") is True
    info = w.d.execute_async_script("""
      const done = arguments[0];
      window.addEventListener('eip6963:announceProvider', (e) => done(e.detail.info), {once: true});
      window.dispatchEvent(new Event('eip6963:requestProvider'));""")
    assert info["rdns"] == "io.metamask"
    assert info["name"] == "MetaMask"
    assert w.call("eth_accounts") == {"ok": []}
    assert w.call("eth_chainId") == {"ok": "0x1"}
    assert w.call("net_version") == {"ok": "1"}
    failed = w.call("eth_blockNumber")  # Mainnet has no endpoint here: a clean error, no traffic
    assert failed["err"]["code"] == -32603
    assert w.call("personal_sign", ["0x00", ADDRESS])["err"]["code"] == 4100  # not connected


def test_connect_reject_then_approve(wallet: Wallet, dapp: StaticServer) -> None:
    w = wallet
    w.tab("approvals", w.url("sidepanel.html"))
    w.request("eth_requestAccounts")
    w.in_approvals()
    assert re.fullmatch(r"#connect/[\w-]+", w.wait_route("#connect/"))
    heading = w.wait_css(".connect-page h2")
    assert heading.text == "127.0.0.1"  # MetaMask 13.5 shows the host without scheme or port
    w.click("cancel-btn")
    assert w.result() == {"err": {"code": 4001, "message": "User rejected the request."}}
    w.in_approvals()
    w.until(lambda: w.route() in ("#", ""))

    w.request("eth_requestAccounts")
    approve_in_approvals_page(w, "#connect/", "confirm-btn")
    assert w.result() == {"ok": [ADDRESS.lower()]}
    assert w.call("eth_requestAccounts", timeout=3) == {"ok": [ADDRESS.lower()]}  # connected: no screen
    assert w.call("eth_accounts") == {"ok": [ADDRESS.lower()]}


def add_chain_params(anvil: Anvil) -> list[dict[str, Any]]:
    return [
        {
            "chainId": hex(anvil.chain_id),
            "chainName": "Anvil Local",
            "rpcUrls": [anvil.rpc_url],
            "nativeCurrency": {"name": "Ether", "symbol": "ETH", "decimals": 18},
        }
    ]


def test_add_chain_reject_then_approve(wallet: Wallet, anvil: Anvil) -> None:
    w = wallet
    w.request("wallet_switchEthereumChain", [{"chainId": hex(anvil.chain_id)}])
    assert w.result()["err"]["code"] == 4902
    w.request("wallet_addEthereumChain", add_chain_params(anvil))
    approve_in_approvals_page(w, "#confirmation/", "confirmation-cancel-button")
    assert w.result()["err"]["code"] == 4001

    w.tab("dapp")
    w.d.execute_script("window.__chains = []; ethereum.on('chainChanged', (c) => window.__chains.push(c));")
    w.request("wallet_addEthereumChain", add_chain_params(anvil))
    w.in_approvals()
    w.wait_route("#confirmation/")
    page = w.wait_css(".confirmation-page")
    w.wait_css(".truncated-definition-list__view-more").dom_click()  # element.click() from the isolated world
    shown = page.text
    for expected in ("Anvil Local", anvil.rpc_url, str(anvil.chain_id), "http://127.0.0.1:"):
        assert expected in shown
    w.click("confirmation-submit-button")
    assert w.result() == {"ok": None}
    assert w.call("eth_chainId") == {"ok": hex(anvil.chain_id)}
    assert w.until(lambda: w.json("window.__chains")) == [hex(anvil.chain_id)]
    assert int(w.call("eth_blockNumber")["ok"], 16) >= 0  # reads now go to anvil
    assert w.call("wallet_switchEthereumChain", [{"chainId": "0x1"}]) == {"ok": None}
    assert w.call("wallet_switchEthereumChain", [{"chainId": hex(anvil.chain_id)}]) == {"ok": None}


def test_personal_sign_recovers(wallet: Wallet) -> None:
    w = wallet
    message = "Hello from the reference wallet\nline two"
    w.request("personal_sign", ["0x" + message.encode().hex(), ADDRESS])
    w.in_approvals()
    assert w.wait_route("#confirm-transaction/").endswith("/signature-request")
    body = w.body_text()
    assert "Request from" in body
    assert "127.0.0.1:" in body
    assert "Hello from the reference wallet" in body
    w.click("confirm-footer-button")
    signature = w.result()["ok"]
    assert Account.recover_message(encode_defunct(text=message), signature=signature) == ADDRESS
    w.in_approvals()
    w.until(lambda: w.route() in ("#", ""))

    w.request("personal_sign", ["plain text", ADDRESS])
    w.in_approvals()
    w.wait_route("#confirm-transaction/")
    w.refuse()
    assert w.result()["err"] == {"code": 4001, "message": "User rejected the request."}


def test_typed_data_v4_recovers(wallet: Wallet) -> None:
    w = wallet
    w.request("eth_signTypedData_v4", [ADDRESS, json.dumps(TYPED)])
    w.in_approvals()
    w.wait_route("#confirm-transaction/")
    section = w.wait("confirmation_message-section").text
    for expected in ("Primary type:", "Mail", "Cow", "Bob", "Hello, Bob!", "12345", "0xCD2a3...DD826"):
        assert expected in section
    w.click("confirm-footer-button")
    signature = w.result()["ok"]
    assert Account.recover_message(encode_typed_data(full_message=TYPED), signature=signature) == ADDRESS


def test_pending_request_survives_service_worker_restart(wallet: Wallet) -> None:
    w = wallet
    w.request("personal_sign", ["0x" + b"after restart".hex(), ADDRESS])
    w.in_approvals()
    w.wait_route("#confirm-transaction/")

    def workers() -> set[str]:
        return {t["targetId"] for t in w.targets() if t["type"] == "service_worker" and w.ext_id in t["url"]}

    before = workers()
    for target_id in before:
        w.d.execute_cdp_cmd("Target.closeTarget", {"targetId": target_id})
    # The page's bridge reconnects at once, which starts a new worker that must pick the approval up again.
    time.sleep(1.0)
    w.in_approvals()
    w.click("confirm-footer-button")
    signature = w.result()["ok"]
    assert Account.recover_message(encode_defunct(text="after restart"), signature=signature) == ADDRESS


def test_send_transaction_mined_and_reject(wallet: Wallet, anvil: Anvil) -> None:
    w = wallet
    before = int(anvil.rpc("eth_getBalance", [RECIPIENT, "latest"]), 16)
    w.request("eth_sendTransaction", [{"from": ADDRESS, "to": RECIPIENT, "value": hex(10**15)}])
    w.in_approvals()
    route = w.wait_route("#confirm-transaction/")
    assert not route.endswith("/signature-request")
    body = w.body_text()
    assert "0.001 ETH" in body
    assert "0x70997...c79C8" in body
    # The full recipient is one click away, in the name-details modal (as in MetaMask 13.5).
    w.wait_css('[data-testid="recipient-address"] p').click()
    field = w.wait_css(".name-details__address input")
    assert field.value == RECIPIENT
    w.wait_css("section[role='dialog'] button[aria-label='Close']").click()
    w.until(lambda: w.css(".name-details__address input") is None)
    w.click("confirm-footer-button")
    tx_hash = w.result()["ok"]
    receipt = w.until(lambda: w.call("eth_getTransactionReceipt", [tx_hash])["ok"], 20)
    assert int(receipt["status"], 16) == 1
    assert int(anvil.rpc("eth_getBalance", [RECIPIENT, "latest"]), 16) == before + 10**15

    nonce = anvil.rpc("eth_getTransactionCount", [ADDRESS, "latest"])
    w.request("eth_sendTransaction", [{"from": ADDRESS, "to": RECIPIENT, "value": hex(1234)}])
    w.in_approvals()
    w.wait_route("#confirm-transaction/")
    assert "<0.000001 ETH" in w.body_text()
    w.refuse()
    assert w.result()["err"]["code"] == 4001
    assert anvil.rpc("eth_getTransactionCount", [ADDRESS, "latest"]) == nonce


def test_two_pending_then_reject_all(wallet: Wallet) -> None:
    w = wallet
    w.tab("dapp")
    w.d.execute_script(
        """
      window.__many = [];
      for (const m of ['0x6f6e65', '0x74776f']) window.ethereum.request({method: 'personal_sign',
        params: [m, arguments[0]]}).then(() => window.__many.push('ok'), (e) => window.__many.push(e.code));
    """,
        ADDRESS,
    )
    w.in_approvals()
    w.wait_route("#confirm-transaction/")
    assert w.until(lambda: w.wait("confirm-page-nav-position").text == "1 of 2")
    w.click("confirm-nav__reject-all")
    w.tab("dapp")
    assert w.until(lambda: len(w.json("window.__many")) == 2 and w.json("window.__many")) == [4001, 4001]


def sign_hex(text: str) -> list[str]:
    return ["0x" + text.encode().hex(), ADDRESS]


def surface_toggle(w: Wallet) -> str:
    """State of Settings > Advanced > "Open dApp requests in the side panel": "on" or "off"."""
    w.tab("main", w.url("home.html#settings/advanced"))
    assert "Open dApp requests in the side panel" in w.wait("approval-surface-toggle").text
    return "on" if "toggle-button--on" in (w.wait_css(SURFACE_TOGGLE).attr("class") or "") else "off"


def flip_surface_toggle(w: Wallet, want: str) -> None:
    assert surface_toggle(w) != want
    w.wait_css(SURFACE_TOGGLE).click()
    w.until(lambda: f"toggle-button--{want}" in (w.wait_css(SURFACE_TOGGLE).attr("class") or ""))


def assert_stays_idle(w: Wallet, tab: str, page: str, route: str) -> None:
    """The page is not following approvals: it stays on "#" and sends an approval's route back there."""
    w.tab(tab)
    time.sleep(0.5)
    assert w.route() in ("#", "")
    w.tab(tab, w.url(f"{page}{route}"))
    w.wait("account-options-menu-button")
    w.until(lambda: w.route() in ("#", ""))


def page_ids(w: Wallet, page: str) -> list[str]:
    """Target ids of the pages showing a wallet page; chromedriver's window handles are target ids too."""
    return sorted(t["targetId"] for t in w.page_targets(page))


def close_targets(w: Wallet, targets: list[dict[str, Any]]) -> None:
    for t in targets:
        w.d.execute_cdp_cmd("Target.closeTarget", {"targetId": t["targetId"]})
    w.until(lambda: not {t["targetId"] for t in targets} & {t["targetId"] for t in w.targets()})


def test_approvals_follow_the_side_panel_by_default(wallet: Wallet) -> None:
    w = wallet
    assert surface_toggle(w) == "on"  # the default
    w.tab("notification", w.url("notification.html"))
    w.wait("account-options-menu-button")
    assert page_ids(w, "sidepanel.html") == [w.handles["approvals"]]  # the harness's approvals tab only

    w.request("personal_sign", sign_hex("side panel"))
    w.in_approvals()
    route = w.wait_route("#confirm-transaction/")
    assert_stays_idle(w, "notification", "notification.html", route)
    # A sidepanel.html view was open: the wallet opened no other tab and no popup window.
    assert page_ids(w, "sidepanel.html") == [w.handles["approvals"]]
    assert page_ids(w, "notification.html") == [w.handles["notification"]]
    approve_in_approvals_page(w, "#confirm-transaction/", "confirm-footer-button")
    assert Account.recover_message(encode_defunct(text="side panel"), signature=w.result()["ok"]) == ADDRESS

    # With no sidepanel.html open, the wallet opens one itself, in a tab of its own (docs/metamask.md
    # pitfall 1: an extension-opened page the harness cannot drive, so it approves from a tab it opens again).
    w.close_tab("approvals")
    assert not w.page_targets("sidepanel.html")
    w.request("personal_sign", sign_hex("opened by the wallet"))
    opened = w.until(lambda: w.page_targets("sidepanel.html"), 10)
    assert len(opened) == 1
    assert opened[0]["targetId"] not in w.handles.values()
    w.until(lambda: "#confirm-transaction/" in w.page_targets("sidepanel.html")[0]["url"])  # it follows too
    assert page_ids(w, "notification.html") == [w.handles["notification"]]  # still no popup
    w.tab("approvals", w.url("sidepanel.html"))
    approve_in_approvals_page(w, "#confirm-transaction/", "confirm-footer-button")
    signature = w.result()["ok"]
    assert (
        Account.recover_message(encode_defunct(text="opened by the wallet"), signature=signature) == ADDRESS
    )
    close_targets(w, opened)


def test_approvals_in_notification_page_when_switched(wallet: Wallet) -> None:
    w = wallet
    flip_surface_toggle(w, "off")
    sidepanels = page_ids(w, "sidepanel.html")
    w.request("personal_sign", sign_hex("notification"))
    w.tab("notification")
    route = w.wait_route("#confirm-transaction/")
    assert_stays_idle(w, "approvals", "sidepanel.html", route)
    assert page_ids(w, "sidepanel.html") == sidepanels
    w.tab("notification")
    w.click("confirm-footer-button")
    assert Account.recover_message(encode_defunct(text="notification"), signature=w.result()["ok"]) == ADDRESS

    # As before side panels: with no notification.html open, a popup window (a page the harness cannot drive).
    w.close_tab("notification")
    w.request("personal_sign", sign_hex("popup"))
    popup = w.until(lambda: w.page_targets("notification.html"), 10)
    assert popup[0]["targetId"] not in w.handles.values()
    assert page_ids(w, "sidepanel.html") == sidepanels
    w.tab("notification", w.url("notification.html"))
    w.wait_route("#confirm-transaction/")
    w.refuse()
    assert w.result()["err"]["code"] == 4001
    close_targets(w, popup)

    flip_surface_toggle(w, "on")  # back to the default for the rest of the module
    w.request("personal_sign", sign_hex("back"))
    w.in_approvals()
    w.wait_route("#confirm-transaction/")
    w.refuse()
    assert w.result()["err"]["code"] == 4001


def test_lock_sign_while_locked_and_restart(wallet: Wallet, dapp: StaticServer) -> None:
    w = wallet
    w.tab("main", w.url("home.html"))
    w.click("account-options-menu-button")
    w.click("global-menu-lock")
    w.wait("unlock-password")
    assert w.call("eth_accounts") == {"ok": [ADDRESS.lower()]}  # still answers while locked
    w.request("personal_sign", ["0x6869", ADDRESS])
    w.in_approvals()  # sidepanel.html: the page that follows approvals asks for the password first
    w.wait_route("#unlock")
    w.wait("unlock-password").type("wrong password")
    w.click("unlock-submit")
    w.until(lambda: "Password is incorrect" in w.body_text())
    w.wait("unlock-password").clear()
    w.wait("unlock-password").type(PASSWORD)
    w.click("unlock-submit")
    w.wait_route("#confirm-transaction/")
    w.click("confirm-footer-button")
    signature = w.result()["ok"]
    assert Account.recover_message(encode_defunct(text="hi"), signature=signature) == ADDRESS
    # Like MetaMask, a tab left on #unlock stays there when another tab unlocked the wallet, until reloaded.
    w.tab("main")
    time.sleep(0.5)
    assert w.route() == "#unlock"
    w.tab("main", w.url("home.html"))
    w.wait("account-options-menu-button")

    # Restart on the same profile: locked, own home tab again, site connection and network kept.
    w.quit()
    w.start()
    w.tab("main", w.url("home.html"))
    w.wait_route("#unlock")
    w.wait("unlock-password").type(PASSWORD)
    w.click("unlock-submit")
    w.wait("account-options-menu-button")
    w.tab("dapp", dapp.url)  # start() forgot the old tabs
    assert w.call("eth_accounts") == {"ok": [ADDRESS.lower()]}
    assert w.call("eth_chainId") == {"ok": hex(31337)}
    assert w.call("wallet_revokePermissions", [{"eth_accounts": {}}]) == {"ok": None}
    assert w.call("eth_accounts") == {"ok": []}


def test_settings_toggles(wallet: Wallet) -> None:
    """Spread over pages as in 13.36: transactions (security alerts; simulations by label only), privacy
    (MetaMetrics, declined during onboarding; basic functionality)."""
    w = wallet
    w.tab("main", w.url("home.html#settings/transactions"))
    simulations = ".settings-page__body > .settings-page__content-padded:last-child .toggle-button"
    for css in ('[data-testid="securityAlert"] .toggle-button', simulations):
        toggle = w.wait_css(css)
        assert "toggle-button--on" in (toggle.attr("class") or "")
        toggle.click()
        w.until(lambda css=css: "toggle-button--off" in (w.wait_css(css).attr("class") or ""))
    w.tab("main", w.url("home.html#settings/privacy"))
    metametrics = '[data-testid="participate-in-meta-metrics-toggle"] .toggle-button'
    assert "toggle-button--off" in (w.wait_css(metametrics).attr("class") or "")
    basic = '[data-testid="advanced-setting-show-testnet-conversion"] .toggle-button'
    w.wait_css(basic).click()
    w.wait("dapp-permission-modal")
    assert not w.wait("basic-configuration-modal-toggle-button").is_enabled()
    w.wait_css("[data-testid='dapp-permission-modal'] label").click()
    w.click("basic-configuration-modal-toggle-button")
    w.until(lambda: "toggle-button--off" in (w.wait_css(basic).attr("class") or ""))
