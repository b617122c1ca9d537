"""The action registry: each action's request, its check of what MetaMask shows, and (signing actions) the
signer of a signature. No browser: the driver suite and e2e run the same actions on a wallet."""

import dataclasses
import json

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from automation import DisplayedConnect, DisplayedSignature, DisplayedSignIn, DisplayedTransaction
from automation.metamask.approvals import SIGNATURE, TRANSACTION
from metamask_service.devstack.typed_data import typed_data
from tests.factories import SignatureRequestFactory, TransactionFactory, WalletSessionFactory
from wallets import services
from wallets.actions import ACTIONS, Asked, SendTransaction, SignatureAction, action_for
from wallets.models import SignatureRequest

pytestmark = pytest.mark.django_db

ORIGIN_SHOWN = "127.0.0.1:8545"  # the factories' dApp origin as MetaMask shows it on signature screens
RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_every_signature_method_and_the_transaction_have_an_action() -> None:
    assert set(ACTIONS) == {*SignatureRequest.Method.values, "eth_sendTransaction"}
    assert all(isinstance(action_for(m), SignatureAction) for m in SignatureRequest.Method.values)
    assert len({cls.name for cls in ACTIONS.values()}) == len(ACTIONS)


def test_personal_sign_sends_hex_and_checks_the_text() -> None:
    row = SignatureRequestFactory.create(payload="Sign in\nnonce 7")
    asked = Asked(row=row, session=row.session)
    action = action_for(row.method)
    request = action.request(asked)
    assert (request.method, request.approvals) == ("personal_sign", (SIGNATURE,))
    assert request.params == ["0x" + b"Sign in\nnonce 7".hex(), row.session.wallet.address]
    verify = action.verifier(asked)
    network = row.session.network["name"]
    assert verify(DisplayedSignature("personal_sign", ORIGIN_SHOWN, "Sign in nonce 7", network)) is None
    assert "differs" in (
        verify(DisplayedSignature("personal_sign", ORIGIN_SHOWN, "Sign in nonce 8", network)) or ""
    )
    # The network the screen names must be the session's (a screen that names none is let through: 13.5's
    # transaction screen, whose chain is checked on chain after sending).
    assert verify(
        DisplayedSignature("personal_sign", ORIGIN_SHOWN, "Sign in nonce 7", "Ethereum Mainnet")
    ) == (f"network shown as 'Ethereum Mainnet', the session is on {network!r}")
    assert verify(DisplayedSignature("personal_sign", ORIGIN_SHOWN, "Sign in nonce 7")) is None
    assert verify(DisplayedConnect(origin="127.0.0.1")) == "unexpected DisplayedConnect screen"


def test_a_signing_action_recovers_only_the_requested_payload() -> None:
    key = Account.create()
    data = typed_data(
        primary_type="Mail",
        types={"Mail": [{"name": "contents", "type": "string"}]},
        message={"contents": "hello"},
        domain_name="Actions",
    )
    typed_row = SignatureRequestFactory.create(
        method=SignatureRequest.Method.SIGN_TYPED_DATA_V4, payload=data
    )
    text_row = SignatureRequestFactory.create(payload="hello")
    typed_sig = key.sign_message(encode_typed_data(full_message=data)).signature.hex()
    text_sig = key.sign_message(encode_defunct(text="hello")).signature.hex()
    typed, text = action_for(typed_row.method), action_for(text_row.method)
    assert isinstance(typed, SignatureAction)
    assert isinstance(text, SignatureAction)
    assert typed.signer(Asked(row=typed_row, session=typed_row.session), typed_sig) == key.address
    assert text.signer(Asked(row=text_row, session=text_row.session), text_sig) == key.address
    # The other payload's signature recovers to someone else: a swapped request is caught.
    assert text.signer(Asked(row=text_row, session=text_row.session), typed_sig) != key.address
    request = typed.request(Asked(row=typed_row, session=typed_row.session))
    assert json.loads(request.params[1]) == data


