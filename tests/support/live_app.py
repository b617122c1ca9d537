"""The real service as a new user starts it, on a loopback port, plus a plain headless Chromium to look at it.

``running()`` starts a server process (gunicorn, ``manage.py runserver``) and always stops its whole process
tree; ``wait_http()`` waits until it answers; ``http_get()`` is a plain HTTP request; ``headless_chromium()``
is Selenium on /usr/bin/chromium without any extension (the flags are the ones the browser workers use for a
closed network: no background traffic, no sandbox in a container).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from automation.config import DEFAULT_FLAGS
from tests.support.polling import until

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = DEFAULT_FLAGS  # the driver's own flags: the same headless Chromium the service runs


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 30.0) -> Response:
    """A GET that returns error statuses instead of raising them."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback test URL)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return Response(int(answer.status), answer.headers, answer.read())
    except urllib.error.HTTPError as exc:
        return Response(int(exc.code), exc.headers, exc.read())


def service_env(test_db: str, **extra: str) -> dict[str, str]:
    """Environment for a server process of the service on the test settings and the given (pytest-django)
    test database, without inherited metrics variables; ``extra`` on top."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS_", "prometheus_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "metamask_service.settings.test",
            "DATABASE_URL": urlunsplit(
                (parts.scheme, parts.netloc, "/" + test_db, parts.query, parts.fragment)
            ),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def gunicorn_argv(app_port: int, workers: int = 1) -> list[str]:
    """The API as the pod runs it (gunicorn.conf.py: the pod exporter in the master), on a loopback port."""
    return [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "metamask_service/gunicorn.conf.py",
        "metamask_service.wsgi:application",
        f"--bind=127.0.0.1:{app_port}",
        f"--workers={workers}",
        "--timeout=60",
    ]


def celery_worker_argv(queue: str, *extra: str) -> list[str]:
    """A Celery worker as the browser-worker pod runs it (prefork, one child), on a queue of its own."""
    return [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "celery_app",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        f"--queues={queue}",
        f"--hostname={queue}@%h",
        "--without-mingle",
        "--without-gossip",
        "--loglevel=INFO",
        *extra,
    ]


def exporter_env(env: dict[str, str], multiproc_dir: Path, metrics_port: int) -> dict[str, str]:
    """``env`` plus the pod exporter's settings (its multiprocess directory and port)."""
    return {
        **env,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir),
        "PROMETHEUS_METRICS_PORT": str(metrics_port),
    }


def debian_tool(name: str, package: str) -> str:
    """The path of a command from a Debian package that `make bootstrap` installs; a missing one fails under
    CI=true and skips elsewhere."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} not found (Debian package {package}; `make bootstrap` installs it)")
        pytest.skip(f"{name} not installed (Debian package {package})")
    return found


def log_tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""


@contextlib.contextmanager
def running(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run argv from the repository root, output to log; on exit stop it and every child it started."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        with contextlib.suppress(psutil.Error):
            family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            proc.terminate()
            _gone, alive = psutil.wait_procs(family, timeout=20)
            for leftover in alive:
                with contextlib.suppress(psutil.Error):
                    leftover.kill()
        proc.wait(timeout=10)


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    """Until url answers at all (any status); fails with the log if the server exits or stays silent."""

    def answers() -> bool:
        try:
            http_get(url, timeout=3)
        except OSError:
            return False
        return True

    until(f"{url} answering", answers, timeout, interval=0.3, process=proc, details=lambda: log_tail(log))


def run_checked(argv: list[str], env: dict[str, str]) -> str:
    """A one-shot command (migrate, collectstatic...) that must succeed; its output for the assertion."""
    done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = f"{done.stdout[-2000:]}{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{output}"
    return done.stdout


@contextlib.contextmanager
def headless_chromium() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    # Console messages, so a test can name a resource that failed to load.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()
