"""Browser/driver configuration. Plain data: the worker builds it from settings, tests build it directly."""

from __future__ import annotations

from dataclasses import dataclass

# docs/metamask.md section 1. The network-silencing flags are mandatory here: without them Chromium floods a
# closed network. --screen-info makes MetaMask's popup geometry valid in headless mode (section 2, pitfall 3).
DEFAULT_FLAGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--window-size=1280,900",
    "--screen-info={1920x1080}",
    # Every MetaMask page is background to Chromium at some point (the wallet window while the channel polls,
    # its offscreen document always); throttled timers there cost 13.36 seconds of onboarding (section 1).
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
)
# loopback_only: every host name but loopback fails to resolve at once (docs/metamask.md section 7).
LOOPBACK_ONLY_FLAG = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]"
)


@dataclass(frozen=True)
class BrowserConfig:
    extension_path: str  # unpacked extension dir (real MetaMask or the reference wallet dist)
    profiles_dir: str  # one sub-dir per wallet session profile
    artifacts_dir: str  # failure screenshots + DOM dumps go here
    chromium_binary: str = "/usr/bin/chromium"
    chromedriver_binary: str = "/usr/bin/chromedriver"
    use_undetected: bool = True  # undetected-chromedriver (on a writable chromedriver copy) or plain Selenium
    headless: bool = True  # False drops "--headless=new" from chrome_flags
    chrome_flags: tuple[str, ...] = DEFAULT_FLAGS  # operators may add more
    max_operations: int = 50  # restart the browser (same profile, unlock again) after N operations
    # ... or once the Chromium process tree's RSS sum passes this many MiB (0 = no limit). RSS sums count
    # shared pages more than once: a full MetaMask flow peaked near 3 GB here (docs/metamask.md section 8).
    max_rss_mb: int = 0
    ui_timeout: float = 30.0  # seconds to wait for a MetaMask element
    request_timeout: float = 120.0  # seconds for a dApp request to resolve after approval
    # docs/metamask.md section 7: turn off security alerts and tx simulations. Offline
    # these only add retries (seconds per tx); online they protect users, so this is a deliberate opt-in.
    disable_network_features: bool = False
    # Also turn off "Basic functionality" (only together with disable_network_features). Opt-in: it was
    # not needed for fast approvals here, and it hides MetaMask features users may rely on online.
    disable_basic_functionality: bool = False
    # Resolve no host name but loopback. For closed networks (tests, the demo, benches): there each of
    # MetaMask's web-service lookups otherwise waits on the resolver, and 13.36 holds a transaction until
    # its lookups fail (about 20 s per transfer measured here). Never for a worker that must reach dApps.
    loopback_only: bool = False

    def effective_flags(self) -> list[str]:
        flags = [f for f in self.chrome_flags if self.headless or not f.startswith("--headless")]
        if self.headless and not any(f.startswith("--headless") for f in flags):
            flags.insert(0, "--headless=new")
        if self.loopback_only:
            flags = [f for f in flags if not f.startswith("--host-resolver-rules")] + [LOOPBACK_ONLY_FLAG]
        return flags
