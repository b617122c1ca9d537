"""tests.support.runtests, run as the real command it is (nested pytest, real servers)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.infra import environ_with
from tests.support.polling import until
from tests.support.runtests import REPO_ROOT
from tests.support.servers import free_port, port_open

# The nested pytest runs outside the repo so it neither sees our pyproject nor needs Django.
NESTED_ARGS = ["-p", "no:django", "-p", "no:cacheprovider", "-q"]


def runtests(args: list[str], env_update: dict[str, str | None], **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.runtests", *NESTED_ARGS, *args],
        cwd=REPO_ROOT,
        env=environ_with(env_update),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


def unset_urls(ci: str | None) -> dict[str, str | None]:
    return {"DATABASE_URL": None, "REDIS_URL": None, "CI": ci}


def test_no_tests_collected_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "test_nothing_here.py").write_text("X = 1\n")
    code, output = finish(runtests([str(tmp_path)], unset_urls(ci=None)))
    assert code == 1, output
    assert "collected no tests" in output


def test_throwaway_mode_passes_urls_and_reports_pytest_result(tmp_path: Path) -> None:
    (tmp_path / "test_env.py").write_text(
        "import os, psycopg2, redis\n"
        "def test_servers_answer():\n"
        "    psycopg2.connect(os.environ['DATABASE_URL']).close()\n"
        "    assert redis.Redis.from_url(os.environ['REDIS_URL']).ping()\n"
        "def test_fails_on_purpose():\n"
        "    assert False\n"
    )
    code, output = finish(runtests([str(tmp_path)], unset_urls(ci=None)))
    assert code == 1, output  # pytest's own "tests failed" code passes through
    assert "1 failed, 1 passed" in output
    assert "stopped throwaway postgres" in output
    assert "stopped throwaway redis" in output


def test_ci_without_urls_fails_before_pytest(tmp_path: Path) -> None:
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    code, output = finish(runtests([str(tmp_path)], unset_urls(ci="true")))
    assert code == 2, output
    assert "DATABASE_URL is not set under CI=true" in output
    assert "running:" not in output


def test_unreachable_given_server_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    dead = free_port()
    env: dict[str, str | None] = {
        "CI": "true",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead}/nothing",
        "REDIS_URL": f"redis://127.0.0.1:{dead}/0",
        "RUNTESTS_SERVER_WAIT": "0.5",
    }
    code, output = finish(runtests([str(tmp_path)], env))
    assert code == 2, output
    assert "is not usable" in output
    assert "passed" not in output


def test_interrupt_stops_pytest_and_servers(tmp_path: Path) -> None:
    marker = tmp_path / "urls.txt"
    (tmp_path / "test_slow.py").write_text(
        "import os, pathlib, time\n"
        "def test_wait():\n"
        f"    pathlib.Path({str(marker)!r}).write_text("
        "os.environ['DATABASE_URL'] + '\\n' + os.environ['REDIS_URL'])\n"
        "    time.sleep(120)\n"
    )
    # Its own process group, like a terminal job, so Ctrl-C can be delivered to runtests and pytest at once.
    process = runtests([str(tmp_path)], unset_urls(ci=None), start_new_session=True)
    try:

        def started() -> bool:
            return marker.exists() and "\n" in marker.read_text()

        until("the nested test", started, 60, process=process, details=lambda: process.communicate()[0])
        ports = [urlsplit(url).port for url in marker.read_text().splitlines()]
        assert all(port and port_open(port) for port in ports)
        os.killpg(process.pid, signal.SIGINT)
        code, output = finish(process, timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert code == 130, output
    assert "stopped throwaway postgres" in output
    assert not any(port and port_open(port) for port in ports)


@pytest.mark.parametrize("sig", [signal.SIGTERM])
def test_sigterm_to_runtests_alone_still_cleans_up(tmp_path: Path, sig: signal.Signals) -> None:
    marker = tmp_path / "urls.txt"
    (tmp_path / "test_slow.py").write_text(
        "import os, pathlib, time\n"
        "def test_wait():\n"
        f"    pathlib.Path({str(marker)!r}).write_text(os.environ['DATABASE_URL'])\n"
        "    time.sleep(120)\n"
    )
    process = runtests([str(tmp_path)], unset_urls(ci=None))
    try:

        def started() -> bool:
            return marker.exists() and bool(marker.read_text())

        until("the nested test", started, 60, process=process, details=lambda: process.communicate()[0])
        port = urlsplit(marker.read_text()).port
        process.send_signal(sig)
        code, output = finish(process, timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 130, output
    assert port is not None
    assert not port_open(port)
