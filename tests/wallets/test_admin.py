import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import (
    MNEMONIC,
    WALLET_PASSWORD,
    BrowserWorkerFactory,
    NetworkChangeFactory,
    SessionCommandFactory,
    SignatureRequestFactory,
    TransactionFactory,
    UserFactory,
    WalletSessionFactory,
)
from wallets.audit import security_event_record
from wallets.models import SecurityEvent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\nfake"


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def rows():
    tx = TransactionFactory.create()
    sig = SignatureRequestFactory.create(session=tx.session)
    event = security_event_record(kind=SecurityEvent.Kind.POLICY_REJECTED, session=tx.session)
    BrowserWorkerFactory.create()
    NetworkChangeFactory.create(session=tx.session)
    SessionCommandFactory.create(session=tx.session, status="done", result={"locked": True})
    return {"tx": tx, "sig": sig, "session": tx.session, "wallet": tx.session.wallet, "event": event}


@pytest.mark.parametrize(
    "model",
    [
        *("wallet", "walletsession", "transaction", "signaturerequest", "networkchange"),
        *("sessioncommand", "securityevent", "browserworker"),
    ],
)
def test_changelists_render(staff, rows, model):
    response = staff.get(reverse(f"admin:wallets_{model}_changelist"))
    assert response.status_code == 200


def test_wallet_page_shows_no_secret(staff, rows):
    wallet = rows["wallet"]
    page = staff.get(reverse("admin:wallets_wallet_change", args=[wallet.id])).content.decode()
    assert wallet.address in page
    for secret in (
        MNEMONIC,
        WALLET_PASSWORD,
        wallet.encrypted_mnemonic,
        "encrypted_mnemonic",
        "encrypted_password",
    ):
        assert secret not in page


def test_rows_link_to_their_parents(staff, rows):
    page = staff.get(reverse("admin:wallets_transaction_change", args=[rows["tx"].id])).content.decode()
    assert reverse("admin:wallets_walletsession_change", args=[rows["session"].id]) in page
    page = staff.get(
        reverse("admin:wallets_walletsession_change", args=[rows["session"].id])
    ).content.decode()
    assert reverse("admin:wallets_wallet_change", args=[rows["wallet"].id]) in page
    tx_list = reverse("admin:wallets_transaction_changelist") + f"?session__id__exact={rows['session'].id}"
    assert tx_list in page
    listed = staff.get(tx_list).content.decode()
    assert str(rows["tx"].id) in listed
    commands = reverse("admin:wallets_sessioncommand_changelist")
    commands += f"?session__id__exact={rows['session'].id}"
    assert commands in page
    assert "lock" in staff.get(commands).content.decode()


def test_security_events_cannot_be_added_changed_or_deleted(staff, rows):
    event = rows["event"]
    assert staff.get(reverse("admin:wallets_securityevent_add")).status_code == 403
    assert staff.get(reverse("admin:wallets_securityevent_delete", args=[event.id])).status_code == 403
    change = staff.post(
        reverse("admin:wallets_securityevent_change", args=[event.id]), {"kind": "auth_failed"}
    )
    assert change.status_code == 403
    assert SecurityEvent.objects.get(id=event.id).kind == "policy_rejected"


