"""dApp flows on MetaMask's own test dApp: its buttons clicked, every confirmation they raise judged by the
flow's expectations. Runs unchanged on real MetaMask (METAMASK_EXTENSION_PATH) and on the reference wallet.

One browser for the module (its own profile): the tests run in file order and build on each other's state
(the network, the connection, the token the dApp deploys).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from automation import (
    BrowserConfig,
    Displayed,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedToken,
    DisplayedTransaction,
    Expectation,
    FlowOutcome,
    NetworkSpec,
    SpendingCap,
    Step,
    WalletBrowser,
)
from automation.metamask.approvals import CONFIRMATION, CONNECT, PERMISSION, SIGNATURE, TOKEN, TRANSACTION
from metamask_service.devstack import Anvil, StaticServer
from tests.automation.conftest import ANVIL_MNEMONIC, WALLET_PASSWORD, expected_address
from tests.support.dapp_requests import sign_permit_request
from tests.support.polling import until

pytestmark = pytest.mark.browser

PERSONAL_MESSAGE = "Example `personal_sign` message"  # what the test dApp's Personal Sign asks
SEND_TO = "0x0c54FcCd2e384b4BB6f2E405Bf5Cbc15a017AaFb"  # the test dApp's Send recipient
TRANSFER_TO = "0x2f318C334780961FB129D2a6c30D0763d9a5C970"  # its Transfer Tokens recipient
APPROVE_SPENDER = "0x9bc5baF874d2DA8D216aE9f137804184EE5AfEF4"  # its Approve Tokens default spender
ADDED_CHAIN = NetworkSpec(chain_id=1338, rpc_url="http://127.0.0.1:8546", name="Localhost 8546")
SIGNATURE_RE = re.compile(r"0x[0-9a-fA-F]{130}")


@dataclass
class FlowSuite:
    wallet: WalletBrowser
    address: str
    anvil: Anvil
    dapp_url: str
    token: str = ""  # the ERC-20 the dApp deployed (test_create_token)
    sent: list[dict] = field(default_factory=list)  # the last flow's transactions, from anvil itself

    @property
    def host(self) -> str:
        return urlparse(self.dapp_url).netloc

    def flow(self, steps: list[Step], expectations: list[Expectation], limit: float = 60.0) -> FlowOutcome:
        """Runs the flow; ``sent`` is then every transaction of the account from its nonce before the flow,
        read from anvil (the service reads them from the session's RPC) once the approved ones are mined."""
        nonce = int(self.anvil.rpc("eth_getTransactionCount", [self.address, "pending"]), 16)
        outcome = self.wallet.run_flow(steps, expectations, time_limit=limit)
        approved = sum(1 for c in outcome.confirmations if c.decision == "approved" and c.kind == TRANSACTION)
        until(
            "the approved transactions mined",
            lambda: int(self.anvil.rpc("eth_getTransactionCount", [self.address, "latest"]), 16)
            >= nonce + approved,
            20.0,
        )
        self.sent = mined_from(self.anvil, self.address, nonce)
        return outcome


def mined_from(anvil: Anvil, address: str, nonce: int) -> list[dict]:
    """The account's mined transactions with a nonce from ``nonce`` on, each with its receipt, by nonce."""
    found = []
    for number in range(int(anvil.rpc("eth_blockNumber"), 16), -1, -1):
        for tx in anvil.rpc("eth_getBlockByNumber", [hex(number), True])["transactions"]:
            if tx["from"].lower() == address.lower() and int(tx["nonce"], 16) >= nonce:
                found.append({**tx, "receipt": anvil.rpc("eth_getTransactionReceipt", [tx["hash"]])})
    return sorted(found, key=lambda tx: int(tx["nonce"], 16))


@pytest.fixture(scope="module")
def suite(
    browser_config: BrowserConfig, anvil_chain: Anvil, dapp_server: StaticServer
) -> Iterator[FlowSuite]:
    wallet = WalletBrowser(browser_config, "flow-suite")
    try:
        wallet.start()
        address = wallet.ensure_wallet(mnemonic=ANVIL_MNEMONIC, password=WALLET_PASSWORD)
        assert address == expected_address()
        wallet.open_dapp(dapp_server.url)
        spec = NetworkSpec(chain_id=anvil_chain.chain_id, rpc_url=anvil_chain.rpc_url, name="Anvil Local")
        wallet.ensure_network(spec, verify=lambda shown: _network_reason(shown, spec))
        yield FlowSuite(wallet, address, anvil_chain, dapp_server.url)
    finally:
        wallet.close()


def _network_reason(shown: Displayed, spec: NetworkSpec) -> str | None:
    if not isinstance(shown, DisplayedNetwork):
        return f"unexpected {type(shown).__name__}"
    if shown.name != spec.name:
        return f"network shown as {shown.name!r}"
    if shown.chain_id and shown.chain_id != str(spec.chain_id):
        return f"chain id shown as {shown.chain_id!r}"
    return None


def expect(
    kinds: tuple[str, ...], method: str, check: Callable[[Displayed], str | None], **kw: bool
) -> Expectation:
    return Expectation(kinds=kinds, method=method, verify=check, **kw)


def is_a(kind: type, test: Callable[[object], bool] = lambda _s: True) -> Callable[[Displayed], str | None]:
    """A check that accepts a screen of ``kind`` for which ``test`` holds."""

    def check(shown: Displayed) -> str | None:
        if not isinstance(shown, kind):
            return f"unexpected {type(shown).__name__}"
        return None if test(shown) else f"not the expected {kind.__name__}: {shown}"

    return check


def reads(outcome: FlowOutcome) -> dict[str, str | None]:
    return {s.name: s.text for s in outcome.steps if s.name}


def click(selector: str, **kw: float) -> Step:
    return Step("click", selector=selector, **kw)


def test_connect_button_is_approved_as_expected(suite: FlowSuite) -> None:
    outcome = suite.flow(
        [
            Step("navigate", path="/"),
            click("#connectButton"),
            Step("wait", selector="#accounts", text=suite.address.lower()[:10]),
            Step("read", selector="#accounts", name="accounts"),
        ],
        [expect((CONNECT,), "eth_requestAccounts", is_a(DisplayedConnect, lambda s: s.origin in suite.host))],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert outcome.met == [True]
    assert [c.decision for c in outcome.confirmations] == ["approved"]
    assert reads(outcome)["accounts"].lower() == suite.address.lower()
    assert all(s.ok for s in outcome.steps)


def test_personal_sign_button_signs_what_was_shown(suite: FlowSuite) -> None:
    outcome = suite.flow(
        [click("#personalSign"), Step("read", selector="#personalSignResult", name="signature")],
        [
            expect(
                (SIGNATURE,),
                "personal_sign",
                is_a(
                    DisplayedSignature, lambda s: s.text == PERSONAL_MESSAGE and s.method == "personal_sign"
                ),
            )
        ],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    signature = reads(outcome)["signature"]
    assert signature
    assert SIGNATURE_RE.fullmatch(signature)
    assert (
        Account.recover_message(encode_defunct(text=PERSONAL_MESSAGE), signature=signature) == suite.address
    )
    assert outcome.confirmations[0].shown is not None


def test_personal_sign_rejected_when_the_flow_asks_so(suite: FlowSuite) -> None:
    outcome = suite.flow(
        [click("#personalSign"), Step("wait", selector="#personalSign", text="Error")],
        [expect((SIGNATURE,), "personal_sign", is_a(DisplayedSignature), approve=False)],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert [(c.decision, c.expectation) for c in outcome.confirmations] == [("rejected", 0)]
    assert suite.wallet.refused_others == []  # asked for: not a refusal of something unexpected


def test_a_screen_no_expectation_accepts_is_refused_and_recorded(suite: FlowSuite) -> None:
    """The flow expects a personal_sign but the button asks for typed data: refused, and the flow's own
    expectation stays unmet."""
    outcome = suite.flow(
        [click("#signTypedDataV4"), Step("wait", selector="#signTypedDataV4Result", text="Error")],
        [expect((SIGNATURE,), "personal_sign", is_a(DisplayedSignature))],
        limit=20.0,
    )
    assert outcome.met == [False]
    assert [c.decision for c in outcome.confirmations] == ["rejected"]
    assert "eth_signTypedData_v4" in outcome.confirmations[0].reason
    assert len(suite.wallet.refused_others) == 1


def test_typed_data_v4_button_signs_the_mail(suite: FlowSuite) -> None:
    def mail(shown: DisplayedSignature) -> bool:
        return "Primary type: Mail" in shown.text and "Hello, Bob!" in shown.text

    outcome = suite.flow(
        [
            click("#signTypedDataV4"),
            # The result of an earlier flow ("Error: ...") stays on the page until this one's is written.
            Step("wait", selector="#signTypedDataV4Result", text="0x"),
            Step("read", selector="#signTypedDataV4Result", name="signature"),
        ],
        [expect((SIGNATURE,), "eth_signTypedData_v4", is_a(DisplayedSignature, mail))],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert SIGNATURE_RE.fullmatch(reads(outcome)["signature"] or ""), outcome.confirmations


def _the_permit(shown: DisplayedSignature) -> bool:
    """MetaMask's permit screen: 13.5 lists the typed fields, 13.36 shows a spending-cap request; both show
    the amount and the deadline's date."""
    return shown.method == "eth_signTypedData_v4" and ("3,000" in shown.text or "3000" in shown.text)


def test_sign_permit_button_signs_the_permit_it_shows(suite: FlowSuite) -> None:
    from eth_account.messages import encode_typed_data

    outcome = suite.flow(
        [
            click("#signPermit"),
            Step("wait", selector="#signPermitResult", text="0x"),
            Step("read", selector="#signPermitResult", name="signature"),
        ],
        [expect((SIGNATURE,), "eth_signTypedData_v4", is_a(DisplayedSignature, _the_permit))],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    signature = reads(outcome)["signature"] or ""
    assert SIGNATURE_RE.fullmatch(signature), outcome.confirmations
    permit = sign_permit_request(chain_id=suite.anvil.chain_id, owner=suite.address)
    signed = Account.recover_message(encode_typed_data(full_message=permit), signature=signature)
    assert signed == suite.address


def test_sign_permit_rejected_when_the_flow_asks_so(suite: FlowSuite) -> None:
    outcome = suite.flow(
        [click("#signPermit"), Step("wait", selector="#signPermitResult", text="Error")],
        [expect((SIGNATURE,), "eth_signTypedData_v4", is_a(DisplayedSignature, _the_permit), approve=False)],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert [(c.decision, c.expectation) for c in outcome.confirmations] == [("rejected", 0)]


@pytest.mark.parametrize("button", ["#sendButton", "#sendEIP1559Button"], ids=["legacy", "eip1559"])
def test_send_buttons_are_mined_and_found_on_chain(suite: FlowSuite, button: str) -> None:
    nonce = int(suite.anvil.rpc("eth_getTransactionCount", [suite.address, "latest"]), 16)

    def to_send_to(shown: DisplayedTransaction) -> bool:
        return shown.to.lower()[:6] == SEND_TO.lower()[:6] and shown.value_text in ("", "0 ETH", "0")

    outcome = suite.flow(
        [click(button)],
        [expect((TRANSACTION,), "eth_sendTransaction", is_a(DisplayedTransaction, to_send_to))],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert outcome.met == [True]
    assert len(suite.sent) == 1
    sent = suite.sent[0]
    assert (int(sent["nonce"], 16), sent["to"].lower(), int(sent["value"], 16)) == (nonce, SEND_TO.lower(), 0)
    assert sent["receipt"]["status"] == "0x1"


def test_a_send_rejected_as_asked_sends_nothing(suite: FlowSuite) -> None:
    before = suite.anvil.rpc("eth_getTransactionCount", [suite.address, "latest"])
    outcome = suite.flow(
        [click("#sendButton")],
        [expect((TRANSACTION,), "eth_sendTransaction", is_a(DisplayedTransaction), approve=False)],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert [c.decision for c in outcome.confirmations] == ["rejected"]
    time.sleep(1.0)
    assert suite.sent == []
    assert suite.anvil.rpc("eth_getTransactionCount", [suite.address, "latest"]) == before


def test_a_step_that_cannot_run_ends_the_flow_with_its_error(suite: FlowSuite) -> None:
    outcome = suite.flow([Step("click", selector="#no-such-button", timeout=0.5), click("#sendButton")], [])
    assert outcome.error is not None
    assert outcome.error.kind == "flow_step_failed"
    assert [s.ok for s in outcome.steps] == [False]
    assert outcome.confirmations == []
    assert suite.sent == []


def test_navigation_to_another_origin_is_refused(suite: FlowSuite) -> None:
    outcome = suite.flow([Step("navigate", path="http://127.0.0.2:1/")], [])
    assert outcome.error is not None
    assert "not on" in outcome.steps[0].error


@pytest.fixture(scope="module")
def chain_8546() -> Iterator[Anvil]:
    """The chain the test dApp's Add Chain button names (chain 1338 at 127.0.0.1:8546)."""
    with Anvil(chain_id=ADDED_CHAIN.chain_id, port=8546, mnemonic=ANVIL_MNEMONIC) as chain:
        yield chain


def network_expected(spec: NetworkSpec, **kw: bool) -> Expectation:
    return expect(
        (CONFIRMATION, PERMISSION), "wallet_addEthereumChain", lambda s: _network_reason(s, spec), **kw
    )


def back_to_anvil(suite: FlowSuite) -> None:
    spec = NetworkSpec(chain_id=suite.anvil.chain_id, rpc_url=suite.anvil.rpc_url, name="Anvil Local")
    suite.wallet.ensure_network(spec, verify=lambda shown: _network_reason(shown, spec))


def test_add_chain_rejected_as_asked_leaves_the_network(suite: FlowSuite, chain_8546: Anvil) -> None:
    outcome = suite.flow([click("#addEthereumChain")], [network_expected(ADDED_CHAIN, approve=False)])
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert [c.decision for c in outcome.confirmations] == ["rejected"]
    assert outcome.chain_id == suite.anvil.chain_id


def test_add_chain_then_switch_chain_buttons(suite: FlowSuite, chain_8546: Anvil) -> None:
    added = suite.flow([click("#addEthereumChain")], [network_expected(ADDED_CHAIN)])
    assert added.error is None, added.error
    assert added.met == [True]
    assert all(c.decision == "approved" for c in added.confirmations)
    if added.chain_id != ADDED_CHAIN.chain_id:
        # A build that adds without switching: the dApp's Switch Chain button asks for it.
        switched = suite.flow([click("#switchEthereumChain")], [network_expected(ADDED_CHAIN)])
        assert switched.error is None, switched.error
        assert switched.chain_id == ADDED_CHAIN.chain_id
    assert suite.wallet.adopt_network(ADDED_CHAIN, verify=lambda s: _network_reason(s, ADDED_CHAIN))
    back_to_anvil(suite)
    # Added before: Switch Chain asks only for the switch, which the flow approves.
    switched = suite.flow([click("#switchEthereumChain")], [network_expected(ADDED_CHAIN)])
    assert switched.error is None, switched.error
    assert switched.chain_id == ADDED_CHAIN.chain_id
    back_to_anvil(suite)
    assert suite.wallet.chain_id() == suite.anvil.chain_id


def test_create_token_deploys_from_the_page(suite: FlowSuite) -> None:
    outcome = suite.flow(
        [click("#createToken"), Step("read", selector="#erc20TokenAddresses", name="token", timeout=30)],
        [
            expect(
                (TRANSACTION,),
                "eth_sendTransaction",
                is_a(DisplayedTransaction, lambda s: s.value_text in ("", "0 ETH")),
            )
        ],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    token = reads(outcome)["token"] or ""
    assert re.fullmatch(r"0x[0-9a-fA-F]{40}", token), token
    assert len(suite.sent) == 1
    assert suite.sent[0]["to"] is None
    assert suite.sent[0]["receipt"]["contractAddress"].lower() == token.lower()
    suite.token = token


def test_watch_assets_button_adds_the_token(suite: FlowSuite) -> None:
    assert suite.token, "needs the token test_create_token_deploys_from_the_page deployed"
    outcome = suite.flow(
        [click("#watchAssets")],
        [expect((TOKEN,), "wallet_watchAsset", is_a(DisplayedToken, lambda s: s.symbols == ("TST",)))],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert [c.decision for c in outcome.confirmations] == ["approved"]


def _calls(selector: str, *words: str) -> Callable[[object], bool]:
    def test(shown: object) -> bool:
        assert isinstance(shown, DisplayedTransaction)
        data = (shown.data or "").lower()
        return data.startswith(selector) and all(
            w.lower().removeprefix("0x").rjust(64, "0") in data for w in words
        )

    return test


@pytest.mark.parametrize(
    ("button", "selector", "words"),
    [
        ("#approveTokens", "0x095ea7b3", (APPROVE_SPENDER, hex(7 * 10**4))),
        ("#increaseTokenAllowance", "0x39509351", (APPROVE_SPENDER, hex(1 * 10**4))),
        ("#transferTokens", "0xa9059cbb", (TRANSFER_TO, hex(15 * 10**3))),
    ],
    ids=["approve", "increase_allowance", "transfer"],
)
def test_token_buttons_send_the_calls_they_show(
    suite: FlowSuite, button: str, selector: str, words: tuple[str, str]
) -> None:
    assert suite.token, "needs the token test_create_token_deploys_from_the_page deployed"
    # Transfer Tokens by its visible text (whitespace as a caller may type it), the others by selector.
    step = Step("click", text=" Transfer  Tokens") if button == "#transferTokens" else click(button)
    outcome = suite.flow(
        [step],
        [expect((TRANSACTION,), "eth_sendTransaction", is_a(DisplayedTransaction, _calls(selector, *words)))],
    )
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert outcome.met == [True], outcome.confirmations
    assert len(suite.sent) == 1
    sent = suite.sent[0]
    assert sent["to"].lower() == suite.token.lower()
    assert sent["input"].startswith(selector)
    assert sent["receipt"]["status"] == "0x1"
    shown = outcome.confirmations[0].shown
    assert isinstance(shown, DisplayedTransaction)
    if selector == "0x095ea7b3":  # MetaMask's "Spending cap request": the cap (token units) and the spender
        # In token units (4 decimals); 13.5 showed raw units once, offline, before it had read them.
        assert shown.spending_cap in ("7", "70,000")
        assert shown.value_text == ""
        assert shown.spender is not None
        assert shown.spender[:7] == APPROVE_SPENDER[:7]


def _allowance(suite: FlowSuite, owner: str, spender: str) -> int:
    call = "0xdd62ed3e" + owner[2:].lower().rjust(64, "0") + spender[2:].lower().rjust(64, "0")
    return int(suite.anvil.rpc("eth_call", [{"to": suite.token, "data": call}, "latest"]), 16)


def _approves(amount: int) -> Callable[[object], bool]:
    """The approve calldata MetaMask will send names the test dApp's spender and exactly ``amount``."""
    return _calls("0x095ea7b3", APPROVE_SPENDER, f"{amount:064x}")


def _approve_tokens(suite: FlowSuite, cap: SpendingCap, accepted: int) -> FlowOutcome:
    """The test dApp's Approve Tokens (it proposes 7 tokens) with ``cap`` asked of MetaMask's spending-cap
    screen, accepted only when the calldata then names ``accepted``."""
    expected = Expectation(
        kinds=(TRANSACTION,),
        method="eth_sendTransaction",
        verify=is_a(DisplayedTransaction, _approves(accepted)),
        spending_cap=cap,
    )
    return suite.flow([click("#approveTokens")], [expected])


@pytest.mark.parametrize(
    ("cap", "decimals"),
    [(12345, 4), (1, None), (3 * 10**4, 4), (0, 4)],
    ids=["fraction_of_a_token", "one_base_unit_decimals_from_the_screen", "whole_tokens", "revoked"],
)
def test_approve_tokens_with_an_exact_cap_edits_the_spending_cap(
    suite: FlowSuite, cap: int, decimals: int | None
) -> None:
    """The dApp proposes 7 tokens; the flow asks for exactly ``cap`` base units: MetaMask's spending cap is
    edited to it, the edited screen is what is judged, and the chain holds that allowance."""
    assert suite.token, "needs the token test_create_token_deploys_from_the_page deployed"
    outcome = _approve_tokens(suite, SpendingCap(cap, decimals), cap)
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert outcome.met == [True], outcome.confirmations
    (confirmation,) = outcome.confirmations
    assert confirmation.decision == "approved"
    assert confirmation.changed.startswith("spending cap 7 -> "), confirmation.changed
    assert len(suite.sent) == 1
    assert suite.sent[0]["input"].lower().endswith(f"{cap:064x}")
    assert suite.sent[0]["receipt"]["status"] == "0x1"
    assert _allowance(suite, suite.address, APPROVE_SPENDER) == cap


def test_an_approve_already_at_the_cap_is_not_edited(suite: FlowSuite) -> None:
    outcome = _approve_tokens(suite, SpendingCap(7 * 10**4, 4), 7 * 10**4)
    assert outcome.error is None, (outcome.error, outcome.confirmations)
    assert [(c.decision, c.changed) for c in outcome.confirmations] == [("approved", "")]
    assert _allowance(suite, suite.address, APPROVE_SPENDER) == 7 * 10**4


def test_an_edited_cap_is_judged_as_edited(suite: FlowSuite) -> None:
    """The check sees the calldata after the edit: one that accepts only the dApp's 7 tokens refuses it."""
    before = _allowance(suite, suite.address, APPROVE_SPENDER)
    outcome = _approve_tokens(suite, SpendingCap(5, 4), 7 * 10**4)
    assert [(c.decision, c.changed) for c in outcome.confirmations] == [
        ("rejected", "spending cap 7 -> 0.0005")
    ]
    assert suite.sent == []
    assert _allowance(suite, suite.address, APPROVE_SPENDER) == before
