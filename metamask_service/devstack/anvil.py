"""Start a throw-away anvil chain on a free loopback port, plus a tiny JSON-RPC client for tests."""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from automation.polling import wait_until
from metamask_service.devstack.ports import LOOPBACK, free_port
from metamask_service.devstack.static_server import repo_root

logger = logging.getLogger("metamask_service.devstack")

# anvil's own default: its first accounts are funded with 10000 ETH. A public test phrase, not a secret.
DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
_ids = itertools.count(1)


class RpcError(RuntimeError):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"JSON-RPC error {code}: {message}")
        self.code = code


def rpc_call(url: str, method: str, params: list[Any] | None = None, timeout: float = 10.0) -> Any:
    """POST one JSON-RPC request. Loopback only: this helper must never reach the outside network."""
    if not url.startswith((f"http://{LOOPBACK}:", "http://localhost:")):
        raise ValueError("rpc_call only talks to loopback URLs")
    body = json.dumps({"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params or []})
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        reply = json.loads(resp.read())
    if "error" in reply:
        err = reply["error"]
        raise RpcError(err.get("code"), str(err.get("message")))
    return reply.get("result")


def anvil_binary() -> Path:
    override = os.environ.get("ANVIL_BIN")
    path = (
        Path(override)
        if override
        else (repo_root() / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil")
    )
    if not path.is_file():
        raise FileNotFoundError(f"anvil not found at {path}; run `npm ci` or set ANVIL_BIN")
    return path


class Anvil:
    """An anvil process on 127.0.0.1:<free port>; use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        chain_id: int = 31337,
        mnemonic: str = DEFAULT_MNEMONIC,
        port: int | None = None,
        accounts: int = 10,
        block_time: float | None = None,
        startup_timeout: float = 20.0,
    ) -> None:
        self.chain_id = chain_id
        self.mnemonic = mnemonic
        self.port = port or free_port()
        self.accounts = accounts
        self.block_time = block_time
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> Anvil:
        if self._proc is not None:
            return self
        argv = [
            str(anvil_binary()),
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--accounts",
            str(self.accounts),
            "--mnemonic",
            self.mnemonic,
            "--silent",
        ]
        if self.block_time:
            argv += ["--block-time", str(self.block_time)]
        # stdout/stderr discarded: the mnemonic is on our argv and anvil would echo accounts/keys.
        self._proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        proc = self._proc

        def answering() -> bool:
            if proc.poll() is not None:
                self._proc = None
                code = proc.returncode
                raise RuntimeError(f"anvil exited with code {code} during startup (port {self.port})")
            try:
                return bool(int(self.rpc("eth_chainId"), 16) == self.chain_id)
            except OSError:
                return False

        try:
            wait_until(
                f"anvil on {self.rpc_url}",
                answering,
                self.startup_timeout,
                interval=0.1,
                error=lambda what: TimeoutError(f"{what} did not answer within {self.startup_timeout}s"),
            )
        except TimeoutError:
            self.stop()
            raise
        logger.info("anvil chain %s up at %s (pid %s)", self.chain_id, self.rpc_url, self._proc.pid)
        return self

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        return rpc_call(self.rpc_url, method, params)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