def test_artifact_is_streamed_from_artifacts_dir(staff, tmp_path):
    (tmp_path / "tx1").mkdir()
    (tmp_path / "tx1" / "screenshot.png").write_bytes(PNG)
    (tmp_path / "tx1" / "dom.html").write_text("<script>alert(1)</script>")
    with override_settings(ARTIFACTS_DIR=tmp_path):
        file_row = TransactionFactory.create(artifact_path="tx1/screenshot.png")
        response = staff.get(reverse("admin:wallets_transaction_artifact", args=[file_row.id]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == PNG
        dir_row = SignatureRequestFactory.create(artifact_path=str(tmp_path / "tx1"))
        url = reverse("admin:wallets_signaturerequest_artifact", args=[dir_row.id])
        index = staff.get(url).content.decode()
        assert "screenshot.png" in index
        assert "dom.html" in index
        dom = staff.get(url, {"file": "dom.html"})
        assert dom["Content-Type"].startswith("text/plain")  # captured markup is never rendered
        assert staff.get(url, {"file": "../../../etc/passwd"}).status_code == 404


@pytest.mark.parametrize("stored", ["../outside.png", "/etc/passwd", "link.png"])
def test_artifact_outside_artifacts_dir_is_404(staff, tmp_path, stored):
    root = tmp_path / "artifacts"
    root.mkdir()
    (tmp_path / "outside.png").write_bytes(PNG)
    (root / "link.png").symlink_to(tmp_path / "outside.png")
    with override_settings(ARTIFACTS_DIR=root):
        row = WalletSessionFactory.create(artifact_path=stored)
        assert staff.get(reverse("admin:wallets_walletsession_artifact", args=[row.id])).status_code == 404


def test_artifact_view_is_staff_only(tmp_path):
    (tmp_path / "a.png").write_bytes(PNG)
    client = Client()
    client.force_login(UserFactory.create())
    with override_settings(ARTIFACTS_DIR=tmp_path):
        row = TransactionFactory.create(artifact_path="a.png")
        response = client.get(reverse("admin:wallets_transaction_artifact", args=[row.id]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_session_pages_show_the_metamask_version(staff):
    session = WalletSessionFactory.create(metamask_version="13.36.0.0")
    listed = staff.get(reverse("admin:wallets_walletsession_changelist")).content.decode()
    assert "13.36.0.0" in listed
    assert "column-metamask_version" in listed
    page = staff.get(reverse("admin:wallets_walletsession_change", args=[session.id])).content.decode()
    assert "field-metamask_version" in page
    assert "13.36.0.0" in page
    # Filtering by version lists only that build's sessions.
    other = WalletSessionFactory.create(metamask_version="13.5.0")
    filtered = staff.get(
        reverse("admin:wallets_walletsession_changelist"), {"metamask_version": "13.5.0"}
    ).content.decode()
    assert str(other.id) in filtered
    assert str(session.id) not in filtered


def test_staff_edit_a_wallet_policy_inline_and_each_change_is_an_event(staff, rows):
    wallet = rows["wallet"]
    url = reverse("admin:wallets_wallet_change", args=[wallet.pk])
    page = staff.get(url)
    assert page.status_code == 200
    assert b"policy-0-allowed_origins" in page.content or b"policy-0-allowed_chain_ids" in page.content
    form = {
        "owner": wallet.owner.pk,
        "label": wallet.label,
        "address": wallet.address,
        "policy-TOTAL_FORMS": "1",
        "policy-INITIAL_FORMS": "0",
        "policy-MIN_NUM_FORMS": "0",
        "policy-MAX_NUM_FORMS": "1",
        "policy-0-wallet": str(wallet.pk),
        "policy-0-allowed_origins": '["https://app.example"]',
        "policy-0-allowed_chain_ids": "[31337]",
        "policy-0-max_value_wei_per_tx": "1000",
        "policy-0-max_value_wei_per_24h": "",
        "policy-0-allowed_contracts": "[]",
        "policy-0-allowed_selectors": '["0xA9059CBB"]',
        "policy-0-max_permit_amount": "",
        # The accounts inline is read only: its management form says it sends none.
        "extra_accounts-TOTAL_FORMS": "0",
        "extra_accounts-INITIAL_FORMS": "0",
    }
    response = staff.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    wallet.policy.refresh_from_db()
    assert wallet.policy.allowed_selectors == ["0xa9059cbb"]  # normalised like the API does
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.POLICY_CHANGED)
    assert event.details["after"]["max_value_wei_per_tx"] == "1000"
    bad = staff.post(
        url,
        {
            **form,
            "policy-INITIAL_FORMS": "1",
            "policy-0-id": str(wallet.policy.pk),
            "policy-0-allowed_selectors": '["0x1"]',
        },
    )
    assert bad.status_code == 200  # the form again, with the error
    assert b"selectors" in bad.content
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.POLICY_CHANGED).count() == 1
