"""The hostile pages' shared provider wrapper (tests/e2e/pages/hostile.js), for tests that turn a page they
did not write (MetaMask's test dApp) hostile from Selenium."""

from __future__ import annotations

from pathlib import Path

HOSTILE_JS_PATH = Path(__file__).resolve().parents[1] / "e2e" / "pages" / "hostile.js"


def wrap_provider_script(wrap_source: str) -> str:
    """A script for ``execute_script`` that installs ``wrap_source`` (a JS function from the original
    ``request`` to its replacement) with hostile.js, as the e2e hostile pages do."""
    return f"{HOSTILE_JS_PATH.read_text()}\nwindow.hostileWrapProvider({wrap_source}, () => {{}});"
