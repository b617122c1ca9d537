"""Structured JSON logging: one formatter, a context filter and a secret-scrubbing safety net.

Every line is one JSON object with at least ts, level, logger, message, component, user_id, session_id.
Values come from the record's ``extra`` first, then from the current context (set per HTTP request by
RequestContextMiddleware, or per task with ``log_context(...)`` on the worker side).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

access_logger = logging.getLogger("metamask_service.access")
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("log_context", default=None)

# Keys a caller might pass by mistake; their values never reach the output.
_SECRET_KEY = re.compile(r"mnemonic|password|passphrase|private_?key|secret|seed|token|authorization", re.I)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
CONTEXT_KEYS = ("component", "user_id", "session_id", "request_id", "task_id")


def current_context() -> dict[str, Any]:
    return dict(_context.get() or {})


@contextlib.contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Adds values (e.g. component="worker", session_id=...) to every log line inside the block."""
    token = _context.set({**current_context(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def bind_context(**values: Any) -> None:
    """Adds values to the current context until it is reset (e.g. user_id once authentication is known)."""
    _context.set({**current_context(), **{k: v for k, v in values.items() if v is not None}})


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = current_context()
        for key in CONTEXT_KEYS:
            if getattr(record, key, None) is None:
                setattr(record, key, context.get(key))
        if record.component is None:  # type: ignore[attr-defined]
            record.component = record.name.split(".")[0]
        return True


class SecretScrubFilter(logging.Filter):
    """Safety net: an ``extra`` key that looks like a secret is dropped, whatever its value."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key in [k for k in vars(record) if k not in _STANDARD and _SECRET_KEY.search(k)]:
            delattr(record, key)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            payload[key] = getattr(record, key, None)
        for key, value in vars(record).items():
            if key in _STANDARD or key in payload or _SECRET_KEY.search(key):
                continue
            payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class RequestContextMiddleware:
    """Gives every log line of a request the same request_id (also returned as X-Request-ID)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        started = time.perf_counter()
        with log_context(component="api", request_id=request_id):
            response = self.get_response(request)
            # One access line per request (user_id is in the context once authentication has run).
            access_logger.info(
                "http_request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status_code": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        response["X-Request-ID"] = request_id
        return response
