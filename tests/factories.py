"""factory-boy factories. Wallet secrets are encrypted with the configured keys, like wallet_import does."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone
from eth_account import Account

from wallets import crypto
from wallets.models import (
    BrowserWorker,
    NetworkChange,
    SessionCommand,
    SignatureRequest,
    Transaction,
    Wallet,
    WalletSession,
)

Account.enable_unaudited_hdwallet_features()

# Well-known development mnemonics (anvil/hardhat and BIP-39 test vectors); they guard nothing.
MNEMONIC = "test test test test test test test test test test test junk"
MNEMONIC_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
OTHER_MNEMONIC = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
WALLET_PASSWORD = "correct-horse-battery"
WORKER = "browser@worker-1"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "user-password-123")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class WalletFactory(factory.django.DjangoModelFactory[Wallet]):
    class Meta:
        model = Wallet

    class Params:
        mnemonic = MNEMONIC

    owner = factory.SubFactory(UserFactory)
    label = factory.Sequence(lambda n: f"wallet {n}")
    address = factory.LazyAttribute(
        lambda o: Account.from_mnemonic(o.mnemonic, account_path="m/44'/60'/0'/0/0").address
    )
    encrypted_mnemonic = factory.LazyAttribute(lambda o: crypto.encrypt(o.mnemonic))
    encrypted_password = factory.LazyFunction(lambda: crypto.encrypt(WALLET_PASSWORD))


class WalletSessionFactory(factory.django.DjangoModelFactory[WalletSession]):
    class Meta:
        model = WalletSession

    wallet = factory.SubFactory(WalletFactory)
    dapp_url = "http://127.0.0.1:8545/dapp/"
    dapp_origin = "http://127.0.0.1:8545"
    status = WalletSession.Status.READY
    worker = WORKER
    accounts = factory.LazyAttribute(lambda o: [o.wallet.address.lower()])
    chain_id = 31337
    # Transactions need one (the service checks the chain through its RPC); nothing listens there in tests
    # that do not start anvil.
    network = factory.LazyFunction(
        lambda: {"chain_id": 31337, "rpc_url": "http://127.0.0.1:8545", "name": "Anvil Local"}
    )
    opened_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))


class TransactionFactory(factory.django.DjangoModelFactory[Transaction]):
    class Meta:
        model = Transaction

    session = factory.SubFactory(WalletSessionFactory)
    network = factory.LazyAttribute(lambda tx: tx.session.network)  # as the API stores it
    to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    value_wei = 10**15


class NetworkChangeFactory(factory.django.DjangoModelFactory[NetworkChange]):
    class Meta:
        model = NetworkChange

    session = factory.SubFactory(WalletSessionFactory)
    network = factory.LazyFunction(
        lambda: {
            "chain_id": 31390,
            "rpc_url": "http://127.0.0.1:8546",
            "name": "Other Anvil",
            "currency_symbol": "ETH",
        }
    )


class SessionCommandFactory(factory.django.DjangoModelFactory[SessionCommand]):
    class Meta:
        model = SessionCommand

    session = factory.SubFactory(WalletSessionFactory)
    kind = "lock"


class SignatureRequestFactory(factory.django.DjangoModelFactory[SignatureRequest]):
    class Meta:
        model = SignatureRequest

    session = factory.SubFactory(WalletSessionFactory)
    method = SignatureRequest.Method.PERSONAL_SIGN
    payload = "hello"


class BrowserWorkerFactory(factory.django.DjangoModelFactory[BrowserWorker]):
    class Meta:
        model = BrowserWorker

    hostname = factory.Sequence(lambda n: f"browser@worker-{n}")
    last_seen = factory.LazyFunction(timezone.now)
