"""Logs queries slower than SLOW_QUERY_MS with the key ``slow_query`` (one wrapper per DB connection)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

logger = logging.getLogger("wallets.db")


def _slow_query_wrapper(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms >= settings.SLOW_QUERY_MS:
            # SQL text only, never params: parameters may carry encrypted secrets.
            logger.warning("slow_query", extra={"slow_query": sql[:500], "duration_ms": round(elapsed_ms, 1)})


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if _slow_query_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_slow_query_wrapper)


def install() -> None:
    connection_created.connect(_on_connection_created, dispatch_uid="wallets.dbwatch")
