"""Enqueueing against the real Redis broker (DB given by REDIS_URL): messages are read back from Redis."""

import base64
import json

import pytest
import redis
from django.conf import settings
from django.db import transaction

from tests.factories import WORKER, WalletFactory, WalletSessionFactory
from wallets import services
from wallets.models import SessionCommand, SignatureRequest, Transaction, WalletSession

pytestmark = pytest.mark.django_db(transaction=True)


QUEUES = ("browser", f"browser.{WORKER}")


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*QUEUES)
    yield client
    client.delete(*QUEUES)
    client.close()


def messages(broker, queue):
    out = []
    for raw in broker.lrange(queue, 0, -1):
        envelope = json.loads(raw)
        args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        out.append(
            {
                "task": envelope["headers"]["task"],
                "id": envelope["headers"]["id"],
                "args": args,
                "kwargs": kwargs,
            }
        )
    return out


def test_session_open_is_sent_after_commit_with_the_id_only(broker, user):
    wallet = WalletFactory.create(owner=user)
    with transaction.atomic():
        session = services.session_request_open(
            user=user, wallet_id=wallet.id, dapp_url="http://127.0.0.1:1/"
        )
        assert messages(broker, "browser") == []  # not before commit
    [message] = messages(broker, "browser")
    session.refresh_from_db()
    assert message == {
        "task": "wallets.session_open",
        "id": session.task_id,
        "args": [str(session.id)],
        "kwargs": {},
    }


def test_rolled_back_request_sends_nothing(broker, user):
    wallet = WalletFactory.create(owner=user)

    def open_then_fail():
        with transaction.atomic():
            services.session_request_open(user=user, wallet_id=wallet.id, dapp_url="http://127.0.0.1:1/")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        open_then_fail()
    assert messages(broker, "browser") == []
    assert WalletSession.objects.count() == 0


def test_operations_go_to_the_worker_queue_of_the_session(broker, user):
    session = WalletSessionFactory.create(wallet__owner=user, worker=WORKER)
    sig = services.signature_request_create(
        user=user, session_id=session.id, method="personal_sign", payload="hello secret-free"
    )
    tx = services.transaction_request_create(
        user=user, session_id=session.id, to="0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value_wei=5
    )
    services.session_request_close(user=user, session_id=session.id)
    sig.refresh_from_db()
    tx.refresh_from_db()
    session.refresh_from_db()
    assert messages(broker, f"browser.{WORKER}") == [
        # LPUSH: newest first
        {"task": "wallets.session_close", "id": session.task_id, "args": [str(session.id)], "kwargs": {}},
        {"task": "wallets.transaction_execute", "id": tx.task_id, "args": [str(tx.id)], "kwargs": {}},
        {"task": "wallets.signature_execute", "id": sig.task_id, "args": [str(sig.id)], "kwargs": {}},
    ]
    assert messages(broker, "browser") == []
    assert SignatureRequest.objects.get(id=sig.id).status == "pending"
    assert Transaction.objects.get(id=tx.id).status == "pending"


def test_no_secret_reaches_the_broker(broker, user):
    from tests.factories import MNEMONIC, WALLET_PASSWORD

    wallet = WalletFactory.create(owner=user)
    services.session_request_open(user=user, wallet_id=wallet.id, dapp_url="http://127.0.0.1:1/")
    raw = broker.lrange("browser", 0, -1)
    assert raw
    # Both the envelope and the decoded body are searched.
    dump = "".join(m.decode() + base64.b64decode(json.loads(m)["body"]).decode() for m in raw)
    for secret in (MNEMONIC, WALLET_PASSWORD, wallet.encrypted_mnemonic, wallet.encrypted_password):
        assert secret not in dump


def test_work_whose_message_the_broker_lost_is_sent_again_once_per_interval(broker, user):
    """A broker restart without persistence drops queued messages: the beat sends pending work again."""
    from datetime import timedelta

    from django.utils import timezone

    from wallets.execution.redispatch import pending_redispatch

    session = WalletSessionFactory.create(wallet__owner=user)
    tx = services.transaction_request_create(
        user=user, session_id=session.id, to=session.wallet.address, value_wei=1
    )
    opening = services.session_request_open(
        user=user, wallet_id=session.wallet.id, dapp_url="http://127.0.0.1:1/"
    )
    lock = services.session_command_create(user=user, session_id=session.id, kind="lock", params={})
    broker.delete(*QUEUES)  # the broker lost everything queued
    assert pending_redispatch() == 0  # too young: its message may just be on its way
    old = timezone.now() - timedelta(minutes=5)
    Transaction.objects.filter(id=tx.id).update(created_at=old)
    WalletSession.objects.filter(id=opening.id).update(created_at=old)
    SessionCommand.objects.filter(id=lock.id).update(created_at=old)
    assert pending_redispatch() == 3
    tx.refresh_from_db()
    lock.refresh_from_db()
    resent = messages(broker, f"browser.{WORKER}")
    assert sorted((m["task"], m["args"], m["id"]) for m in resent) == [
        ("wallets.session_command_execute", [str(lock.id)], lock.task_id),
        ("wallets.transaction_execute", [str(tx.id)], tx.task_id),
    ]
    assert [m["args"] for m in messages(broker, "browser")] == [[str(opening.id)]]
    assert [p["step"] for p in tx.progress] == ["redispatched"]
    assert pending_redispatch() == 0  # spaced: not again until another interval has passed
    # Work that has started is never sent again.
    services.transaction_claim(transaction_id=tx.id)
    services.session_command_claim(command_id=lock.id)
    assert pending_redispatch(now=timezone.now() + timedelta(hours=1)) == 1  # only the still-pending session
