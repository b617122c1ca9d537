from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import MNEMONIC, WALLET_PASSWORD, UserFactory, WalletFactory, WalletSessionFactory
from wallets.audit import security_event_record
from wallets.models import AppendOnlyError, SecurityEvent

pytestmark = pytest.mark.django_db


def test_security_event_is_append_only():
    event = security_event_record(kind=SecurityEvent.Kind.POLICY_REJECTED, details={"why": "amount differs"})
    event.details = {"why": "nothing happened"}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(id=event.id).update(details={})
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get(id=event.id).details == {"why": "amount differs"}


def test_security_event_survives_its_actor_and_wallet():
    user = UserFactory.create()
    wallet = WalletFactory.create(owner=user)
    event = security_event_record(kind=SecurityEvent.Kind.SIGNING_FAILED, actor=user, wallet=wallet)
    user.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.wallet is None
    assert event.actor_repr == user.username


def test_wallet_text_forms_hold_no_secrets():
    wallet = WalletFactory.create()
    for text in (str(wallet), repr(wallet)):
        assert MNEMONIC not in text
        assert WALLET_PASSWORD not in text
        assert wallet.encrypted_mnemonic not in text


def test_touch_slides_expiry():
    session = WalletSessionFactory.create(ttl_seconds=600)
    now = timezone.now() + timedelta(minutes=5)
    session.touch(now=now)
    session.refresh_from_db()
    assert session.last_activity_at == now
    assert session.expires_at == now + timedelta(seconds=600)
    assert not session.is_expired
