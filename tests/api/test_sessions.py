import pytest

from tests.factories import OTHER_MNEMONIC, WalletFactory, WalletSessionFactory
from wallets.models import SecurityEvent, WalletSession

pytestmark = pytest.mark.django_db

URL = "/api/v1/sessions/"
NETWORK = {"chain_id": 31337, "rpc_url": "http://127.0.0.1:8545", "name": "Anvil", "currency_symbol": "ETH"}


@pytest.fixture
def wallet(user):
    return WalletFactory.create(owner=user)


def test_open_is_202_and_pending(api, wallet):
    response = api.post(
        URL,
        {"wallet_id": str(wallet.id), "dapp_url": "http://127.0.0.1:9000/app?x=1", "network": NETWORK},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()
    session = WalletSession.objects.get(id=body["id"])
    assert body == {"id": str(session.id), "status": "pending", "task_id": session.task_id}
    assert session.task_id
    assert session.dapp_origin == "http://127.0.0.1:9000"
    assert session.network == NETWORK
    assert session.expires_at is not None
    assert session.ttl_seconds == 3600


@pytest.mark.parametrize(
    "payload",
    [
        {"dapp_url": "ftp://127.0.0.1/app"},
        {"dapp_url": "javascript:alert(1)"},
        {"dapp_url": "file:///etc/passwd"},
        {"dapp_url": "http://user:pw@127.0.0.1/"},
        {"dapp_url": "not a url"},
        {"dapp_url": "http://127.0.0.1/", "network": {"chain_id": 0, "rpc_url": "http://127.0.0.1:8545"}},
        {"dapp_url": "http://127.0.0.1/", "network": {"chain_id": 1, "rpc_url": "ws://127.0.0.1:8545"}},
        {
            "dapp_url": "http://127.0.0.1/",
            "network": {"chain_id": 1, "rpc_url": "http://x", "currency_symbol": "E"},
        },
        {"dapp_url": "http://127.0.0.1/", "network": "mainnet"},
        {"dapp_url": "http://127.0.0.1/", "wallet_id": "not-a-uuid"},
    ],
)
def test_bad_open_is_400_and_stores_nothing(api, wallet, payload):
    response = api.post(URL, {"wallet_id": str(wallet.id), **payload}, format="json")
    assert response.status_code == 400, response.content
    assert WalletSession.objects.count() == 0


def test_open_on_someone_elses_wallet_is_404(api, other_user):
    theirs = WalletFactory.create(owner=other_user, mnemonic=OTHER_MNEMONIC)
    response = api.post(URL, {"wallet_id": str(theirs.id), "dapp_url": "http://127.0.0.1/"}, format="json")
    assert response.status_code == 404
    assert WalletSession.objects.count() == 0
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OBJECT_ACCESS_DENIED).exists()


def test_detail_shows_state_and_slides_ttl(api, user):
    session = WalletSessionFactory.create(wallet__owner=user, progress=[{"step": "unlock", "ok": True}])
    before = session.expires_at
    body = api.get(f"{URL}{session.id}/").json()
    assert body["status"] == "ready"
    assert body["accounts"] == session.accounts
    assert body["chain_id"] == 31337
    assert body["worker"] == session.worker
    assert body["progress"] == [{"step": "unlock", "ok": True}]
    assert body["metamask_version"] == ""  # this session's browser has not recorded one
    session.refresh_from_db()
    assert session.expires_at is not None
    assert before is not None
    assert session.expires_at > before


def test_detail_of_other_users_session_is_404(api, other_user):
    theirs = WalletSessionFactory.create(wallet__owner=other_user, wallet__mnemonic=OTHER_MNEMONIC)
    assert api.get(f"{URL}{theirs.id}/").status_code == 404
    assert api.delete(f"{URL}{theirs.id}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "ready"


def test_close_pending_session_closes_at_once(api, user):
    session = WalletSessionFactory.create(wallet__owner=user, status=WalletSession.Status.PENDING, worker="")
    response = api.delete(f"{URL}{session.id}/")
    assert response.status_code == 202
    assert response.json()["status"] == "closed"


def test_close_ready_session_asks_the_worker(api, user):
    session = WalletSessionFactory.create(wallet__owner=user)
    response = api.delete(f"{URL}{session.id}/")
    assert response.status_code == 202
    session.refresh_from_db()
    assert session.status == "closing"
    assert response.json()["task_id"] == session.task_id != ""


def test_detail_shows_the_metamask_version_its_browser_loaded(api, user):
    session = WalletSessionFactory.create(wallet__owner=user, metamask_version="13.36.0.0")
    assert api.get(f"{URL}{session.id}/").json()["metamask_version"] == "13.36.0.0"


def test_metamask_version_is_read_only_in_the_schema(anon_client):
    schema = anon_client.get("/api/schema/?format=json").json()
    field = schema["components"]["schemas"]["SessionOutput"]["properties"]["metamask_version"]
    assert field["readOnly"] is True
