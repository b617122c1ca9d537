"""The one DRF exception handler: domain errors, rate limits and DRF's own errors become JSON bodies."""

from __future__ import annotations

from typing import Any

from django_ratelimit.exceptions import Ratelimited
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from wallets.exceptions import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Ratelimited):
        from wallets.api.ratelimit import rate_limited_response

        return rate_limited_response(exc, context)
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code, **exc.extra}
        headers = {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
        return Response(body, status=exc.status_code, headers=headers)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        # Field errors stay keyed by field; a top-level detail tells clients what kind of error this is.
        if isinstance(response.data, dict) and "detail" not in response.data:
            response.data = {"detail": "Invalid input", "errors": response.data}
        elif isinstance(response.data, list):
            response.data = {"detail": "Invalid input", "errors": {"non_field_errors": response.data}}
    return response
