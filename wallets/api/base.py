from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.views import APIView

from metamask_service.logging import bind_context
from wallets.api.authentication import client_ip
from wallets.api.ratelimit import ratelimit_check


class ApiView(APIView):
    """APIView with django-ratelimit applied after authentication.

    ``ratelimit_groups`` maps an HTTP method to a named group (wallet_connect, transaction_operations);
    other methods get a group of their own per view and method, at RATELIMIT_DEFAULT.
    """

    ratelimit_groups: dict[str, str] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if "session_id" in kwargs:
            bind_context(session_id=str(kwargs["session_id"]))
        method = (request.method or "GET").upper()
        group = self.ratelimit_groups.get(method) or f"{type(self).__name__}.{method}"
        ratelimit_check(request=request, group=group)

    @staticmethod
    def ip(request: Request) -> str | None:
        return client_ip(request)
