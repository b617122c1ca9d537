"""tests.support.metamask_matrix (``make test-metamask``), run as the real command on fake builds.

A fake build is a folder with a manifest.json and nothing else; the suite it runs is a tiny test file in the
tmp dir that reads METAMASK_EXTENSION_PATH, so no browser starts.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.infra import environ_with
from tests.support.polling import until
from tests.support.runtests import REPO_ROOT

# As in test_runtests: the nested pytest neither sees our pyproject nor needs Django.
NESTED_ARGS = ["-p", "no:django", "-p", "no:cacheprovider", "-q"]

SUITE = """\
import json, os, pathlib

def version():
    build = pathlib.Path(os.environ["METAMASK_EXTENSION_PATH"])
    return json.loads((build / "manifest.json").read_text())["version"]

def test_runs_on_one_build_at_a_time():
    assert "METAMASK_EXTENSION_PATHS" not in os.environ

def test_not_on_13_36():
    assert version() != "13.36.0.0"

def test_skipped_everywhere():
    import pytest
    pytest.skip("stands in for a test this build does not need")
"""


def fake_build(root: Path, name: str, version: str | None) -> Path:
    folder = root / name
    folder.mkdir()
    manifest = {"manifest_version": 3, "name": "MetaMask"}
    if version is not None:
        manifest["version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def matrix(args: list[str], **env: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.support.metamask_matrix", *args],
        cwd=REPO_ROOT,
        env=environ_with(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rows(stdout: str) -> dict[str, list[str]]:
    """Table rows by version (the table is the last thing on stdout)."""
    lines = stdout.strip().splitlines()
    header = next(
        i for i, line in enumerate(lines) if line.split()[:4] == ["version", "passed", "failed", "skipped"]
    )
    return {line.split()[0]: line.split() for line in lines[header + 1 :]}


def test_each_build_runs_in_turn_and_the_table_counts_them(tmp_path: Path) -> None:
    old = fake_build(tmp_path, "old", "13.5.0")
    new = fake_build(tmp_path, "new", "13.36.0.0")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_build.py").write_text(SUITE)
    done = matrix(
        [str(suite), *NESTED_ARGS],
        METAMASK_EXTENSION_PATHS=f"{old}:{new}",
        METAMASK_EXTENSION_PATH="/ignored/when/PATHS/is/set",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    table = rows(done.stdout)
    assert list(table) == ["13.5.0", "13.36.0.0"]
    # version passed failed skipped seconds result...  build
    assert table["13.5.0"][1:4] == ["2", "0", "1"]
    assert table["13.5.0"][5] == "ok"
    assert table["13.5.0"][-1] == str(old)
    assert table["13.36.0.0"][1:4] == ["1", "1", "1"]
    assert table["13.36.0.0"][5:7] == ["FAILED", "(exit"]
    assert table["13.36.0.0"][-1] == str(new)
    assert all(re.fullmatch(r"\d+\.\d", row[4]) for row in table.values())
    assert "build 1/2: MetaMask 13.5.0" in done.stderr
    assert "1 of 2 builds failed: 13.36.0.0" in done.stderr


def test_one_build_through_metamask_extension_path_passes(tmp_path: Path) -> None:
    build = fake_build(tmp_path, "dist", "13.5.0")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_build.py").write_text(SUITE)
    done = matrix(
        [str(suite), *NESTED_ARGS], METAMASK_EXTENSION_PATHS=None, METAMASK_EXTENSION_PATH=str(build)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(done.stdout)["13.5.0"][1:4] == ["2", "0", "1"]
    assert "all 1 builds passed" in done.stderr


def test_a_run_that_leaves_no_report_fails(tmp_path: Path) -> None:
    build = fake_build(tmp_path, "dist", "13.5.0")
    done = matrix(
        [str(tmp_path / "no-such-tests"), *NESTED_ARGS],
        METAMASK_EXTENSION_PATHS=str(build),
        METAMASK_EXTENSION_PATH=None,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    row = rows(done.stdout)["13.5.0"]
    assert row[1:4] == ["?", "?", "?"]  # no made-up zeros
    assert "no report)" in " ".join(row)


def test_refuses_without_any_build() -> None:
    for paths in (None, " : "):
        done = matrix(["tests/automation"], METAMASK_EXTENSION_PATH=None, METAMASK_EXTENSION_PATHS=paths)
        assert done.returncode == 2, done.stderr
        assert "set METAMASK_EXTENSION_PATH" in done.stderr
        assert "METAMASK_EXTENSION_PATHS" in done.stderr
        assert done.stdout == ""


def test_refuses_every_build_before_running_any_if_one_has_no_usable_manifest(tmp_path: Path) -> None:
    good = fake_build(tmp_path, "good", "13.5.0")
    unversioned = fake_build(tmp_path, "unversioned", None)
    empty = tmp_path / "empty"
    empty.mkdir()
    marker = tmp_path / "ran"
    (tmp_path / "test_marker.py").write_text(
        f"import pathlib\ndef test_mark():\n    pathlib.Path({str(marker)!r}).touch()\n"
    )
    done = matrix(
        [str(tmp_path / "test_marker.py"), *NESTED_ARGS],
        METAMASK_EXTENSION_PATHS=f"{good}:{empty}:{unversioned}",
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{empty} has no manifest.json" in done.stderr
    assert "has no version" in done.stderr
    assert not marker.exists()
    assert "running:" not in done.stderr


def test_sigterm_stops_the_running_build_and_reports_the_ones_done(tmp_path: Path) -> None:
    first = fake_build(tmp_path, "first", "13.5.0")
    second = fake_build(tmp_path, "second", "13.36.0.0")
    marker = tmp_path / "started"
    (tmp_path / "test_slow.py").write_text(
        "import os, pathlib, time\n"
        "def test_wait():\n"
        "    if os.environ['METAMASK_EXTENSION_PATH'].endswith('second'):\n"
        f"        pathlib.Path({str(marker)!r}).touch()\n"
        "        time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.metamask_matrix", str(tmp_path / "test_slow.py"), *NESTED_ARGS],
        cwd=REPO_ROOT,
        env=environ_with({"METAMASK_EXTENSION_PATHS": f"{first}:{second}"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        until(
            "the second build",
            marker.exists,
            120,
            process=process,
            details=lambda: str(process.communicate()),
        )
        process.send_signal(signal.SIGTERM)  # to the matrix alone: it must pass it on to runtests
        stdout, stderr = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stdout + stderr
    assert list(rows(stdout)) == ["13.5.0"]
    assert "interrupted during build 2/2" in stderr
    assert "[runtests] interrupted; servers stopped" in stderr  # runtests got the signal and cleaned up
