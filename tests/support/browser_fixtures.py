"""Choose the wallet extension for browser tests and build BrowserConfigs for them.

METAMASK_EXTENSION_PATH selects real MetaMask (a folder with its manifest.json, outside the repo); otherwise
the reference wallet build in tests/reference_wallet/dist is used. A missing build skips locally but fails
under CI=true.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from automation import BrowserConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_WALLET_DIST = REPO_ROOT / "tests" / "reference_wallet" / "dist"


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def extension_path() -> str:
    configured = os.environ.get("METAMASK_EXTENSION_PATH")
    path = Path(configured) if configured else REFERENCE_WALLET_DIST
    if not (path / "manifest.json").is_file():
        message = (
            f"wallet extension not found at {path}: set METAMASK_EXTENSION_PATH or build the reference "
            "wallet with `node tests/reference_wallet/build.mjs`"
        )
        if _ci() or configured:
            pytest.fail(message)
        pytest.skip(message)
    return str(path)


@pytest.fixture(scope="session")
def is_real_metamask(extension_path: str) -> bool:
    return Path(extension_path).resolve() != REFERENCE_WALLET_DIST.resolve()


@pytest.fixture(scope="session")
def browser_config(extension_path: str, tmp_path_factory: pytest.TempPathFactory) -> BrowserConfig:
    base = tmp_path_factory.mktemp("wallet-browser")
    return BrowserConfig(
        extension_path=extension_path,
        profiles_dir=str(base / "profiles"),
        artifacts_dir=str(base / "artifacts"),
        use_undetected=os.environ.get("AUTOMATION_USE_UNDETECTED", "1") != "0",
        disable_network_features=True,  # no internet here: the section-7 features only add retries
        loopback_only=True,  # tests send nothing off this machine, DNS lookups included
        ui_timeout=30.0,
        request_timeout=90.0,
    )
