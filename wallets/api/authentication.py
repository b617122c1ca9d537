"""JWT authentication whose 401 bodies say exactly "Token expired" or "Invalid token", and leave a
SecurityEvent behind."""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from metamask_service.logging import bind_context
from wallets.audit import security_event_record
from wallets.models import SecurityEvent

TOKEN_EXPIRED = "Token expired"  # noqa: S105
TOKEN_INVALID = "Invalid token"  # noqa: S105


def token_error_detail(raw_token: bytes | str) -> str:
    """Tells an expired token (signature fine, exp passed) from anything else."""
    try:
        jwt.decode(
            raw_token,
            str(settings.SIMPLE_JWT["SIGNING_KEY"]),
            algorithms=[str(settings.SIMPLE_JWT["ALGORITHM"])],
        )
    except jwt.ExpiredSignatureError:
        return TOKEN_EXPIRED
    except jwt.InvalidTokenError:
        return TOKEN_INVALID
    return TOKEN_INVALID


class JWTAuthentication(BaseJWTAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        try:
            validated = self.get_validated_token(raw_token)
            user = self.get_user(validated)
        except (InvalidToken, AuthenticationFailed):
            detail = token_error_detail(raw_token)
            security_event_record(
                kind=SecurityEvent.Kind.TOKEN_EXPIRED
                if detail == TOKEN_EXPIRED
                else SecurityEvent.Kind.TOKEN_INVALID,
                severity=SecurityEvent.Severity.INFO
                if detail == TOKEN_EXPIRED
                else SecurityEvent.Severity.WARNING,
                ip=client_ip(request),
                details={"path": request.path},
            )
            raise AuthenticationFailed(detail, code="token_not_valid") from None
        bind_context(user_id=str(user.pk))
        return user, validated


def client_ip(request: Any) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is caller-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None
