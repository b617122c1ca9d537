import jwt
import pytest

from tests.conftest import access_token_for
from wallets.models import SecurityEvent

pytestmark = pytest.mark.django_db

WALLETS = "/api/v1/wallets/"


def test_token_obtain_refresh_verify(anon_client, user):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "user-password-123"}, format="json"
    )
    assert response.status_code == 200
    tokens = response.json()
    assert (
        anon_client.post("/api/v1/auth/token/verify/", {"token": tokens["access"]}, format="json").status_code
        == 200
    )
    refreshed = anon_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    assert "access" in refreshed.json()
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert anon_client.get(WALLETS).status_code == 200


def test_failed_login_is_401_and_recorded(anon_client, user):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, format="json"
    )
    assert response.status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.AUTH_FAILED)
    assert event.actor_repr == user.username
    assert event.ip == "127.0.0.1"
    assert "wrong" not in str(event.details)


def test_expired_token_says_token_expired(client_for, user):
    response = client_for(user, expired=True).get(WALLETS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired"}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOKEN_EXPIRED).count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        # well-formed, but signed with another key
        jwt.encode(
            {"user_id": 1, "token_type": "access", "exp": 4102444800, "jti": "x"},
            "another-signing-key-of-sufficient-length-0123",
            "HS256",
        ),
    ],
)
def test_bad_token_says_invalid_token(anon_client, user, token):
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = anon_client.get(WALLETS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token"}
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOKEN_INVALID).count() == 1


def test_no_token_is_401(anon_client):
    assert anon_client.get(WALLETS).status_code == 401


def test_refresh_and_verify_use_the_same_wording(anon_client, user):
    garbage = anon_client.post("/api/v1/auth/token/refresh/", {"refresh": "garbage"}, format="json")
    assert garbage.status_code == 401
    assert garbage.json() == {"detail": "Invalid token"}
    expired = anon_client.post(
        "/api/v1/auth/token/verify/", {"token": access_token_for(user, expired=True)}, format="json"
    )
    assert expired.status_code == 401
    assert expired.json() == {"detail": "Token expired"}
