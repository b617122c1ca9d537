"""End-to-end fixtures: ONE real Celery browser worker (subprocess, prefork, concurrency 1) for the whole
suite, on the real Redis broker and the PostgreSQL test database pytest-django created, plus anvil, the
MetaMask test dApp and the tampering page on free loopback ports.

Tests here use django_db(transaction=True): their rows are committed, so the worker process sees them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import pytest

from metamask_service.devstack import StaticServer
from tests.conftest import require_services
from tests.support.browser_fixtures import extension_path, is_real_metamask  # noqa: F401
from tests.support.chain_fixtures import ANVIL_MNEMONIC, anvil_chain, dapp_server, erc20_token  # noqa: F401
from tests.support.polling import until
from tests.support.servers import OWNER_DIR_ENV, owned_process_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = Path(__file__).resolve().parent / "pages"
API = "/api/v1"
WORKER_START_TIMEOUT = 60.0
MAX_OPERATIONS = 4

__all__ = ["ANVIL_MNEMONIC", "API", "Worker", "poll"]


@dataclass
class Worker:
    hostname: str
    process: subprocess.Popen[bytes]
    log_path: Path
    artifacts_dir: Path
    profiles_dir: Path

    @property
    def queue(self) -> str:
        return f"browser.{self.hostname}"

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, needle: str, *, after: int = 0, timeout: float = 30.0) -> str:
        """Waits until the worker output (from offset `after`) contains `needle`; returns that output."""

        def logged() -> str | None:
            text = self.log_text()[after:]
            return text if needle in text else None

        return until(f"the worker logging {needle!r}", logged, timeout, interval=0.3, process=self.process)

    def pool_child(self) -> psutil.Process:
        """The prefork pool process (concurrency 1): the one that holds the browsers."""
        children = [
            p for p in psutil.Process(self.process.pid).children() if "celery" in " ".join(p.cmdline())
        ]
        assert len(children) == 1, children
        return children[0]

    def processes_on_profile(self, session_id: str) -> list[psutil.Process]:
        """Any process anywhere (orphans included) running on this session's browser profile."""
        marker = f"--user-data-dir={(self.profiles_dir / f'session-{session_id}').resolve()}"
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            if marker in (proc.info.get("cmdline") or []):
                found.append(proc)
        return found

    def browsers_running(self) -> int:
        from wallets.runtime import browser_processes_under

        return browser_processes_under(self.process.pid)[0]


def poll(
    fetch: Callable[[], dict[str, Any]], *, done: Callable[[dict[str, Any]], bool], timeout: float
) -> dict[str, Any]:
    seen: list[dict[str, Any]] = [{}]

    def finished() -> dict[str, Any] | None:
        seen[0] = fetch()
        return seen[0] if done(seen[0]) else None

    return until("done", finished, timeout, interval=0.5, details=lambda: f"last: {seen[0]}")


@pytest.fixture(autouse=True)
def _services(settings: Any) -> None:
    require_services()
    # Polling GETs would hit the per-user read limit (10/m); rate limiting has its own tests in tests/api.
    settings.RATELIMIT_DEFAULT = "100000/m"


@pytest.fixture(autouse=True)
def _close_what_the_test_left_open(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that fails half-way leaves its session, and so a browser, open on the shared worker; the next
    test would then fail on a browser count that is not its own. Close such sessions through the service,
    as a caller would, and wait until the worker holds no browser. Runs before the database is flushed:
    pytest-django's autouse database fixture is set up first, so it is torn down after this one."""
    yield
    if "worker" not in request.fixturenames:
        return
    from wallets.models import WalletSession
    from wallets.services import session_request_close

    shared: Worker = request.getfixturevalue("worker")
    for session in WalletSession.objects.filter(
        status__in=(WalletSession.Status.OPENING, WalletSession.Status.READY)
    ).select_related("wallet__owner"):
        session_request_close(user=session.wallet.owner, session_id=session.id)
    until(
        "the sessions the test left open closed, and their browsers with them",
        lambda: shared.browsers_running() == 0,
        90,
        interval=0.5,
        process=shared.process,
    )


@pytest.fixture(scope="package")
def tamper_server() -> Iterator[StaticServer]:
    with StaticServer(PAGES_DIR) as server:
        yield server


def _test_database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _purge_shared_queue() -> None:
    """Messages left by an interrupted earlier run would reach our worker and fail on missing rows."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete("browser")


def _kill_tree(proc: subprocess.Popen[bytes], profiles_dir: Path) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)  # warm shutdown: the pool child closes its browsers
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
        proc.kill()
        proc.wait(timeout=10)
    # Whatever still runs on our profiles (it should be nothing) goes too.
    marker = f"--user-data-dir={profiles_dir.resolve()}"
    for other in psutil.process_iter(["cmdline"]):
        if any(str(arg).startswith(marker) for arg in other.info.get("cmdline") or []):
            with contextlib.suppress(psutil.Error):
                other.kill()


@pytest.fixture(scope="package")
def worker(
    django_db_setup: Any,
    django_db_blocker: Any,
    extension_path: str,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Worker]:
    _purge_shared_queue()
    with running_worker(django_db_blocker, extension_path, tmp_path_factory.mktemp("e2e-worker")) as run:
        yield run


@contextlib.contextmanager
def running_worker(
    django_db_blocker: Any, extension: str, base: Path, *, redis_url: str | None = None
) -> Iterator[Worker]:
    """A browser worker process on the test database, its files under ``base``; on ``redis_url`` if given
    (broker and cache), else on the suite's Redis. Stopped with its whole process tree afterwards."""
    from django.db import connection

    from wallets.models import BrowserWorker

    with django_db_blocker.unblock():
        test_db = connection.settings_dict["NAME"]
    hostname_prefix = f"e2e-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metamask_service.settings.test",
        "DATABASE_URL": _test_database_url(test_db),
        "METAMASK_EXTENSION_PATH": extension,
        "BROWSER_PROFILES_DIR": str(base / "profiles"),
        "ARTIFACTS_DIR": str(base / "artifacts"),
        "BROWSER_USE_UNDETECTED": os.environ.get("BROWSER_USE_UNDETECTED", "0"),
        # Low on purpose: each session restarts its browser once mid-way (wallet, network, connect and one
        # signature are 4 operations), so restart + unlock + dApp reload is exercised by every run.
        "BROWSER_MAX_OPERATIONS": str(MAX_OPERATIONS),
        "PYTHONUNBUFFERED": "1",
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    log_path = base / "worker.log"
    argv = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "celery_app",
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        "-Q",
        "browser",
        "-n",
        f"{hostname_prefix}@%h",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
    ]
    # If this process dies without its teardown, the next run stops the worker (servers.reap_orphans).
    owner_dir = owned_process_dir("e2e-worker")
    env[OWNER_DIR_ENV] = str(owner_dir)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    (owner_dir / "server.pid").write_text(f"{proc.pid}\n")
    run = Worker("", proc, log_path, base / "artifacts", base / "profiles")
    try:

        def heartbeat() -> str | None:
            with django_db_blocker.unblock():
                row = BrowserWorker.objects.filter(hostname__startswith=hostname_prefix + "@").first()
            return None if row is None else row.hostname

        run.hostname = until(
            "the worker's first heartbeat",
            heartbeat,
            WORKER_START_TIMEOUT,
            interval=0.3,
            process=proc,
            details=lambda: run.log_text()[-3000:],
        )
        yield run
    finally:
        _kill_tree(proc, base / "profiles")
        shutil.rmtree(owner_dir, ignore_errors=True)
