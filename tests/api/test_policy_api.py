"""GET/PUT /wallets/{id}/policy/: owners and staff read it, only staff change it."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory, WalletFactory
from wallets.models import SecurityEvent

pytestmark = pytest.mark.django_db


def url(wallet) -> str:
    return f"/api/v1/wallets/{wallet.id}/policy/"


def test_owner_reads_an_unset_policy_and_cannot_change_it(api, user) -> None:
    wallet = WalletFactory(owner=user)
    body = api.get(url(wallet)).json()
    assert body["allowed_origins"] == []
    assert body["max_value_wei_per_tx"] is None
    response = api.put(url(wallet), {"allowed_chain_ids": [1]}, format="json")
    assert response.status_code == 403
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.POLICY_CHANGED).exists()


def test_staff_change_any_wallets_policy_and_the_change_is_an_event(client_for, user) -> None:
    staff = UserFactory(is_staff=True)
    wallet = WalletFactory(owner=user)
    rules = {
        "allowed_origins": ["https://App.Example:443/"],
        "max_value_wei_per_24h": "10000000000000000000",
        "max_fee_per_gas_wei": 30 * 10**9,
    }
    response = client_for(staff).put(url(wallet), rules, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["allowed_origins"] == ["https://app.example"]
    assert response.json()["max_value_wei_per_24h"] == "10000000000000000000"
    assert response.json()["max_fee_per_gas_wei"] == "30000000000"
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.POLICY_CHANGED)
    assert (event.actor, event.wallet) == (staff, wallet)
    assert (
        client_for(staff).put(url(wallet), {"allowed_selectors": ["0x1"]}, format="json").status_code == 400
    )


def test_another_users_wallet_policy_is_404(other_api, user) -> None:
    wallet = WalletFactory(owner=user)
    assert other_api.get(url(wallet)).status_code == 404
