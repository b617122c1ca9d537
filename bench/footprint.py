"""How much memory the service's pods need: the API and the browser worker measured as process trees
(each process's PSS, so pages Chromium's processes share are counted once), on the stack of bench/stack.py.

    .venv/bin/python -m bench.footprint [--sessions 3] [--requests 400] [--out bench/results/x.json]

API: gunicorn as k8s/base/api.yaml runs it (2 workers x 4 threads), idle and under `--requests` authenticated
GETs from 8 client threads. Browser worker: idle, then with 1..`--sessions` sessions held open, each after
a personal_sign and an ETH transfer on it (MetaMask's heaviest screens). A sampler reads both trees every
0.2 s; the result has every sample, each phase's median and peak, the worker's growth per session, and the
requests and limits the rule in bench/README.md derives from them (k8s/overlays/production uses those).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

from bench.stack import Stack, provenance, service_stack
from metamask_service.devstack.demo import RECIPIENT

MIB = 2**20
FINAL = {"ready", "failed", "lost", "closed", "signed", "rejected", "confirmed", "reverted", "unknown"}


def tree_pss(pid: int) -> int:
    """PSS of a process and all its descendants, in bytes (RSS where PSS cannot be read)."""
    total = 0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            info = proc.memory_full_info()
            total += int(getattr(info, "pss", 0) or info.rss)
    return total


class Sampler:
    """Both trees every ``interval`` s into the current phase (a phase per measured situation)."""

    def __init__(self, pids: dict[str, int], interval: float = 0.2) -> None:
        self.pids, self.interval = pids, interval
        self.phase = "start"
        self.samples: dict[str, dict[str, list[int]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        phase = self.samples.setdefault(self.phase, {})
        for name, pid in self.pids.items():
            phase.setdefault(name, []).append(tree_pss(pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def during(self, phase: str, seconds: float = 0.0) -> None:
        """Enter ``phase``, sampled at once (a phase shorter than the interval still has a sample), and stay
        ``seconds``."""
        self.phase = phase
        self._sample()
        time.sleep(seconds)


def finished(stack: Stack, path: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        row = stack.api.call("GET", path)
        if row["status"] in FINAL:
            return dict(row)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} still {row['status']} after {timeout}s")
        time.sleep(0.2)


def act(stack: Stack, sid: str, kind: str, body: dict[str, Any], ok: str) -> None:
    accepted = stack.api.call("POST", f"/sessions/{sid}/{kind}/", body, expect=(202,))
    row = finished(stack, f"/sessions/{sid}/{kind}/{accepted['id']}/")
    if row["status"] != ok:
        raise RuntimeError(f"{kind} {row['status']}: {row['error']}")


def load_api(stack: Stack, requests: int, sid: str) -> None:
    paths = ["/wallets/", f"/sessions/{sid}/", f"/wallets/{stack.wallet['id']}/"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: stack.api.call("GET", paths[i % len(paths)]), range(requests)))


def mib(value: float) -> float:
    return round(value / MIB, 1)


def suggest(peak_mib: float, steady_mib: float) -> dict[str, int]:
    """bench/README.md's rule: request = steady median x 1.25, limit = peak x 1.5, rounded up to 64 MiB."""

    def up(x: float) -> int:
        return int(math.ceil(x / 64) * 64)

    return {"request_mib": up(steady_mib * 1.25), "limit_mib": up(peak_mib * 1.5)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    with service_stack(api_workers=2, api_threads=4) as stack:
        assert stack.worker_process is not None
        pids = {"api": stack.api_process.pid, "worker": stack.worker_process.pid}
        sessions: list[str] = []
        with Sampler(pids) as sampler:
            sampler.during("idle", 5)
            for n in range(1, args.sessions + 1):
                sampler.during(f"opening_{n}")
                accepted = stack.api.call(
                    "POST",
                    "/sessions/",
                    {"wallet_id": stack.wallet["id"], "dapp_url": stack.dapp_url, "network": stack.network},
                    expect=(202,),
                )
                session = finished(stack, f"/sessions/{accepted['id']}/")
                if session["status"] != "ready":
                    raise RuntimeError(f"session {session['status']}: {session['error']}")
                sessions.append(session["id"])
                act(
                    stack,
                    session["id"],
                    "signatures",
                    {"method": "personal_sign", "message": "bench"},
                    "signed",
                )
                act(
                    stack,
                    session["id"],
                    "transactions",
                    {"to": RECIPIENT, "value_wei": str(10**15)},
                    "confirmed",
                )
                sampler.during(f"sessions_{n}", 5)
                print(f"[bench] {n} session(s) open", flush=True)
            sampler.during("api_load")
            load_api(stack, args.requests, sessions[0])
            sampler.during("after_load", 2)
            for sid in sessions:
                stack.api.call("DELETE", f"/sessions/{sid}/", expect=(202,))
            for sid in sessions:
                finished(stack, f"/sessions/{sid}/", timeout=120)
            sampler.during("closed", 5)
        extension, wallet_kind = stack.extension, stack.wallet_kind
    phases = {
        phase: {
            name: {"median_mib": mib(statistics.median(v)), "peak_mib": mib(max(v))}
            for name, v in trees.items()
            if v
        }
        for phase, trees in sampler.samples.items()
    }
    worker_at = [phases[f"sessions_{n}"]["worker"]["median_mib"] for n in range(1, args.sessions + 1)]
    growth = [
        round(b - a, 1)
        for a, b in zip([phases["idle"]["worker"]["median_mib"], *worker_at[:-1]], worker_at, strict=True)
    ]
    worker_peak = max(p["worker"]["peak_mib"] for p in phases.values() if "worker" in p)
    api_peak = max(p["api"]["peak_mib"] for p in phases.values() if "api" in p)
    result = {
        **provenance("footprint"),
        "wallet": wallet_kind,
        "extension_path": extension,
        "sessions": args.sessions,
        "requests": args.requests,
        "phases": phases,
        "worker_growth_per_session_mib": growth,
        "suggested": {
            "api": suggest(api_peak, phases["idle"]["api"]["median_mib"]),
            # Steady: the worker holding one session, what a pod mostly does; per extra session the median
            # growth is what BROWSER_MAX_RSS_MB and the HPA's sessions per pod must leave room for.
            "browser_worker": suggest(worker_peak, worker_at[0]),
            "browser_worker_per_extra_session_mib": statistics.median(growth[1:])
            if len(growth) > 1
            else None,
        },
        "pss_bytes": sampler.samples,
    }
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "pss_bytes"}
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
