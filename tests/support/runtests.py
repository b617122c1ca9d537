"""Run pytest against real PostgreSQL and Redis: ``python -m tests.support.runtests [pytest args]``.

- DATABASE_URL / REDIS_URL set: they are checked first (a dead server fails the run, never skips tests;
  RUNTESTS_SERVER_WAIT seconds of patience, default 10).
- Unset outside CI: throwaway servers are started for the run and always stopped afterwards.
- Unset under CI=true: an error, because .ci/run is responsible for providing them.
pytest's "no tests collected" (exit 5) is turned into a failure.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from tests.support.servers import (
    ServerUnavailable,
    ThrowawayPostgres,
    ThrowawayRedis,
    check_postgres,
    check_redis,
    reap_orphans,
    redact_url,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTEST_NO_TESTS = 5
# Grace for pytest to finish its own teardown after Ctrl-C before we stop it harder.
PYTEST_INTERRUPT_GRACE = 20.0


def server_wait() -> float:
    """Seconds a given server may take to answer (it may have just been started by .ci/run)."""
    return float(os.environ.get("RUNTESTS_SERVER_WAIT", "10"))


def log(message: str) -> None:
    print(f"[runtests] {message}", file=sys.stderr, flush=True)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (CI timeout, kill) takes the same cleanup path as Ctrl-C.
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def provide_servers(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Yield env with DATABASE_URL and REDIS_URL pointing at live servers."""
    with contextlib.ExitStack() as stack:
        started = time.monotonic()
        for var, check, server_cls in (
            ("DATABASE_URL", check_postgres, ThrowawayPostgres),
            ("REDIS_URL", check_redis, ThrowawayRedis),
        ):
            url = env.get(var, "").strip()
            if url:
                check(url, server_wait())
                log(f"{var}: using {redact_url(url)}")
                continue
            if in_ci():
                raise ServerUnavailable(f"{var} is not set under CI=true; .ci/run must export it")
            server = server_cls()
            stack.callback(_stop_and_report, server)
            env[var] = server.start()
            log(f"{var}: throwaway {server.name} pid {server.pid} at {env[var]}")
        log(f"servers ready in {time.monotonic() - started:.1f}s")
        yield env


def _stop_and_report(server: ThrowawayPostgres | ThrowawayRedis) -> None:
    pid = server.pid
    server.stop()
    log(f"stopped throwaway {server.name} (pid {pid})")


def run_pytest(args: Sequence[str], env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "pytest", *args]
    log("running: " + shlex.join(command))
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        # A terminal Ctrl-C reached pytest too; give it time to tear down before the servers go.
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            process.wait(PYTEST_INTERRUPT_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise
    log(f"pytest exited {code} after {time.monotonic() - started:.1f}s")
    return code


def main(argv: Sequence[str]) -> int:
    signal.signal(signal.SIGTERM, _raise_interrupt)
    for workdir in reap_orphans():
        log(f"removed orphaned throwaway server dir {workdir}")
    env = dict(os.environ)
    try:
        with provide_servers(env) as ready_env:
            code = run_pytest(argv, ready_env)
    except ServerUnavailable as exc:
        log(f"ERROR: {exc}")
        return 2
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    if code == PYTEST_NO_TESTS:
        log("ERROR: pytest collected no tests (exit 5); a run that tests nothing is a failure")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
