"""scripts/bootstrap.sh is idempotent and the Makefile's guard rails hold (real bash/make runs)."""

from __future__ import annotations

import subprocess

from tests.infra import environ_with
from tests.support.runtests import REPO_ROOT

ACTIONS = ("creating .venv", "installing", "npm ci", "building the reference wallet")


def run(argv: list[str], **env_update: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=REPO_ROOT,
        env=environ_with(env_update),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_second_bootstrap_does_nothing() -> None:
    # The first run may have work to do (a requirement changed since the last one); the second must not.
    first = run(["bash", "scripts/bootstrap.sh"], BOOTSTRAP_SKIP_APT="1")
    assert first.returncode == 0, first.stdout + first.stderr
    second = run(["bash", "scripts/bootstrap.sh"], BOOTSTRAP_SKIP_APT="1")
    assert second.returncode == 0, second.stdout + second.stderr
    output = second.stdout + second.stderr
    assert "ready in" in output
    assert not [action for action in ACTIONS if action in output], output


def test_test_metamask_demands_the_extension_path() -> None:
    missing = run(["make", "--no-print-directory", "test-metamask"], METAMASK_EXTENSION_PATH=None)
    assert missing.returncode != 0
    assert "set METAMASK_EXTENSION_PATH" in missing.stderr
    wrong = run(
        ["make", "--no-print-directory", "test-metamask"], METAMASK_EXTENSION_PATH=str(REPO_ROOT / "k8s")
    )
    assert wrong.returncode != 0
    assert "has no manifest.json" in wrong.stderr


def test_make_test_runs_bootstrap_lint_then_runtests_with_passthrough_args() -> None:
    dry = run(["make", "--no-print-directory", "-n", "test", "PYTEST_ARGS=-k 'a or b'"])
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    order = [
        next(i for i, line in enumerate(lines) if needle in line)
        for needle in ("scripts/bootstrap.sh", "ruff check", "ruff format --check", "mypy", "makemigrations")
    ]
    assert order == sorted(order)
    assert lines[-1] == ".venv/bin/python -m tests.support.runtests -k 'a or b'"
