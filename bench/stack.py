"""What the service benches share: the service on real servers (PostgreSQL, Redis, gunicorn, a Celery
browser worker), a local chain and a dApp, all on 127.0.0.1, with a logged-in API client and a wallet.

DATABASE_URL / REDIS_URL are used when set (their database is migrated and gets a bench user), else
throwaway servers are started. Rate limiting is off for the API under test (it would throttle the bench, not
the service). Wallet: reference wallet, or real MetaMask with METAMASK_EXTENSION_PATH.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from metamask_service.devstack.anvil import DEFAULT_MNEMONIC, Anvil
from metamask_service.devstack.demo import Api, Processes, choose_extension, wait_http
from metamask_service.devstack.ports import LOOPBACK, free_port
from metamask_service.devstack.static_server import StaticServer, repo_root, test_dapp_dir


@dataclass
class Stack:
    api: Api
    api_process: subprocess.Popen[bytes]
    worker_process: subprocess.Popen[bytes] | None
    wallet: dict[str, Any]
    network: dict[str, Any]
    dapp_url: str
    extension: str
    wallet_kind: str
    env: dict[str, str]  # the service's environment (for manage.py commands against the same servers)
    processes: Processes


def _named(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if proc.pid != os.getpid() and any(marker in arg for arg in proc.info["cmdline"] or []):
                found.append(proc)
    return found


def no_orphans(marker: str, *, grace: float = 10.0) -> None:
    """After a bench run: nothing it started may still run. Processes whose command line names ``marker``
    (the run's own work directory, which every browser profile of the run is under) get ``grace`` seconds to
    finish exiting; then any left are killed and the run fails: a Chromium left behind is a leak the service
    would have too."""
    deadline = time.monotonic() + grace
    left = _named(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = _named(marker)
    for proc in left:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    if left:
        raise RuntimeError(f"{len(left)} process(es) outlived the bench run: pids {[p.pid for p in left]}")


def _servers(stack: contextlib.ExitStack) -> dict[str, str]:
    from tests.support.servers import ThrowawayPostgres, ThrowawayRedis

    urls = {}
    for var, cls in (("DATABASE_URL", ThrowawayPostgres), ("REDIS_URL", ThrowawayRedis)):
        if os.environ.get(var):
            urls[var] = os.environ[var]
        else:
            server = cls()
            urls[var] = server.start()
            stack.callback(server.stop)
    return urls


@contextlib.contextmanager
def service_stack(
    *,
    api_workers: int = 1,
    api_threads: int = 4,
    worker: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """The service up, as k8s/base/api.yaml and browser-worker.yaml run it (gunicorn with ``api_workers`` x
    ``api_threads``; one prefork worker of concurrency 1 unless ``worker`` is False), stopped and removed on
    exit. ``extra_env`` overrides the service's settings."""
    workdir = Path(tempfile.mkdtemp(prefix="mm-bench-"))
    procs = Processes(workdir)
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        stack.callback(no_orphans, str(workdir))  # runs before the removal, after every process stopped
        extension, wallet_kind = choose_extension()
        urls = _servers(stack)
        anvil = stack.enter_context(Anvil(mnemonic=DEFAULT_MNEMONIC))
        dapp = stack.enter_context(StaticServer(test_dapp_dir()))
        env = {
            **os.environ,
            **urls,
            "DJANGO_SETTINGS_MODULE": "metamask_service.settings.base",
            "VAR_DIR": str(workdir / "var"),
            "METAMASK_EXTENSION_PATH": extension,
            "RATELIMIT_ENABLE": "0",
            # Offline loopback stack: measured with MetaMask's online-only safety calls off (settings docs).
            "METAMASK_DISABLE_NETWORK_FEATURES": "true",
            "BROWSER_LOOPBACK_ONLY": "true",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        python = sys.executable
        manage = [python, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=repo_root(), env=env, check=True)
        username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
        subprocess.run(
            [*manage, "createsuperuser", "--noinput", "--username", username, "--email", "b@localhost"],
            cwd=repo_root(),
            env={**env, "DJANGO_SUPERUSER_PASSWORD": password},
            check=True,
        )
        port = free_port()
        stack.callback(procs.stop_all)
        gunicorn, celery = str(Path(python).with_name("gunicorn")), str(Path(python).with_name("celery"))
        api_process = procs.start(
            "api",
            [gunicorn, "metamask_service.wsgi", "-b", f"{LOOPBACK}:{port}",
             "--workers", str(api_workers), "--threads", str(api_threads)],
            env,
        )  # fmt: skip
        worker_process = None
        if worker:
            worker_process = procs.start(
                "worker", [celery, "-A", "celery_app", "worker", "--pool", "prefork", "--concurrency", "1",
                           "-Q", "browser", "-n", f"bench-{secrets.token_hex(3)}@%h", "--loglevel", "WARNING",
                           "--without-mingle", "--without-gossip"], env)  # fmt: skip
        api = Api(f"http://{LOOPBACK}:{port}/api/v1")
        wait_http(f"{api.base}/health", api_process, timeout=60)
        api.token = api.call("POST", "/auth/token/", {"username": username, "password": password})["access"]
        wallet = api.call(
            "POST",
            "/wallets/",
            {"label": "bench", "mnemonic": DEFAULT_MNEMONIC, "password": "bench-" + secrets.token_hex(8)},
            expect=(201,),
        )
        network = {"chain_id": anvil.chain_id, "rpc_url": anvil.rpc_url, "name": "Anvil Local"}
        yield Stack(
            api, api_process, worker_process, wallet, network, dapp.url, extension, wallet_kind, env, procs
        )


def provenance(bench: str) -> dict[str, Any]:
    """Command, date, commit and machine of a result (bench/README.md)."""
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo_root(), capture_output=True, text=True
    ).stdout
    return {
        "bench": bench,
        "command": " ".join([f"python -m bench.{bench}", *sys.argv[1:]]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit.strip(),
        "machine": {
            "cores": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
    }
