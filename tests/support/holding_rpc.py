"""A loopback JSON-RPC proxy in front of anvil that holds one method's calls: the crash tests' way to stop
MetaMask at a chosen moment of a transaction, without the dApp page (which the service does not send through).

``hold="request"`` keeps a call from the chain for ``seconds`` (MetaMask waits for it: nothing shown or
clicked yet); ``hold="result"`` passes the call on at once and keeps its answer (the chain has it, MetaMask
does not). ``held`` is set once a call was held; ``release()`` lets every held call go.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from metamask_service.devstack.ports import LOOPBACK, free_port

_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
}


class HoldingRpc:
    def __init__(self, upstream: str, *, method: str, hold: str, seconds: float = 30.0) -> None:
        if hold not in ("request", "result"):
            raise ValueError(f"hold is 'request' or 'result', not {hold!r}")
        self.upstream, self.method, self.hold, self.seconds = upstream, method, hold, seconds
        self.held = threading.Event()
        self._release = threading.Event()
        self.port = free_port()
        self._httpd = ThreadingHTTPServer((LOOPBACK, self.port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="holding-rpc", daemon=True)

    @property
    def rpc_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def __enter__(self) -> HoldingRpc:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def release(self) -> None:
        self._release.set()

    def _forward(self, body: bytes) -> bytes:
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(self.upstream, data=body, headers=headers, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback anvil only
            return bytes(response.read())

    def _holds(self, body: bytes) -> bool:
        try:
            calls: Any = json.loads(body)
        except ValueError:
            return False
        calls = calls if isinstance(calls, list) else [calls]
        return any(isinstance(c, dict) and c.get("method") == self.method for c in calls)

    def _answer(self, body: bytes) -> bytes:
        holds = self._holds(body)
        if holds and self.hold == "request":
            self.held.set()
            self._release.wait(self.seconds)
        answer = self._forward(body)
        if holds and self.hold == "result":
            self.held.set()
            self._release.wait(self.seconds)
        return answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # access logs of a test proxy are noise

            def _reply(self, status: int, body: bytes = b"") -> None:
                self.send_response(status)
                for name, value in _CORS.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:  # http.server's naming
                self._reply(204)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    self._reply(200, proxy._answer(body))
                except (OSError, ValueError):
                    error = {"code": -32603, "message": "the upstream chain did not answer"}
                    self._reply(502, json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode())

        return Handler
