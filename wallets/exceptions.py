"""Domain errors. Services raise these; the one DRF exception handler turns them into JSON responses."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status_code = 400
    default_message = "Request failed"
    code = "error"

    def __init__(self, message: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.extra = extra or {}
        super().__init__(self.message)


class ValidationFailed(ApplicationError):
    status_code = 400
    default_message = "Invalid input"
    code = "invalid"


class PermissionDenied(ApplicationError):
    status_code = 403
    default_message = "Not allowed."
    code = "forbidden"


class NotFound(ApplicationError):
    status_code = 404
    default_message = "Not found."
    code = "not_found"


class Conflict(ApplicationError):
    status_code = 409
    default_message = "Conflict"
    code = "conflict"


class SessionNotReady(Conflict):
    code = "session_not_ready"


class NetworkRequired(Conflict):
    default_message = (
        "Transactions need a session opened with a network: its RPC is how the service checks the chain"
    )
    code = "network_required"


class WalletAlreadyImported(Conflict):
    default_message = "A wallet with this address is already imported"
    code = "wallet_exists"


class AccountExists(Conflict):
    default_message = "The wallet has this account already"
    code = "account_exists"


class RateLimited(ApplicationError):
    status_code = 429
    default_message = "Rate limit exceeded"
    code = "rate_limited"


class ServiceUnavailable(ApplicationError):
    status_code = 503
    default_message = "Service unavailable"
    code = "unavailable"
