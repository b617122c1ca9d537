"""A DevTools connection of our own to one target, for what Selenium's ``execute_cdp_cmd`` cannot do: wait
for an event (``Fetch.requestPaused``) while a command that the event holds up is still unanswered.

Loopback only: the address is the one Chromium's DevTools server was started on (chromedriver's
``debuggerAddress``), and the connection is refused for anything else.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import websocket

from automation.errors import BrowserError

_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def debugger_address(capabilities: dict[str, Any]) -> str:
    """host:port of the browser's DevTools server, from the session's capabilities."""
    address = str((capabilities.get("goog:chromeOptions") or {}).get("debuggerAddress") or "")
    host = address.rpartition(":")[0]
    if host not in _LOOPBACK_HOSTS:
        raise BrowserError(f"the browser's DevTools address is not on loopback: {address or 'none'}")
    return address


class CdpSession:
    """Commands and events of one target over its DevTools websocket. Not thread-safe; one user at a time."""

    def __init__(self, address: str, target_id: str, *, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        # No Origin header: Chromium refuses DevTools websockets whose origin it was not told to allow.
        self._ws = websocket.create_connection(
            f"ws://{address}/devtools/page/{target_id}", timeout=timeout, suppress_origin=True
        )

    def __enter__(self) -> CdpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._ws.close()

    def post(self, method: str, params: dict[str, Any] | None = None) -> int:
        """Send a command without waiting for its reply; returns its id for ``reply``."""
        message_id = next(self._ids)
        self._ws.send(json.dumps({"id": message_id, "method": method, "params": params or {}}))
        return message_id

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.reply(self.post(method, params), method)

    def reply(self, message_id: int, method: str = "command") -> dict[str, Any]:
        message = self._read_until(lambda: self._replies.pop(message_id, None), f"the reply to {method}")
        if "error" in message:
            raise BrowserError(f"{method} failed: {message['error'].get('message', message['error'])}")
        return dict(message.get("result") or {})

    def event(self, method: str) -> dict[str, Any]:
        """The next ``method`` event's params (queued earlier or read now)."""

        def queued() -> dict[str, Any] | None:
            for i, event in enumerate(self._events):
                if event["method"] == method:
                    return dict(self._events.pop(i).get("params") or {})
            return None

        return self._read_until(queued, f"the {method} event")

    def _read_until(self, found: Callable[[], dict[str, Any] | None], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while (message := found()) is None:
            if time.monotonic() > deadline:
                raise BrowserError(f"no {what} within {self.timeout:.0f}s")
            try:
                incoming = json.loads(self._ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if "id" in incoming:
                self._replies[int(incoming["id"])] = incoming
            else:
                self._events.append(incoming)
        return message
