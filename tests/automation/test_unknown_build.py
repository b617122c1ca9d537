"""A build whose screens the driver does not know: it stops within 10 s with a clear error, clicks nothing.

The extension is made here (a stand-in for a future MetaMask whose onboarding changed), so this runs the same
with or without METAMASK_EXTENSION_PATH.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from automation import BrowserConfig, UnsupportedMetaMaskVersion, WalletBrowser
from tests.support.browser_fixtures import browser_config  # noqa: F401

pytestmark = pytest.mark.browser

_HOME_JS = """
location.hash = '#onboarding/welcome';
const b = document.createElement('button');
b.dataset.testid = 'onboarding-start-journey';
b.textContent = 'Begin your journey';
b.addEventListener('click', () => { document.title = 'clicked'; });
document.body.append(b);
"""


def _unknown_build(root: Path) -> Path:
    root.mkdir()
    manifest = {
        "manifest_version": 3,
        "name": "Future wallet",
        "version": "99.1.0",
        "background": {"service_worker": "sw.js"},
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    (root / "sw.js").write_text("self.addEventListener('install', () => {});\n")
    (root / "home.html").write_text('<!doctype html><body><script src="home.js"></script></body>')
    (root / "home.js").write_text(_HOME_JS)
    return root


def test_unknown_onboarding_screen_stops_fast_with_a_clear_error(
    browser_config: BrowserConfig,  # noqa: F811
    tmp_path: Path,
) -> None:
    config = dataclasses.replace(browser_config, extension_path=str(_unknown_build(tmp_path / "ext")))
    wallet = WalletBrowser(config, "unknown-build")
    try:
        wallet.start()
        assert wallet.extension_version == "99.1.0"
        started = time.monotonic()
        with pytest.raises(UnsupportedMetaMaskVersion) as caught:
            wallet.ensure_wallet(mnemonic="test " * 11 + "junk", password="never-typed-Pa55")
        elapsed = time.monotonic() - started
        # The bound: stop within 10 s of meeting the screen, never the 30 s UI timeout.
        assert elapsed < 10, f"took {elapsed:.1f}s"
        error = caught.value
        assert error.kind == "unsupported_metamask_version"
        assert error.version == "99.1.0"
        assert "onboarding-start-journey" in error.screen
        assert "99.1.0" in str(error)
        assert "home.html#onboarding/welcome" in str(error)
        assert error.artifact_path
        assert (Path(error.artifact_path) / "page.html").is_file()
        # Nothing unrecognised was clicked.
        assert wallet.mm.dom.call("() => document.title") != "clicked"
    finally:
        wallet.close()
