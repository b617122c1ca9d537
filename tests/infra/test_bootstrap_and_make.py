"""scripts/bootstrap.sh is idempotent and the Makefile's guard rails hold (real bash/make runs)."""

from __future__ import annotations

import subprocess
from pathlib import Path

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


def test_test_metamask_demands_the_extension_path(tmp_path: Path) -> None:
    target = ["make", "--no-print-directory", "test-metamask"]
    missing = run(target, METAMASK_EXTENSION_PATH=None, METAMASK_EXTENSION_PATHS=None)
    assert missing.returncode == 2
    assert "set METAMASK_EXTENSION_PATH" in missing.stderr
    wrong = run(target, METAMASK_EXTENSION_PATH=str(REPO_ROOT / "k8s"), METAMASK_EXTENSION_PATHS=None)
    assert wrong.returncode == 2
    assert "has no manifest.json" in wrong.stderr
    (tmp_path / "manifest.json").write_text('{"version": "13.5.0"}')
    one_wrong = run(target, METAMASK_EXTENSION_PATHS=f"{tmp_path}:/nonexistent")
    assert one_wrong.returncode == 2
    assert "/nonexistent has no manifest.json" in one_wrong.stderr


def test_make_test_metamask_hands_the_suites_and_args_to_the_matrix() -> None:
    dry = run(["make", "--no-print-directory", "-n", "test-metamask", "PYTEST_ARGS=-k 'a or b'"])
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == (
        ".venv/bin/python -m tests.support.metamask_matrix tests/automation tests/e2e -k 'a or b'"
    )


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
