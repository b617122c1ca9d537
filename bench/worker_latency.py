"""How long the browser worker takes, measured through the HTTP API on real PostgreSQL + Redis + Celery.

    .venv/bin/python -m bench.worker_latency [--sessions 2] [--rounds 5] [--out bench/results/x.json]

Per session: open (POST -> ready), then `rounds` x (personal_sign, eth_signTypedData_v4, ETH transfer to its
receipt), each timed from the POST to the final status as a client polling every 0.1 s sees it, then
close. One API (gunicorn) and one browser worker (prefork, concurrency 1, so one Chromium at a time), set up
by bench/stack.py (servers, wallet, rate limits off). Prints and writes one JSON result with every sample.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.stack import provenance, service_stack
from metamask_service.devstack.demo import RECIPIENT, Api, demo_typed_data

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    samples: dict[str, list[float]] = {}
    with service_stack() as stack:
        api, wallet = stack.api, stack.wallet
        for s in range(args.sessions):
            seconds, session = timed(
                api,
                "/sessions/",
                {"wallet_id": wallet["id"], "dapp_url": stack.dapp_url, "network": stack.network},
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
        extension, wallet_kind = stack.extension, stack.wallet_kind
    result = {
        **provenance("worker_latency"),
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
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
