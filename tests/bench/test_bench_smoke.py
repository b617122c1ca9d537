"""One round of each bench on the reference wallet, so that no bench can rot unnoticed (bench/README.md).

They check that each bench runs to the end and writes every sample it promises; the figures themselves are
read by people, never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.browser_fixtures import REFERENCE_WALLET_DIST, REPO_ROOT

pytestmark = pytest.mark.browser


def run_bench(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    if not (REFERENCE_WALLET_DIST / "manifest.json").is_file():
        pytest.fail("reference wallet not built: `make bootstrap` builds it")
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
    return done


def own_servers_env() -> dict[str, str]:
    """The environment without the run's servers or a MetaMask build: the bench starts throw-away PostgreSQL
    and Redis of its own (it migrates and adds a user) and uses the reference wallet."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("METAMASK_EXTENSION_PATH")
    }


def test_driver_actions_bench_one_round(tmp_path: Path) -> None:
    out = tmp_path / "driver.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("METAMASK_EXTENSION_PATH")}
    done = run_bench(
        [
            "bench.driver_actions",
            "--rounds",
            "1",
            "--restarts",
            "1",
            "--out",
            str(out),
            str(REFERENCE_WALLET_DIST),
        ],
        env,
        600,
    )
    report = json.loads(out.read_text())
    (build,) = report["builds"]
    steps = {
        "browser_start", "onboarding", "open_dapp", "first_network", "connect",
        "add_network", "switch_network", "personal_sign", "typed_data_v4", "transfer_to_receipt",
        "restart", "sign_after_restart",
    }  # fmt: skip
    assert set(build["samples"]) == steps
    # One onboarding per profile: the second profile is the bare first network's and connect's.
    counts = {step: len(values) for step, values in build["samples"].items()}
    assert counts == {step: 2 if step == "onboarding" else 1 for step in steps}
    assert all(value > 0 for values in build["samples"].values() for value in values)
    bare_steps = {
        "first_network", "connect", "add_network", "switch_network", "personal_sign", "typed_data_v4",
        "transfer_to_receipt",
    }  # fmt: skip
    assert set(build["bare"]) == bare_steps
    assert all(len(values) == 1 and values[0] > 0 for values in build["bare"].values())
    assert set(report["driver_share"][build["version"]]) == set(build["bare"])
    assert report["floor"] == build["version"]
    assert len(report["commit"]) == 40
    assert "| personal_sign |" in done.stdout
    assert "bare s" in done.stdout


def test_worker_latency_bench_one_round(tmp_path: Path) -> None:
    """Through the API, Celery and a browser worker, on throw-away PostgreSQL and Redis of its own (it
    migrates and adds a user: never the test run's databases)."""
    out = tmp_path / "worker.json"
    env = own_servers_env()
    run_bench(["bench.worker_latency", "--sessions", "1", "--rounds", "1", "--out", str(out)], env, 900)
    report = json.loads(out.read_text())
    steps = {"session_open", "personal_sign", "typed_data_v4", "transaction", "session_close"}
    assert steps <= set(report["seconds"]), sorted(report["seconds"])
    assert all(len(report["seconds"][step]) == 1 for step in steps)
    assert report["wallet"] == "reference"
    assert len(report["commit"]) == 40


def test_footprint_bench_one_round(tmp_path: Path) -> None:
    """Memory of the API and worker trees, with one session, on throw-away servers of its own."""
    out = tmp_path / "footprint.json"
    env = own_servers_env()
    run_bench(["bench.footprint", "--sessions", "1", "--requests", "20", "--out", str(out)], env, 900)
    report = json.loads(out.read_text())
    phases = {"idle", "opening_1", "sessions_1", "api_load", "after_load", "closed"}
    assert phases <= set(report["phases"]), sorted(report["phases"])
    for phase in ("idle", "sessions_1"):
        assert report["phases"][phase]["api"]["median_mib"] > 0
        assert report["phases"][phase]["worker"]["median_mib"] > 0
    assert all(all(v > 0 for v in trees["worker"]) for trees in report["pss_bytes"].values() if trees)
    assert len(report["worker_growth_per_session_mib"]) == 1
    assert set(report["suggested"]["api"]) == {"request_mib", "limit_mib"}
    assert report["wallet"] == "reference"
    assert len(report["commit"]) == 40


def test_api_load_bench_one_round(tmp_path: Path) -> None:
    """The open-loop load on the floor, the health check and the enqueue, each answered as a working
    service answers (204, 200, 202), on throw-away servers of its own."""
    out = tmp_path / "api.json"
    args = ["bench.api_load", "--rate", "20", "--seconds", "1", "--warmup", "0.5", "--out", str(out)]
    done = run_bench(args, own_servers_env(), 600)
    report = json.loads(out.read_text())
    assert set(report["targets"]) == {"floor", "health", "enqueue"}
    for name, ok in (("floor", "204"), ("health", "200"), ("enqueue", "202")):
        target = report["targets"][name]
        assert target["statuses"] == {ok: 20}, (name, target)
        assert len(report["latency_ms"][name]) == 20
        assert target["p99_ms"] >= target["p50_ms"] > 0
    assert "goal_holds" in report["targets"]["enqueue"]
    assert "| enqueue |" in done.stdout
