"""The tests' one polling helper: every wait in tests/ is ``until`` with a probe, never a loop of its own."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def until(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    *,
    interval: float = 0.2,
    process: subprocess.Popen[Any] | None = None,
    details: Callable[[], str] = lambda: "",
) -> T:
    """Call ``probe`` until it returns something truthy and return that. Fails (AssertionError naming
    ``what``, then ``details()``, a log tail say) after ``timeout`` seconds, or at once when ``process``
    has exited: a dead server or worker never answers, so waiting out the timeout would only hide why."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}\n{details()}")
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s\n{details()}")
        time.sleep(interval)
