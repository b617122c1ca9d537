"""The one polling helper: every wait in the driver is ``wait_until`` with a probe, never its own loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from automation.errors import MetaMaskUIError

T = TypeVar("T")


def wait_until(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    *,
    interval: float = 0.15,
    error: Callable[[str], Exception] | None = None,
) -> T:
    """Call ``probe`` until it returns something truthy and return that; past ``timeout`` seconds raise
    ``error(what)`` (default: MetaMaskUIError "timed out waiting for <what>"). The probe runs at least
    once."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise (error or _timed_out)(what)
        time.sleep(interval)


def _timed_out(what: str) -> Exception:
    return MetaMaskUIError(f"timed out waiting for {what}")
