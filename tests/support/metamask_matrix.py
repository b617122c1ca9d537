"""The driver and e2e suites on several MetaMask builds: ``python -m tests.support.metamask_matrix [args]``.

Builds: ``METAMASK_EXTENSION_PATHS=/a:/b`` (colon-separated), else ``METAMASK_EXTENSION_PATH``. Each must be
a folder whose manifest.json has a ``version``; otherwise nothing runs and the exit status is 2.

For each build in turn it runs ``python -m tests.support.runtests <args> --junitxml=<tmp>`` with
METAMASK_EXTENSION_PATH set to that build (``make test-metamask`` passes ``tests/automation tests/e2e
$(PYTEST_ARGS)`` as the args), reads the counts from pytest's JUnit XML report, and ends with one table row
per build: version, passed, failed, skipped, seconds, result, build. Exit status 0 only if every build's run
exited 0 and reported no failures; 130 when interrupted (the table shows the builds run so far).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from xml.etree import ElementTree

REPO_ROOT = Path(__file__).resolve().parents[2]
USAGE = (
    "set METAMASK_EXTENSION_PATH to an unpacked MetaMask build (a folder with manifest.json), or "
    "METAMASK_EXTENSION_PATHS to several, colon-separated; e.g. make test-metamask "
    "METAMASK_EXTENSION_PATH=/path/to/metamask or METAMASK_EXTENSION_PATHS=/path/a:/path/b"
)
# runtests gives pytest 20 s after Ctrl-C, then stops its throwaway servers.
INTERRUPT_GRACE = 60.0


class BuildRefused(Exception):
    """A build that cannot be run (no manifest.json, no version in it)."""


@dataclass(frozen=True)
class Build:
    path: Path
    version: str


@dataclass
class BuildResult:
    build: Build
    exit_code: int
    seconds: float
    # None when the run left no readable report (runtests failed before pytest, or pytest crashed).
    passed: int | None = None
    failed: int | None = None
    skipped: int | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.failed == 0

    @property
    def result(self) -> str:
        if self.ok:
            return "ok"
        if self.passed is None:
            return f"FAILED (exit {self.exit_code}, no report)"
        return f"FAILED (exit {self.exit_code})"


def log(message: str) -> None:
    print(f"[metamask_matrix] {message}", file=sys.stderr, flush=True)


def build_paths(env: Mapping[str, str]) -> list[str]:
    """METAMASK_EXTENSION_PATHS (empty entries ignored) if it names any, else METAMASK_EXTENSION_PATH."""
    many = [part.strip() for part in env.get("METAMASK_EXTENSION_PATHS", "").split(":")]
    paths = [part for part in many if part]
    if paths:
        return paths
    one = env.get("METAMASK_EXTENSION_PATH", "").strip()
    return [one] if one else []


def read_build(path: str) -> Build:
    folder = Path(path).expanduser().resolve()
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise BuildRefused(f"{path} has no manifest.json")
    try:
        data = json.loads(manifest.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise BuildRefused(f"{manifest} is not readable JSON ({type(exc).__name__})") from None
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.strip():
        raise BuildRefused(f"{manifest} has no version")
    return Build(path=folder, version=version.strip())


def junit_counts(report: Path) -> tuple[int, int, int] | None:
    """(passed, failed, skipped) from a pytest --junitxml report; failed counts errors too."""
    try:
        # Our own nested pytest wrote this file a moment ago; it is not untrusted input.
        root = ElementTree.parse(report).getroot()  # noqa: S314
    except (OSError, ElementTree.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if not suites:
        return None
    tests = failures = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failures - skipped, failures, skipped


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_build(build: Build, args: Sequence[str], report: Path) -> BuildResult:
    env = dict(os.environ)
    env.pop("METAMASK_EXTENSION_PATHS", None)  # the run sees exactly one build
    env["METAMASK_EXTENSION_PATH"] = str(build.path)
    # Last, so it wins over a --junitxml in PYTEST_ARGS (pytest keeps the last one given).
    command = [sys.executable, "-m", "tests.support.runtests", *args, f"--junitxml={report}"]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT)
    try:
        code = process.wait()
    except KeyboardInterrupt as exc:
        # A terminal Ctrl-C reached runtests too (same process group): a second signal could cut its cleanup
        # short. A SIGTERM sent to this process alone (_raise_interrupt names it) is passed on. Either way
        # runtests gets its time to stop pytest and its throwaway servers.
        if exc.args:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            process.wait(INTERRUPT_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise
    result = BuildResult(build=build, exit_code=code, seconds=time.monotonic() - started)
    counts = junit_counts(report)
    if counts is not None:
        result.passed, result.failed, result.skipped = counts
    return result


def table(results: Sequence[BuildResult]) -> str:
    header = ("version", "passed", "failed", "skipped", "seconds", "result", "build")

    def count(value: int | None) -> str:
        return "?" if value is None else str(value)

    rows = [
        (
            r.build.version,
            count(r.passed),
            count(r.failed),
            count(r.skipped),
            f"{r.seconds:.1f}",
            r.result,
            str(r.build.path),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {1, 2, 3, 4}

    def line(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def main(argv: Sequence[str]) -> int:
    paths = build_paths(os.environ)
    if not paths:
        log(f"ERROR: {USAGE}")
        return 2
    builds: list[Build] = []
    refused: list[str] = []
    for path in paths:
        try:
            builds.append(read_build(path))
        except BuildRefused as exc:
            refused.append(str(exc))
    if refused:
        for reason in refused:
            log(f"ERROR: {reason}")
        log("nothing was run; every build must be an unpacked MetaMask folder with manifest.json")
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    results: list[BuildResult] = []
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="metamask-matrix-") as reports:
        for number, build in enumerate(builds, 1):
            log(f"build {number}/{len(builds)}: MetaMask {build.version} at {build.path}")
            try:
                result = run_build(build, argv, Path(reports) / f"build-{number}.xml")
            except KeyboardInterrupt:
                interrupted = True
                break
            results.append(result)
            log(f"build {number}/{len(builds)}: {result.result} after {result.seconds:.1f}s")
    print(table(results), flush=True)
    if interrupted:
        log(f"interrupted during build {len(results) + 1}/{len(builds)}")
        return 130
    failed = [r for r in results if not r.ok]
    if failed:
        log(f"{len(failed)} of {len(results)} builds failed: " + ", ".join(r.build.version for r in failed))
        return 1
    log(f"all {len(results)} builds passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
