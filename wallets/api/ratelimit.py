"""django-ratelimit applied to DRF views after authentication (so the key is the user, or the IP for
anonymous calls). Rates are read from settings on every request, so they follow env/override_settings."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.request import Request
from rest_framework.response import Response

from wallets import metrics
from wallets.api.authentication import client_ip
from wallets.audit import security_event_record
from wallets.exceptions import RateLimited
from wallets.models import SecurityEvent

logger = logging.getLogger("wallets.ratelimit")

GROUP_DEFAULT_SETTING = "RATELIMIT_DEFAULT"
GROUP_SETTINGS = {
    "wallet_connect": "RATELIMIT_WALLET_CONNECT",
    "transaction_operations": "RATELIMIT_TRANSACTION_OPERATIONS",
}


def rate_for(group: str) -> str:
    return str(getattr(settings, GROUP_SETTINGS.get(group, GROUP_DEFAULT_SETTING)))


def ratelimit_check(*, request: Request, group: str) -> None:
    """Counts this request in `group`; raises RateLimited (429) when over the limit."""
    if not settings.RATELIMIT_ENABLE:
        return
    rate = rate_for(group)
    usage = get_usage(request, group=group, key="user_or_ip", rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return
    retry_after = max(int(usage["time_left"]), 1)
    user = request.user if request.user.is_authenticated else None
    metrics.rate_limit_rejections_total.labels(group=group).inc()
    logger.warning(
        "rate_limit exceeded",
        extra={"rate_limit": group, "limit": rate, "retry_after": retry_after, "path": request.path},
    )
    security_event_record(
        kind=SecurityEvent.Kind.RATE_LIMITED,
        severity=SecurityEvent.Severity.INFO,
        actor=user,
        ip=client_ip(request),
        details={"group": group, "limit": rate, "path": request.path, "method": request.method},
    )
    raise RateLimited(extra={"group": group, "limit": rate, "retry_after": retry_after})


def rate_limited_response(exc: Exception, context: dict[str, Any]) -> Response:
    """For django-ratelimit's own Ratelimited exception, should a decorator raise it."""
    return Response({"detail": "Rate limit exceeded"}, status=429, headers={"Retry-After": "60"})