def test_send_transaction_sends_the_row_and_checks_recipient_amount_and_calldata() -> None:
    row = TransactionFactory.create(to=RECIPIENT, value_wei=10**15, data="0x", gas=21000)
    asked = Asked(row=row, session=row.session)
    action = action_for(SendTransaction.key)
    request = action.request(asked)
    assert (request.method, request.approvals) == ("eth_sendTransaction", (TRANSACTION,))
    assert request.params == [
        {
            "from": row.session.wallet.address,
            "to": RECIPIENT,
            "value": hex(10**15),
            "data": "0x",
            "gas": "0x5208",
        }
    ]
    verify = action.verifier(asked)
    network = row.session.network["name"]
    shown = DisplayedTransaction(ORIGIN_SHOWN, "0x70997...c79C8", "0.001 ETH", "", network, data="")
    assert verify(shown) is None
    # Calldata the row did not ask for, or none that can be read, is not the row's transaction.
    assert "calldata shown as 0xa9059cbb" in (verify(dataclasses.replace(shown, data="0xa9059cbb")) or "")
    assert "calldata in full" in (verify(dataclasses.replace(shown, data=None)) or "")
    assert "amount" in (
        verify(DisplayedTransaction(ORIGIN_SHOWN, "0x70997...c79C8", "0.01 ETH", "", network, data="")) or ""
    )
    assert "recipient" in (
        verify(DisplayedTransaction(ORIGIN_SHOWN, "0x12345...c79C8", "0.001 ETH", "", network, data="")) or ""
    )
    assert "network shown as 'Sepolia'" in (
        verify(DisplayedTransaction(ORIGIN_SHOWN, "0x70997...c79C8", "0.001 ETH", "", "Sepolia", data=""))
        or ""
    )


def _sign_in_row() -> SignatureRequest:
    session = WalletSessionFactory.create()
    return services.signature_request_create(
        user=session.wallet.owner,
        session_id=session.id,
        method=SignatureRequest.Method.SIGN_IN,
        payload={"nonce": "k3Jd92LmQp", "statement": "Sign in to the exchange."},
    )


def _sign_in_shown(**changes: str) -> DisplayedSignIn:
    fields = {
        "method": "personal_sign",
        "origin": ORIGIN_SHOWN,
        "text": "Sign in to the exchange. URL http://127.0.0.1:8545/dapp/ ...",
        "network": "Anvil Local",
        "statement": "Sign in to the exchange.",
        "uri": "http://127.0.0.1:8545/dapp/",
        "version": "1",
        "chain_id": "31337",
        "nonce": "k3Jd92LmQp",
        "issued": "03 December 2026, 12:00",
        "account": "Account 1",
    }
    return DisplayedSignIn(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_sign_in_is_built_for_the_session_and_each_field_shown_is_checked() -> None:
    row = _sign_in_row()
    message = str(row.payload)
    address = row.session.wallet.address
    assert message.startswith(f"127.0.0.1:8545 wants you to sign in with your Ethereum account:\n{address}\n")
    for line in ("URI: http://127.0.0.1:8545/dapp/", "Chain ID: 31337", "Nonce: k3Jd92LmQp", "Version: 1"):
        assert f"\n{line}\n" in message
    asked = Asked(row=row, session=row.session)
    action = action_for(row.method)
    request = action.request(asked)
    assert (request.name, request.method, request.approvals) == ("sign_in", "personal_sign", (SIGNATURE,))
    assert request.params == ["0x" + message.encode().hex(), address]
    verify = action.verifier(asked)
    assert verify(_sign_in_shown()) is None
    for field, other in [
        ("uri", "http://127.0.0.1:8545/other/"),
        ("chain_id", "1"),
        ("nonce", "k3Jd92LmQq"),
        ("version", "2"),
        ("statement", "Sign in to the exchange and approve everything."),
    ]:
        assert "is not the one asked" in (verify(_sign_in_shown(**{field: other})) or ""), field
    assert "coming from 'evil.example'" in (verify(_sign_in_shown(origin="evil.example")) or "")
    assert "network shown" in (verify(_sign_in_shown(network="Ethereum Mainnet")) or "")
    # A plain message screen is not the sign-in screen it asked for; a plain personal_sign is not let
    # through the sign-in screen either (its text is the fields, not the message).
    assert verify(DisplayedSignature("personal_sign", ORIGIN_SHOWN, message)) == (
        "unexpected DisplayedSignature screen"
    )
    plain = SignatureRequestFactory.create(session=row.session, payload=message)
    plain_verify = action_for(plain.method).verifier(Asked(row=plain, session=plain.session))
    assert "differs" in (plain_verify(_sign_in_shown()) or "")
    key = Account.from_key("0x" + "11" * 32)
    signed = Account.sign_message(encode_defunct(text=message), key.key).signature.hex()
    assert action.signer(asked, signed) == key.address  # recovered over the message built
