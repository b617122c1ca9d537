import logging

import pytest
from django.test import override_settings
from prometheus_client import REGISTRY

from tests.factories import WalletFactory, WalletSessionFactory
from wallets.models import SecurityEvent, WalletSession

pytestmark = pytest.mark.django_db


def rejections(group):
    return REGISTRY.get_sample_value("mm_rate_limit_rejections_total", {"group": group}) or 0.0


@override_settings(RATELIMIT_DEFAULT="2/m")
def test_default_limit_gives_429_with_retry_after(api, user, caplog):
    before = rejections("WalletsApi.GET")
    assert [api.get("/api/v1/wallets/").status_code for _ in range(2)] == [200, 200]
    with caplog.at_level(logging.WARNING, logger="wallets.ratelimit"):
        response = api.get("/api/v1/wallets/")
    assert response.status_code == 429
    body = response.json()
    assert body["detail"] == "Rate limit exceeded"
    assert body["group"] == "WalletsApi.GET"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body["retry_after"] == int(response["Retry-After"])
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.RATE_LIMITED)
    assert event.actor == user
    assert event.details["group"] == "WalletsApi.GET"
    assert any("rate_limit" in record.getMessage() for record in caplog.records)
    assert rejections("WalletsApi.GET") == before + 1


@override_settings(RATELIMIT_DEFAULT="2/m")
def test_limit_is_per_user(api, other_api):
    for _ in range(2):
        api.get("/api/v1/wallets/")
    assert api.get("/api/v1/wallets/").status_code == 429
    assert other_api.get("/api/v1/wallets/").status_code == 200


@override_settings(RATELIMIT_WALLET_CONNECT="1/m", RATELIMIT_DEFAULT="100/m")
def test_session_open_uses_wallet_connect_group(api, user):
    wallet = WalletFactory.create(owner=user)
    payload = {"wallet_id": str(wallet.id), "dapp_url": "http://127.0.0.1/"}
    assert api.post("/api/v1/sessions/", payload, format="json").status_code == 202
    response = api.post("/api/v1/sessions/", payload, format="json")
    assert response.status_code == 429
    assert response.json()["group"] == "wallet_connect"
    assert WalletSession.objects.count() == 1


@override_settings(RATELIMIT_TRANSACTION_OPERATIONS="2/m", RATELIMIT_DEFAULT="100/m")
def test_signatures_and_transactions_share_one_group(api, user):
    session = WalletSessionFactory.create(wallet__owner=user)
    sig = api.post(
        f"/api/v1/sessions/{session.id}/signatures/",
        {"method": "personal_sign", "message": "m"},
        format="json",
    )
    tx_url = f"/api/v1/sessions/{session.id}/transactions/"
    tx = api.post(tx_url, {"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value_wei": 1}, format="json")
    assert (sig.status_code, tx.status_code) == (202, 202)
    third = api.post(
        tx_url, {"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value_wei": 1}, format="json"
    )
    assert third.status_code == 429
    assert third.json()["group"] == "transaction_operations"


@override_settings(RATELIMIT_DEFAULT="2/m")
def test_anonymous_login_is_limited_by_ip(anon_client, user):
    codes = [
        anon_client.post(
            "/api/v1/auth/token/", {"username": user.username, "password": "bad"}, format="json"
        ).status_code
        for _ in range(3)
    ]
    assert codes == [401, 401, 429]


def test_default_rates_come_from_settings(settings):
    assert settings.RATELIMIT_DEFAULT == "10/m"
    assert settings.RATELIMIT_WALLET_CONNECT == "5/m"
    assert settings.RATELIMIT_TRANSACTION_OPERATIONS == "5/m"
