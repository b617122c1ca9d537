"""JWT token endpoints (simplejwt) with our 401 wording and security events."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import InvalidToken

from wallets.api.authentication import client_ip, token_error_detail
from wallets.api.ratelimit import ratelimit_check
from wallets.audit import security_event_record
from wallets.models import SecurityEvent


class _RateLimited:
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        ratelimit_check(request=request, group=f"{type(self).__name__}.{request.method}")


class TokenObtainApi(_RateLimited, jwt_views.TokenObtainPairView):
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            username = request.data.get("username") if hasattr(request.data, "get") else None
            security_event_record(
                kind=SecurityEvent.Kind.AUTH_FAILED,
                severity=SecurityEvent.Severity.WARNING,
                actor_repr=str(username or "")[:150],
                ip=client_ip(request),
                details={"path": request.path},
            )
            raise AuthenticationFailed("Invalid credentials", code="authentication_failed") from None


class _TokenCheckMixin(_RateLimited):
    token_field = "token"  # noqa: S105  (name of a request field)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)  # type: ignore[misc]
        except InvalidToken:
            raw = request.data.get(self.token_field) if hasattr(request.data, "get") else None
            detail = token_error_detail(str(raw or ""))
            security_event_record(
                kind=SecurityEvent.Kind.TOKEN_EXPIRED
                if detail == "Token expired"
                else SecurityEvent.Kind.TOKEN_INVALID,
                severity=SecurityEvent.Severity.INFO,
                ip=client_ip(request),
                details={"path": request.path},
            )
            raise AuthenticationFailed(detail, code="token_not_valid") from None


class TokenRefreshApi(_TokenCheckMixin, jwt_views.TokenRefreshView):
    token_field = "refresh"  # noqa: S105  (name of a request field)


class TokenVerifyApi(_TokenCheckMixin, jwt_views.TokenVerifyView):
    """Says whether a token is valid (200) or why not (401)."""
