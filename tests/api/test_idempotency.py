"""The Idempotency-Key contract (wallets/api/idempotency.py) on the endpoints that act."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import access_token_for
from tests.factories import MNEMONIC, UserFactory, WalletFactory, WalletSessionFactory
from wallets.api.idempotency import idempotency_keys_purge
from wallets.models import IdempotencyKey, SignatureRequest, Transaction, Wallet

TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def published() -> Any:
    sent: list[str] = []

    def capture(sender: Any = None, **_kw: Any) -> None:
        sent.append(str(sender))

    before_task_publish.connect(capture, weak=False)
    yield sent
    before_task_publish.disconnect(capture)


def tx_url(session: Any) -> str:
    return f"/api/v1/sessions/{session.id}/transactions/"


@pytest.mark.django_db
def test_same_key_same_body_replays_the_first_response_and_does_no_new_work(
    api, user, published, django_capture_on_commit_callbacks
) -> None:
    session = WalletSessionFactory.create(wallet__owner=user)
    body = {"to": TO, "value_wei": "1000"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(tx_url(session), body, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
        again = api.post(tx_url(session), body, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.count() == 1
    assert published.count("wallets.transaction_execute") == 1
    # Without a key (or with another) it is a new request.
    assert api.post(tx_url(session), body, format="json", HTTP_IDEMPOTENCY_KEY="order-43").status_code == 202
    assert Transaction.objects.count() == 2


@pytest.mark.django_db
def test_same_key_with_another_body_is_409_and_changes_nothing(api, user) -> None:
    session = WalletSessionFactory.create(wallet__owner=user)
    assert (
        api.post(
            tx_url(session), {"to": TO, "value_wei": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
        ).status_code
        == 202
    )
    other = api.post(tx_url(session), {"to": TO, "value_wei": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert list(Transaction.objects.values_list("value_wei", flat=True)) == [1]


@pytest.mark.django_db
def test_a_refused_request_frees_its_key_for_the_corrected_retry(api, user) -> None:
    session = WalletSessionFactory.create(wallet__owner=user)
    bad = api.post(
        tx_url(session), {"to": "nope", "value_wei": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert bad.status_code == 400
    good = api.post(tx_url(session), {"to": TO, "value_wei": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert good.status_code == 202
    assert "Idempotent-Replayed" not in good


@pytest.mark.django_db
def test_keys_are_per_caller_and_malformed_keys_are_400(api, user, client_for) -> None:
    other = UserFactory.create()
    mine = WalletSessionFactory.create(wallet__owner=user)
    theirs = WalletSessionFactory.create(wallet__owner=other)
    body = {"to": TO, "value_wei": "5"}
    assert api.post(tx_url(mine), body, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code == 202
    reply = client_for(other).post(tx_url(theirs), body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert reply.status_code == 202
    assert "Idempotent-Replayed" not in reply
    assert api.post(tx_url(mine), body, format="json", HTTP_IDEMPOTENCY_KEY="has space").status_code == 400
    assert api.post(tx_url(mine), body, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256).status_code == 400


@pytest.mark.django_db
def test_wallet_import_and_signature_and_close_take_keys_too(api, user) -> None:
    body = {"label": "w", "mnemonic": MNEMONIC, "password": "Pa55word-long"}
    first = api.post("/api/v1/wallets/", body, format="json", HTTP_IDEMPOTENCY_KEY="imp")
    again = api.post("/api/v1/wallets/", body, format="json", HTTP_IDEMPOTENCY_KEY="imp")
    assert (first.status_code, again.status_code) == (201, 201)  # not 409 wallet_exists: a replay
    assert again.json() == first.json()
    assert Wallet.objects.count() == 1
    # The stored response is the API's own output: no secret of the body is kept.
    stored = IdempotencyKey.objects.get(key="imp")
    assert "mnemonic" not in str(stored.response_body)
    assert MNEMONIC.split()[0] not in stored.fingerprint
    session = WalletSessionFactory.create(wallet=WalletFactory.create(owner=user, mnemonic=MNEMONIC_2()))
    sig = {"method": "personal_sign", "message": "hi"}
    url = f"/api/v1/sessions/{session.id}/signatures/"
    assert (
        api.post(url, sig, format="json", HTTP_IDEMPOTENCY_KEY="s").json()
        == api.post(url, sig, format="json", HTTP_IDEMPOTENCY_KEY="s").json()
    )
    assert SignatureRequest.objects.count() == 1
    close = f"/api/v1/sessions/{session.id}/"
    assert (
        api.delete(close, HTTP_IDEMPOTENCY_KEY="c").json()
        == api.delete(close, HTTP_IDEMPOTENCY_KEY="c").json()
    )


def MNEMONIC_2() -> str:
    from tests.factories import OTHER_MNEMONIC

    return OTHER_MNEMONIC


@pytest.mark.django_db
def test_old_keys_are_purged_after_their_ttl(api, user) -> None:
    session = WalletSessionFactory.create(wallet__owner=user)
    api.post(tx_url(session), {"to": TO, "value_wei": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys_purge() == 1
    assert (
        api.post(
            tx_url(session), {"to": TO, "value_wei": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="old"
        ).status_code
        == 202
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_same_key_posts_make_one_row_one_task_and_identical_responses(published, settings) -> None:
    settings.RATELIMIT_ENABLE = False  # six posts in a second: the limit is not what is tested here
    user = UserFactory.create()
    session = WalletSessionFactory.create(wallet__owner=user)
    token = access_token_for(user)
    results: list[tuple[int, Any]] = []
    barrier = threading.Barrier(6)

    def post() -> None:
        from django.db import connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            response = client.post(
                tx_url(session), {"to": TO, "value_wei": "77"}, format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 6
    assert {status for status, _ in results} == {202}
    assert len({str(body) for _, body in results}) == 1
    assert Transaction.objects.filter(session=session).count() == 1
    assert published.count("wallets.transaction_execute") == 1
