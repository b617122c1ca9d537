"""Per-action time of the bare driver (automation/ only: no API, Celery or database), build beside build.

    .venv/bin/python -m bench.driver_actions [--rounds 5] [--restarts 3] [--out results/x.json] [DIR ...]

Builds: the folders given, else METAMASK_EXTENSION_PATHS (colon-separated) or METAMASK_EXTENSION_PATH, else
the reference wallet. Per build, in one run and one at a time (one Chromium on 2 cores): a fresh profile is
started, onboarded, put on a throw-away anvil chain and connected to the MetaMask test dApp (each step timed
once), then ``rounds`` x (add a new network, each round's on an anvil of its own, switch back to the first,
personal_sign, eth_signTypedData_v4, ETH transfer to its receipt), then ``restarts`` x (a restart and one
signature after it). Every approval is checked as the service would (what MetaMask shows against what
was asked), so the figures include the reads a real request pays for.

Beside each round's driver steps the same steps run bare (bench/bare_metamask.py: clicked through unread, as
fast as MetaMask lets them), and a second fresh profile gives the bare first network and connect (and a
second onboarding sample): MetaMask's own time on that build, so that the driver's own share (driver minus
bare) can be told apart from a build that is itself slower.

The first build is the one compared with: each later build's medians are printed with their ratio to it
(13.36 against 13.5, say: the "within 20 %" figure of the official-build work). Prints a table and writes
one JSON with every sample, the command, the commit, each build's version and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import psutil
from eth_account import Account
from eth_account.messages import encode_defunct

from automation import (
    BrowserConfig,
    Displayed,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedTransaction,
    NetworkSpec,
    TxRequest,
    WalletBrowser,
    requests,
)
from bench.bare_metamask import bare_ensure_network, bare_request, bare_transfer
from bench.stack import no_orphans
from metamask_service.devstack import Anvil, StaticServer, test_dapp_dir
from metamask_service.devstack.anvil import DEFAULT_MNEMONIC
from metamask_service.devstack.static_server import repo_root
from metamask_service.devstack.typed_data import typed_data

RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil account #1
PASSWORD = "bench-Pa55word!"  # noqa: S105 (a throw-away profile on a throw-away chain)
SETUP_STEPS = ("browser_start", "onboarding", "open_dapp", "first_network", "connect")
ROUND_STEPS = ("add_network", "switch_network", "personal_sign", "typed_data_v4", "transfer_to_receipt")
ONCE_AFTER = ("restart", "sign_after_restart")


def builds_from(args: list[str]) -> list[Path]:
    if args:
        return [Path(a) for a in args]
    paths = os.environ.get("METAMASK_EXTENSION_PATHS") or os.environ.get("METAMASK_EXTENSION_PATH")
    if paths:
        return [Path(p) for p in paths.split(":") if p]
    return [repo_root() / "tests" / "reference_wallet" / "dist"]


def expect(reason: str | None) -> None:
    """A check failed: the bench measures only requests that went as asked."""
    if reason is not None:
        raise SystemExit(f"bench: approval refused by its own check: {reason}")


def timed(samples: dict[str, list[float]], step: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    samples.setdefault(step, []).append(time.perf_counter() - started)
    return result


def run_build(extension: Path, rounds: int, restarts: int, work: Path) -> dict[str, Any]:
    samples: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}
    config = BrowserConfig(
        extension_path=str(extension),
        profiles_dir=str(work / "profiles"),
        artifacts_dir=str(work / "artifacts"),
        disable_network_features=True,  # offline here: as the driver suite runs
        loopback_only=True,  # likewise: no lookup leaves the machine or waits on its resolver
        ui_timeout=30.0,
        request_timeout=90.0,
    )
    with Anvil(mnemonic=DEFAULT_MNEMONIC) as chain, StaticServer(test_dapp_dir()) as dapp:
        wallet = WalletBrowser(config, f"bench-{extension.name}")
        try:
            timed(samples, "browser_start", wallet.start)
            address = timed(
                samples,
                "onboarding",
                lambda: wallet.ensure_wallet(mnemonic=DEFAULT_MNEMONIC, password=PASSWORD),
            )
            timed(samples, "open_dapp", lambda: wallet.open_dapp(dapp.url))
            spec = NetworkSpec(chain_id=31337, rpc_url=chain.rpc_url, name="Anvil Local")
            timed(samples, "first_network", lambda: wallet.ensure_network(spec, verify=network_check(spec)))
            timed(samples, "connect", lambda: wallet.connect(verify=connect_check))
            for n in range(rounds):
                # A new chain each round (its own anvil), then back to the first: add and switch, per round.
                with Anvil(chain_id=31338 + n, mnemonic=DEFAULT_MNEMONIC) as other:
                    extra = NetworkSpec(chain_id=other.chain_id, rpc_url=other.rpc_url, name=f"Bench {n}")
                    timed(
                        samples,
                        "add_network",
                        partial(wallet.ensure_network, extra, verify=network_check(extra)),
                    )
                    timed(
                        samples,
                        "switch_network",
                        lambda: wallet.ensure_network(spec, verify=network_check(spec)),
                    )
                message = f"bench round {n}"
                signature = timed(
                    samples,
                    "personal_sign",
                    partial(wallet.personal_sign, message, address=address, verify=text_check(message)),
                )
                recovered = Account.recover_message(encode_defunct(text=message), signature=signature)
                expect(None if recovered == address else f"signature recovers to {recovered}")
                data = bench_typed_data(address, n)
                timed(
                    samples,
                    "typed_data_v4",
                    partial(wallet.sign_typed_data_v4, data, address=address, verify=typed_check),
                )
                timed(samples, "transfer_to_receipt", lambda: transfer(wallet, address))
                bare_round(wallet, bare, spec, address, n)
            for _ in range(restarts):
                timed(samples, "restart", wallet.restart)
                timed(
                    samples,
                    "sign_after_restart",
                    lambda: wallet.personal_sign(
                        "after restart", address=address, verify=text_check("after restart")
                    ),
                )
            version = wallet.extension_version
        finally:
            wallet.close()
        # The bare first network and connect need a profile that has neither yet: a second one.
        second = WalletBrowser(config, f"bench-bare-{extension.name}")
        try:
            second.start()
            timed(
                samples,
                "onboarding",
                lambda: second.ensure_wallet(mnemonic=DEFAULT_MNEMONIC, password=PASSWORD),
            )
            second.open_dapp(dapp.url)
            timed(bare, "first_network", lambda: bare_ensure_network(second, spec))
            timed(bare, "connect", lambda: bare_request(second, requests.request_accounts()))
        finally:
            second.close()
    return {"extension": str(extension), "version": version, "samples": samples, "bare": bare}


def bare_round(
    wallet: WalletBrowser, bare: dict[str, list[float]], spec: NetworkSpec, address: str, n: int
) -> None:
    """The round's steps again, clicked through bare (bench/bare_metamask.py): MetaMask's own time."""
    with Anvil(chain_id=31338 + 100 + n, mnemonic=DEFAULT_MNEMONIC) as other:
        extra = NetworkSpec(chain_id=other.chain_id, rpc_url=other.rpc_url, name=f"Bare {n}")
        timed(bare, "add_network", lambda: bare_ensure_network(wallet, extra))
        timed(bare, "switch_network", lambda: bare_ensure_network(wallet, spec))
    timed(bare, "personal_sign", lambda: bare_request(wallet, requests.personal_sign(f"bare {n}", address)))
    data = bench_typed_data(address, n)
    timed(bare, "typed_data_v4", lambda: bare_request(wallet, requests.sign_typed_data_v4(data, address)))
    timed(bare, "transfer_to_receipt", lambda: bare_transfer(wallet, address, RECIPIENT))


def transfer(wallet: WalletBrowser, address: str) -> None:
    tx_hash = wallet.send_transaction(
        TxRequest(to=RECIPIENT, value_wei=10**15), sender=address, verify=tx_check
    )
    receipt = wallet.wait_for_receipt(tx_hash, timeout=60)
    expect(None if receipt.status == 1 else f"transfer {tx_hash} reverted")


def network_check(spec: NetworkSpec) -> Callable[[Displayed], str | None]:
    def check(shown: Displayed) -> str | None:
        ok = isinstance(shown, DisplayedNetwork) and shown.name == spec.name
        return None if ok else f"shown {shown!r}"

    return check


def connect_check(shown: Displayed) -> str | None:
    return None if isinstance(shown, DisplayedConnect) and shown.origin == "127.0.0.1" else f"shown {shown!r}"


def text_check(message: str) -> Callable[[Displayed], str | None]:
    def check(shown: Displayed) -> str | None:
        ok = isinstance(shown, DisplayedSignature) and shown.text == message
        return None if ok else f"shown {shown!r}"

    return check


def typed_check(shown: Displayed) -> str | None:
    ok = isinstance(shown, DisplayedSignature) and "Bench order" in shown.text
    return None if ok else f"shown {shown!r}"


def tx_check(shown: Displayed) -> str | None:
    ok = isinstance(shown, DisplayedTransaction) and shown.value_text == "0.001 ETH"
    return None if ok else f"shown {shown!r}"


def bench_typed_data(address: str, n: int) -> dict[str, Any]:
    return typed_data(
        primary_type="Order",
        types={"Order": [{"name": "maker", "type": "address"}, {"name": "note", "type": "string"}]},
        message={"maker": address, "note": f"Bench order {n}"},
        domain_name="Driver Bench",
    )


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {step: statistics.median(values) for step, values in samples.items()}


def driver_share(result: dict[str, Any]) -> dict[str, float]:
    """Per step with a bare figure: the driver's median minus the bare click-through's (its own cost)."""
    driver, bare = medians(result["samples"]), medians(result["bare"])
    return {step: driver[step] - bare[step] for step in bare if step in driver}


def table(results: list[dict[str, Any]]) -> str:
    """Medians per build: the driver's, with their ratio to the first build; the bare click-through's
    (MetaMask's own time), likewise; and the driver's own share (driver minus bare), with its difference to
    the first build's in seconds (a ratio of two small differences says nothing)."""
    rest = results[1:]
    head = ["step"] + [f"{r['version']} s" for r in results] + [f"{r['version']} / first" for r in rest]
    head += [f"{r['version']} bare s" for r in results] + [f"{r['version']} bare / first" for r in rest]
    head += [f"{r['version']} driver's own s" for r in results] + [
        f"{r['version']} own - first" for r in rest
    ]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    figures = [(medians(r["samples"]), medians(r["bare"]), driver_share(r)) for r in results]
    for step in (*SETUP_STEPS, *ROUND_STEPS, *ONCE_AFTER):
        row = [step]
        for column, compare in ((0, ratio), (1, ratio), (2, difference)):
            values = [f[column].get(step) for f in figures]
            row += [cell(v) for v in values] + [compare(v, values[0]) for v in values[1:]]
        lines.append(" | ".join(row))
    return "\n".join(f"| {line} |" for line in lines)


def cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def ratio(value: float | None, first: float | None) -> str:
    return "-" if value is None or not first else f"{value / first:.2f}"


def difference(value: float | None, first: float | None) -> str:
    return "-" if value is None or first is None else f"{value - first:+.2f}"


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo_root(), capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("extensions", nargs="*", help="unpacked builds; the first is compared with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--restarts", type=int, default=3, help="restarts, each followed by a signature")
    parser.add_argument("--out", type=Path, help="where to write the JSON result")
    args = parser.parse_args(argv)
    builds = builds_from(args.extensions)
    missing = [str(b) for b in builds if not (b / "manifest.json").is_file()]
    if missing:
        print(f"bench: no manifest.json in {', '.join(missing)}", file=sys.stderr)
        return 2
    results = []
    for build in builds:
        with tempfile.TemporaryDirectory(prefix="bench-driver-") as work:
            print(f"[bench] {build}: {args.rounds} round(s)", flush=True)
            results.append(run_build(build, args.rounds, args.restarts, Path(work)))
            no_orphans(work)
    report = {
        "bench": "driver_actions",
        "command": " ".join([sys.executable, "-m", "bench.driver_actions", *(argv or sys.argv[1:])]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": {
            "cores": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(),
        },
        "rounds": args.rounds,
        "restarts": args.restarts,
        "floor": results[0]["version"],
        "builds": results,
        "medians": {r["version"]: medians(r["samples"]) for r in results},
        "bare_medians": {r["version"]: medians(r["bare"]) for r in results},
        "driver_share": {r["version"]: driver_share(r) for r in results},
    }
    print(table(results))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"[bench] written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
