"""Launch and tear down Chromium with an unpacked wallet extension; CDP helpers for extension pages.

chromedriver cannot drive pages the extension opens itself (docs/metamask.md section 2), so everything the
driver touches lives in tabs opened here; the extension's own tabs are found and closed through CDP.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import psutil
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

from automation.config import BrowserConfig
from automation.errors import BrowserError
from automation.polling import wait_until

logger = logging.getLogger("automation.browser")
_LOG = {"component": "browser_controller"}


def _manifest_version(extension_dir: Path) -> str | None:
    try:
        version = json.loads((extension_dir / "manifest.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return str(version) if version else None


def _safe_profile_name(profile_id: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in profile_id)
    if not cleaned or cleaned.startswith("."):
        raise ValueError("invalid profile id")
    return cleaned


class ExtensionTarget(NamedTuple):
    """One of the extension's own targets (a tab, its side panel, its offscreen page) as the browser holds it:
    read from the browser process, so a page busy drawing cannot hold the answer up."""

    target_id: str
    type: str  # CDP's target type: "page", "service_worker", "background_page", ...
    page: str  # the file, e.g. "notification.html"
    route: str  # its fragment with the "#" ("#" when it has none)


class Browser:
    """One Chromium process tree bound to one profile directory."""

    def __init__(self, config: BrowserConfig, profile_id: str) -> None:
        self.config = config
        self.profile_id = profile_id
        self.profile_dir = Path(config.profiles_dir) / _safe_profile_name(profile_id)
        self.driver: webdriver.Chrome | None = None
        self.extension_id: str | None = None
        self.extension_version: str | None = None  # the loaded manifest's "version", read at launch
        self._pids: set[int] = set()
        self._driver_copy_dir: str | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------

    def launch(self) -> webdriver.Chrome:
        if self.driver is not None:
            return self.driver
        ext = Path(self.config.extension_path)
        if not (ext / "manifest.json").is_file():
            raise BrowserError(f"no extension manifest in {ext}")
        self.extension_version = _manifest_version(ext)
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        try:
            self.driver = self._start_undetected() if self.config.use_undetected else self._start_plain()
        except WebDriverException as exc:
            self._kill_leftovers()
            raise BrowserError(f"chromium failed to start: {exc.msg or type(exc).__name__}") from exc
        except Exception:
            self._kill_leftovers()
            raise
        self.driver.set_script_timeout(max(30.0, self.config.request_timeout))
        self._remember_pids()
        try:
            self.extension_id = self._wait_extension_id()
        except BrowserError:
            self.close()
            raise
        logger.info(
            "browser started in %.1fs (profile %s, extension %s, undetected=%s)",
            time.monotonic() - started,
            self.profile_id,
            self.extension_version,
            self.config.use_undetected,
            extra=_LOG,
        )
        return self.driver

    def _options(self, *, include_user_data_dir: bool) -> Any:
        # Extension flags are built here, not taken from operators: they are what makes this a wallet browser.
        flags = self.config.effective_flags()
        flags = [f for f in flags if not f.startswith(("--user-data-dir", "--load-extension"))]
        flags.append(f"--load-extension={Path(self.config.extension_path).resolve()}")
        if include_user_data_dir:
            flags.append(f"--user-data-dir={self.profile_dir.resolve()}")
        return flags

    def _start_plain(self) -> webdriver.Chrome:
        opts = webdriver.ChromeOptions()
        opts.binary_location = self.config.chromium_binary
        for flag in self._options(include_user_data_dir=True):
            opts.add_argument(flag)
        # Selenium's default --disable-extensions switch would drop the wallet.
        opts.add_experimental_option("excludeSwitches", ["disable-extensions", "enable-automation"])
        service = Service(executable_path=self.config.chromedriver_binary, log_output=os.devnull)
        return webdriver.Chrome(options=opts, service=service)

    def _writable_chromedriver(self) -> str:
        # undetected-chromedriver patches the binary in place: never hand it the system file (Text file busy).
        self._driver_copy_dir = tempfile.mkdtemp(prefix="uc-driver-")
        target = Path(self._driver_copy_dir) / "chromedriver"
        shutil.copy2(self.config.chromedriver_binary, target)
        target.chmod(target.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)
        return str(target)

    def _start_undetected(self) -> webdriver.Chrome:
        import undetected_chromedriver as uc

        # Its logger ("uc") logs at INFO from a weakref finalizer that runs at interpreter exit, after the log
        # streams are closed ("--- Logging error ---"); its warnings and errors still come through.
        logging.getLogger("uc").setLevel(logging.WARNING)

        opts = uc.ChromeOptions()
        for flag in self._options(include_user_data_dir=False):
            opts.add_argument(flag)
        driver = uc.Chrome(
            options=opts,
            user_data_dir=str(self.profile_dir.resolve()),
            driver_executable_path=self._writable_chromedriver(),
            browser_executable_path=self.config.chromium_binary,
            headless=False,  # our flags already carry --headless=new; uc's own switch adds conflicting ones
            use_subprocess=True,
            version_main=self._chromium_major(),
        )
        return driver

    def _chromium_major(self) -> int | None:
        import subprocess

        try:
            out = subprocess.run(
                [self.config.chromium_binary, "--version"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return None
        for token in out.split():
            head = token.split(".")[0]
            if head.isdigit() and "." in token:
                return int(head)
        return None

    def _remember_pids(self) -> None:
        assert self.driver is not None
        roots: list[int] = []
        service_proc = getattr(getattr(self.driver, "service", None), "process", None)
        if service_proc is not None:
            roots.append(service_proc.pid)
        browser_pid = getattr(self.driver, "browser_pid", None)
        if browser_pid:
            roots.append(int(browser_pid))
        for pid in roots:
            self._pids.add(pid)
            with contextlib.suppress(psutil.Error):
                self._pids.update(c.pid for c in psutil.Process(pid).children(recursive=True))

    def processes(self) -> list[psutil.Process]:
        """Live processes of this browser: driver/browser trees plus anything running on our profile dir."""
        found: dict[int, psutil.Process] = {}
        marker = f"--user-data-dir={self.profile_dir.resolve()}"
        for pid in list(self._pids):
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                found[pid] = proc
                for child in proc.children(recursive=True):
                    found[child.pid] = child
        # Chromium re-parents helpers; the profile path in argv identifies the ones this instance started.
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmdline = proc.info.get("cmdline") or []
            if marker in cmdline:
                found[proc.pid] = proc
        self._pids.update(found)
        return list(found.values())

    def rss_bytes(self) -> int:
        total = 0
        for proc in self.processes():
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def close(self) -> None:
        """Quit the driver and kill every process of this browser; safe to call twice."""
        driver, self.driver = self.driver, None
        if driver is not None:
            procs = self.processes()
            with contextlib.suppress(Exception):
                driver.quit()
            self._kill(procs)
        self._kill_leftovers()
        if self._driver_copy_dir:
            shutil.rmtree(self._driver_copy_dir, ignore_errors=True)
            self._driver_copy_dir = None
        self.extension_id = None

    def _kill_leftovers(self) -> None:
        self._kill(self.processes())
        self._pids.clear()

    @staticmethod
    def _kill(procs: list[psutil.Process]) -> None:
        alive = []
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.kill()
                alive.append(proc)
        psutil.wait_procs(alive, timeout=10)

    # ---- CDP helpers -------------------------------------------------------------------------------------

    def cdp(self, cmd: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        assert self.driver is not None
        result: dict[str, Any] = self.driver.execute_cdp_cmd(cmd, params or {})
        return result

    def targets(self) -> list[dict[str, Any]]:
        return list(self.cdp("Target.getTargets").get("targetInfos", []))

    def grant_clipboard(self) -> None:
        """Let the extension's pages read the clipboard: the driver reads full addresses that MetaMask only
        puts there (its copy buttons). Headless Chromium keeps a clipboard of its own per browser."""
        assert self.extension_id is not None
        self.cdp(
            "Browser.grantPermissions",
            {
                "origin": f"chrome-extension://{self.extension_id}",
                "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            },
        )

    def _wait_extension_id(self, timeout: float = 30.0) -> str:
        def extension_id() -> str | None:
            for info in self.targets():
                url = str(info.get("url", ""))
                if info.get("type") == "service_worker" and url.startswith("chrome-extension://"):
                    return url.split("/")[2]
            return None

        return wait_until(
            "the wallet extension's service worker",
            extension_id,
            timeout,
            interval=0.2,
            error=lambda _what: BrowserError("the wallet extension's service worker never appeared"),
        )

    def extension_targets(self) -> list[ExtensionTarget]:
        assert self.extension_id is not None
        prefix = f"chrome-extension://{self.extension_id}/"
        found = []
        for info in self.targets():
            url = str(info.get("url", ""))
            if url.startswith(prefix):
                path, _, fragment = url[len(prefix) :].partition("#")
                page = path.split("?")[0]
                found.append(
                    ExtensionTarget(str(info.get("targetId")), str(info.get("type")), page, "#" + fragment)
                )
        return found

    def close_extension_tabs(self, *, keep_handles: bool = True, keep_pages: tuple[str, ...] = ()) -> int:
        """Close tabs the extension opened itself (home.html at startup, popup windows): they can't be
        driven and while MetaMask's own home tab is active it never shows approvals in our tab. Pages named
        in ``keep_pages`` (e.g. "notification.html") are left open."""
        assert self.driver is not None
        ours = set()
        if keep_handles:
            current = self.driver.current_window_handle
            for handle in self.driver.window_handles:
                ours.add(handle)
            with contextlib.suppress(WebDriverException):
                self.driver.switch_to.window(current)
        closed = 0
        for target in self.extension_targets():
            if target.type != "page" or target.target_id in ours or target.page in keep_pages:
                continue
            with contextlib.suppress(WebDriverException):
                self.cdp("Target.closeTarget", {"targetId": target.target_id})
                closed += 1
        return closed
