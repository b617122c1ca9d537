"""Serve a directory (the MetaMask test dApp build) on a free loopback port from a background thread."""

from __future__ import annotations

import functools
import logging
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from metamask_service.devstack.ports import LOOPBACK, free_port

logger = logging.getLogger("metamask_service.devstack")


def repo_root() -> Path:
    """The repository root (this file lives in <root>/metamask_service/devstack/)."""
    return Path(__file__).resolve().parents[2]


def test_dapp_dir() -> Path:
    """The static build of @metamask/test-dapp installed by `npm ci`."""
    path = repo_root() / "node_modules" / "@metamask" / "test-dapp" / "dist"
    if not (path / "index.html").is_file():
        raise FileNotFoundError(f"test dApp build not found at {path}; run `npm ci`")
    return path


class _QuietHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, served: list[str], **kwargs: Any) -> None:
        self._served = served
        super().__init__(*args, **kwargs)

    def send_head(self) -> Any:
        self._served.append(self.path)  # list.append is atomic: handler threads need no lock
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:
        # Access logs of a test server are noise; keep them at debug level.
        logger.debug("static: %s", format % args)

    def end_headers(self) -> None:
        # The dApp must always be reloaded fresh; a cached bundle hides rebuilds.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class StaticServer:
    """ThreadingHTTPServer bound to 127.0.0.1:<free port>; ``url`` ends with '/'."""

    def __init__(self, directory: str | Path, port: int | None = None) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"not a directory: {self.directory}")
        self.port = port or free_port()
        self._httpd: ThreadingHTTPServer | None = None
        self.served: list[str] = []  # every path asked of this server (GET and HEAD), in order
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def start(self) -> StaticServer:
        if self._httpd is not None:
            return self
        handler = functools.partial(_QuietHandler, directory=str(self.directory), served=self.served)
        self._httpd = ThreadingHTTPServer((LOOPBACK, self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="static-server", daemon=True)
        self._thread.start()
        logger.info("serving %s at %s", self.directory, self.url)
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
