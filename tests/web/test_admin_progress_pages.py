"""What operators see of a request's progress, in headless Chromium against the live app: the session page
shows the MetaMask version, the browser's memory and the open steps as a timeline with durations; an
operation page shows its steps the same way, the failed one marked, and its failure screenshot inline
(loaded through the staff-only artifact view).

With DOCS_SCREENSHOTS_DIR set, the screenshots are also written there (docs/images/ holds the ones the docs
show: `DOCS_SCREENSHOTS_DIR=docs/images .venv/bin/python -m pytest tests/web/test_admin_progress_pages.py`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import TransactionFactory, WalletSessionFactory
from tests.support.live_app import headless_chromium
from wallets.models import Transaction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "admin-Pa55word-for-a-test"
OPEN_STEPS = [
    {"step": "browser_start", "ok": True, "seconds": 2.412, "at": "2026-12-03T09:00:02.412000+00:00"},
    {"step": "wallet_ready", "ok": True, "seconds": 21.05, "at": "2026-12-03T09:00:23.500000+00:00"},
    {"step": "dapp_open", "ok": True, "seconds": 0.8, "at": "2026-12-03T09:00:24.300000+00:00"},
    {"step": "network", "ok": True, "seconds": 1.6, "at": "2026-12-03T09:00:25.900000+00:00"},
    {"step": "connect", "ok": True, "seconds": 2.1, "at": "2026-12-03T09:00:28.000000+00:00"},
]
SEND_STEPS = [
    {"step": "send_transaction", "ok": False, "seconds": 3.25, "at": "2026-12-03T09:01:03.250000+00:00"}
]


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    with headless_chromium() as driver:
        yield driver


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("ops", "ops@localhost", STAFF_PASSWORD)


def _login(browser: webdriver.Chrome, base: str, user: Any) -> None:
    browser.get(f"{base}/admin/login/?next=/admin/")
    browser.find_element(By.ID, "id_username").send_keys(user.username)
    browser.find_element(By.ID, "id_password").send_keys(STAFF_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "user-tools"))


def _timeline(browser: webdriver.Chrome) -> list[list[str]]:
    rows = browser.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr")
    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")[:3]] for row in rows]


def _keep(browser: webdriver.Chrome, tmp_path: Path, name: str) -> None:
    browser.save_screenshot(str(tmp_path / name))
    if target := os.environ.get("DOCS_SCREENSHOTS_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(target) / name))


def test_session_and_operation_pages_show_progress_memory_and_the_failure_screenshot(
    live_server: Any, browser: webdriver.Chrome, staff: Any, settings: Any, tmp_path: Path
) -> None:
    settings.ARTIFACTS_DIR = str(tmp_path / "artifacts")
    session = WalletSessionFactory(
        wallet__owner=staff,
        metamask_version="13.36.0.0",
        progress=OPEN_STEPS,
        browser_rss_bytes=612 * 2**20,
    )
    # A real PNG for the failure screenshot: Chromium's own, of a page that says what it is.
    artifact = Path(settings.ARTIFACTS_DIR) / "20261203T090103-send_transaction-ab12"
    artifact.mkdir(parents=True)
    browser.get("data:text/html,<h1 style='font-size:64px'>MetaMask screen at the failure</h1>")
    (artifact / "screenshot.png").write_bytes(browser.get_screenshot_as_png())
    (artifact / "page.html").write_text("<html></html>")
    failed = TransactionFactory(
        session=session,
        status=Transaction.Status.FAILED,
        error="MetaMask showed an unknown screen",
        error_kind="unsupported_metamask_version",
        progress=SEND_STEPS,
        artifact_path=artifact.name,
    )
    base = live_server.url
    browser.set_window_size(1280, 1200)
    _login(browser, base, staff)

    browser.get(f"{base}/admin/wallets/walletsession/{session.id}/change/")
    assert _timeline(browser) == [[s["step"], "ok", f"{s['seconds']:.2f} s"] for s in OPEN_STEPS]
    total = browser.find_element(By.CSS_SELECTOR, "table.timeline tfoot").text
    assert f"{sum(s['seconds'] for s in OPEN_STEPS):.2f} s" in total
    page = browser.find_element(By.ID, "content").text
    assert "612 MiB RSS" in page
    assert "13.36.0.0" in page
    bars = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.timeline tbody div')).map(d => d.offsetWidth)"
    )
    assert bars[1] == max(bars) > bars[0] > 0  # the slowest step, wallet_ready, has the longest bar
    _keep(browser, tmp_path, "admin-session.png")

    browser.get(f"{base}/admin/wallets/transaction/{failed.id}/change/")
    assert _timeline(browser) == [["send_transaction", "failed", "3.25 s"]]
    image = WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "img.failure-screenshot")
    )[0]
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return arguments[0].complete", image))
    assert browser.execute_script("return arguments[0].naturalWidth", image) > 100
    assert "unsupported_metamask_version" in browser.find_element(By.ID, "content").text
    _keep(browser, tmp_path, "admin-operation.png")
