"""The browsers of one browser-worker process (a BrowserPool: one per session, kept between its tasks).

Browser workers run prefork with concurrency 1, so the single pool child holds every browser of its worker and
the hard time limit can still kill a stuck task. This module is the only place wallets/ builds automation's
BrowserConfig (from Django settings).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import psutil
from django.conf import settings

from automation import DEFAULT_FLAGS, BrowserConfig, WalletBrowser

logger = logging.getLogger("wallets.runtime")
_LOG = {"component": "worker"}

PROFILE_PREFIX = "session-"


def browser_config() -> BrowserConfig:
    """automation.BrowserConfig from Django settings (operators' extra flags are appended to the defaults)."""
    extra = tuple(str(flag) for flag in settings.BROWSER_EXTRA_FLAGS)
    return BrowserConfig(
        extension_path=str(settings.METAMASK_EXTENSION_PATH),
        profiles_dir=str(settings.BROWSER_PROFILES_DIR),
        artifacts_dir=str(settings.ARTIFACTS_DIR),
        chromium_binary=str(settings.CHROMIUM_BINARY),
        chromedriver_binary=str(settings.CHROMEDRIVER_BINARY),
        use_undetected=bool(settings.BROWSER_USE_UNDETECTED),
        headless=bool(settings.BROWSER_HEADLESS),
        chrome_flags=DEFAULT_FLAGS + extra,
        max_operations=int(settings.BROWSER_MAX_OPERATIONS),
        max_rss_mb=int(settings.BROWSER_MAX_RSS_MB),
        ui_timeout=float(settings.BROWSER_UI_TIMEOUT),
        request_timeout=float(settings.BROWSER_REQUEST_TIMEOUT),
        disable_network_features=bool(settings.METAMASK_DISABLE_NETWORK_FEATURES),
        disable_basic_functionality=bool(settings.METAMASK_DISABLE_BASIC_FUNCTIONALITY),
        loopback_only=bool(settings.BROWSER_LOOPBACK_ONLY),
    )


def profile_id(session_id: object) -> str:
    return f"{PROFILE_PREFIX}{session_id}"


def profile_dir(session_id: object) -> Path:
    return Path(settings.BROWSER_PROFILES_DIR) / profile_id(session_id)


class BrowserPool(Protocol):
    """How execution reaches browsers; passed to it (wallets/tasks.py gives it this process's pool), so a
    warm pool that keeps started browsers for expected wallets is another implementation of this, not a
    rewrite of execution."""

    def acquire(self, session_id: object) -> WalletBrowser:
        """A browser for this session, from now on returned by get()."""
        ...

    def get(self, session_id: object) -> WalletBrowser | None:
        """The session's browser in this process, if it has one."""
        ...

    def release(self, session_id: object) -> bool:
        """The session ended normally: its browser is given back. True if it had one here."""
        ...

    def discard(self, session_id: object) -> bool:
        """The session's browser failed or may be in an unknown state: never hand it out again."""
        ...

    def session_ids(self) -> list[str]: ...

    def __len__(self) -> int: ...


class SessionBrowsers:
    """A BrowserPool with one fresh browser per session, closed (every Chromium process) with its profile
    when the session ends, released or discarded alike. Thread-safe for the heartbeat's reads."""

    def __init__(self) -> None:
        self._browsers: dict[str, WalletBrowser] = {}
        self._lock = threading.Lock()

    def acquire(self, session_id: object) -> WalletBrowser:
        browser = WalletBrowser(browser_config(), profile_id(session_id))
        with self._lock:
            self._browsers[str(session_id)] = browser
        return browser

    def get(self, session_id: object) -> WalletBrowser | None:
        with self._lock:
            return self._browsers.get(str(session_id))

    def session_ids(self) -> list[str]:
        with self._lock:
            return list(self._browsers)

    def __len__(self) -> int:
        with self._lock:
            return len(self._browsers)

    def release(self, session_id: object) -> bool:
        return self._close(session_id)

    def discard(self, session_id: object) -> bool:
        return self._close(session_id)

    def _close(self, session_id: object) -> bool:
        """Idempotent."""
        with self._lock:
            browser = self._browsers.pop(str(session_id), None)
        if browser is not None:
            with contextlib.suppress(Exception):
                browser.close()
        # The profile holds MetaMask's (encrypted) vault: it must not outlive the session.
        shutil.rmtree(profile_dir(session_id), ignore_errors=True)
        return browser is not None

    def close_all(self) -> int:
        ids = self.session_ids()
        for session_id in ids:
            self._close(session_id)
        return len(ids)


_process_browsers: SessionBrowsers | None = None


def process_browsers() -> SessionBrowsers:
    """The browsers of this worker process (created on first use, never at import)."""
    global _process_browsers
    if _process_browsers is None:
        _process_browsers = SessionBrowsers()
    return _process_browsers


def kill_orphaned_browsers(session_ids: list[str]) -> int:
    """Kills Chromium left running on these sessions' profiles by a pool process that died (hard time limit).

    Chromium's argv names its profile dir, which is per session, so only those browsers are touched; their
    parent chromedriver goes too.
    """
    markers = {f"--user-data-dir={profile_dir(sid).resolve()}" for sid in session_ids}
    if not markers:
        return 0
    victims: dict[int, psutil.Process] = {}
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if markers.intersection(cmdline):
            victims[proc.pid] = proc
            with contextlib.suppress(psutil.Error):
                parent = proc.parent()
                if parent is not None and "chromedriver" in parent.name():
                    victims[parent.pid] = parent
    for proc in victims.values():
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(list(victims.values()), timeout=10)
    for sid in session_ids:
        shutil.rmtree(profile_dir(sid), ignore_errors=True)
    if victims:
        logger.warning("killed %d orphaned browser processes", len(victims), extra=_LOG)
    return len(victims)


@dataclass
class BrowserMemory:
    """The Chromium processes under one worker, from one walk of its process tree."""

    browsers: int = 0  # browser processes (not their renderers and helpers)
    rss_bytes: int = 0  # every Chromium process's RSS (pages shared between them counted in each)
    rss_by_session: dict[str, int] = field(default_factory=dict)
    # Proportional set size: shared pages split between the processes that map them, so the sessions' PSS
    # add up to what they cost the machine together (RSS counts the shared libraries in every process).
    pss_by_session: dict[str, int] = field(default_factory=dict)


def browser_memory(pid: int) -> BrowserMemory:
    """Memory of the Chromium processes descending from ``pid`` (the worker's main process, so it reports
    what its pool child holds), by session: a browser is its session's by the profile directory in its argv,
    and its memory is its own and that of every process under it."""
    marker = f"--user-data-dir={Path(settings.BROWSER_PROFILES_DIR).resolve()}/{PROFILE_PREFIX}"
    memory = BrowserMemory()
    try:
        descendants = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return memory
    owner: dict[int, str] = {}  # pid -> session id, for browser processes of a session
    for proc in descendants:  # parents come before their children in psutil's walk
        with contextlib.suppress(psutil.Error):
            cmdline = proc.cmdline()
            own = next((a[len(marker) :] for a in cmdline if a.startswith(marker)), None)
            is_browser = bool(cmdline) and not any(a.startswith("--type=") for a in cmdline)
            session_id = own if own is not None and is_browser else owner.get(proc.ppid())
            chromium = bool(cmdline) and "chrom" in Path(cmdline[0]).name and "chromedriver" not in cmdline[0]
            if session_id is None and not chromium:
                continue
            info = proc.memory_full_info()
            if chromium:
                memory.rss_bytes += info.rss
                memory.browsers += int(is_browser)
            if session_id is not None:
                owner[proc.pid] = session_id
                memory.rss_by_session[session_id] = memory.rss_by_session.get(session_id, 0) + info.rss
                pss = int(getattr(info, "pss", None) or info.rss)  # Linux; elsewhere RSS stands in
                memory.pss_by_session[session_id] = memory.pss_by_session.get(session_id, 0) + pss
    return memory


def browser_rss_by_session(pid: int) -> dict[str, int]:
    """Session id -> RSS bytes of its Chromium and everything under it (browser_memory)."""
    return browser_memory(pid).rss_by_session


def browser_processes_under(pid: int) -> tuple[int, int]:
    """(browsers, rss bytes) of Chromium processes descending from ``pid`` (browser_memory)."""
    memory = browser_memory(pid)
    return memory.browsers, memory.rss_bytes
