"""How long the browser worker takes, measured through the HTTP API on real PostgreSQL + Redis + Celery.

    .venv/bin/python -m bench.worker_latency [--sessions 2] [--rounds 5] [--out bench/results/x.json]

Per session: open (POST -> ready), then `rounds` x (personal_sign, eth_signTypedData_v4, ETH transfer to its
receipt), each timed from the POST to the final status as a client polling every 0.1 s sees it, then
close. One API (gunicorn) and one browser worker (prefork, concurrency 1, so one Chromium at a time).
DATABASE_URL / REDIS_URL are used when set (their database is migrated and gets a bench user), else
throwaway servers are started. Rate limiting is off for the API under test (it would throttle the bench,
not the worker). Wallet: reference wallet, or real MetaMask with METAMASK_EXTENSION_PATH. Prints and writes
one JSON result with every sample.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from metamask_service.devstack.anvil import DEFAULT_MNEMONIC, Anvil
from metamask_service.devstack.demo import (
    RECIPIENT,
    Api,
    Processes,
    choose_extension,
    demo_typed_data,
    wait_http,
)
from metamask_service.devstack.ports import LOOPBACK, free_port
from metamask_service.devstack.static_server import StaticServer, repo_root, test_dapp_dir

FINAL = {
    "ready",
    "failed",
    "lost",
    "closed",
    "expired",
    "signed",
    "rejected",
    "confirmed",
    "reverted",
    "unknown",
}


def timed(
    api: Api, post_path: str, body: dict[str, Any], get_path: str, timeout: float = 300
) -> tuple[float, dict]:
    started = time.monotonic()
    accepted = api.call("POST", post_path, body, expect=(202,))
    deadline = started + timeout
    while True:
        row = api.call("GET", get_path.format(id=accepted["id"]))
        if row["status"] in FINAL:
            return time.monotonic() - started, row
        if time.monotonic() > deadline:
            raise RuntimeError(f"{get_path} still {row['status']} after {timeout}s")
        time.sleep(0.1)


def servers(stack: contextlib.ExitStack) -> dict[str, str]:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    samples: dict[str, list[float]] = {}
    workdir = Path(tempfile.mkdtemp(prefix="mm-bench-"))
    procs = Processes(workdir)
    with contextlib.ExitStack() as stack:
        extension, wallet_kind = choose_extension()
        urls = servers(stack)
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
        }
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=repo_root(), env=env, check=True
        )
        username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
        subprocess.run(
            [
                python,
                "manage.py",
                "createsuperuser",
                "--noinput",
                "--username",
                username,
                "--email",
                "b@localhost",
            ],
            cwd=repo_root(),
            env={**env, "DJANGO_SUPERUSER_PASSWORD": password},
            check=True,
        )
        port = free_port()
        stack.callback(procs.stop_all)
        gunicorn, celery = str(Path(python).with_name("gunicorn")), str(Path(python).with_name("celery"))
        bind = f"{LOOPBACK}:{port}"
        api_proc = procs.start(
            "api", [gunicorn, "metamask_service.wsgi", "-b", bind, "--workers", "1", "--threads", "4"], env
        )
        procs.start(
            "worker", [celery, "-A", "celery_app", "worker", "--pool", "prefork", "--concurrency", "1",
                       "-Q", "browser", "-n", f"bench-{secrets.token_hex(3)}@%h", "--loglevel", "WARNING",
                       "--without-mingle", "--without-gossip"], env)  # fmt: skip
        api = Api(f"http://{LOOPBACK}:{port}/api/v1")
        wait_http(f"{api.base}/health", api_proc, timeout=60)
        api.token = api.call("POST", "/auth/token/", {"username": username, "password": password})["access"]
        wallet = api.call(
            "POST",
            "/wallets/",
            {"label": "bench", "mnemonic": DEFAULT_MNEMONIC, "password": "bench-" + secrets.token_hex(8)},
            expect=(201,),
        )
        network = {"chain_id": anvil.chain_id, "rpc_url": anvil.rpc_url, "name": "Anvil Local"}
        for s in range(args.sessions):
            seconds, session = timed(
                api,
                "/sessions/",
                {"wallet_id": wallet["id"], "dapp_url": dapp.url, "network": network},
                "/sessions/{id}/",
            )
            if session["status"] != "ready":
                raise RuntimeError(f"session {session['status']}: {session['error']}")
            samples.setdefault("session_open", []).append(seconds)
            for step in session["progress"]:
                samples.setdefault(f"session_open.{step['step']}", []).append(step["seconds"])
            sid = session["id"]
            ops = {
                "personal_sign": ("signatures", {"method": "personal_sign", "message": "bench"}),
                "typed_data_v4": (
                    "signatures",
                    {"method": "eth_signTypedData_v4", "typed_data": demo_typed_data(wallet["address"])},
                ),
                "transaction": ("transactions", {"to": RECIPIENT, "value_wei": str(10**15)}),
            }
            for r in range(args.rounds):
                for name, (kind, body) in ops.items():
                    seconds, row = timed(
                        api, f"/sessions/{sid}/{kind}/", body, f"/sessions/{sid}/{kind}/{{id}}/"
                    )
                    if row["status"] not in ("signed", "confirmed"):
                        raise RuntimeError(f"{name} {row['status']}: {row['error']}")
                    key = name + (
                        ".with_restart"
                        if any(p["step"] == "browser_restart" for p in row["progress"])
                        else ""
                    )
                    samples.setdefault(key, []).append(seconds)
                print(f"[bench] session {s + 1} round {r + 1} done", flush=True)
            started = time.monotonic()
            api.call("DELETE", f"/sessions/{sid}/", expect=(202,))
            while api.call("GET", f"/sessions/{sid}/")["status"] == "closing":
                time.sleep(0.1)
            samples.setdefault("session_close", []).append(time.monotonic() - started)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo_root(), capture_output=True, text=True
    ).stdout
    result = {
        "bench": "worker_latency",
        "command": " ".join(["python -m bench.worker_latency", *sys.argv[1:]]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit.strip(),
        "machine": {
            "cores": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
        "wallet": wallet_kind,
        "extension_path": extension,
        "sessions": args.sessions,
        "rounds": args.rounds,
        "seconds": {k: [round(x, 3) for x in v] for k, v in samples.items()},
        "median_seconds": {k: round(statistics.median(v), 3) for k, v in samples.items()},
    }
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    shutil.rmtree(workdir, ignore_errors=True)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
