"""The floor of bench/api_load.py: a WSGI app that answers 204 at once, served by the same gunicorn command
as the API, so that its latency is what HTTP, gunicorn and the load generator cost on this machine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("204 No Content", [])
    return [b""]
