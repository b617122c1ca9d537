"""The throwaway servers are real: they start, serve, and leave nothing behind."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import psycopg2
import pytest
import redis

from tests.support.servers import (
    ServerUnavailable,
    ThrowawayPostgres,
    ThrowawayRedis,
    check_postgres,
    check_redis,
    free_port,
    pid_alive,
    port_open,
    reap_orphans,
    redact_url,
)


def test_throwaway_postgres_serves_then_vanishes() -> None:
    server = ThrowawayPostgres(dbname="infra_check")
    url = server.start()
    try:
        pid, port, workdir = server.pid, server.port, server.workdir
        assert pid is not None
        assert workdir is not None
        assert url == f"postgres://postgres@127.0.0.1:{port}/infra_check"
        check_postgres(url, timeout=5)
        conn = psycopg2.connect(url)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("CREATE TABLE t (x int)")
                cur.execute("INSERT INTO t VALUES (41), (1)")
                cur.execute("SELECT sum(x), current_database(), current_setting('fsync') FROM t")
                assert cur.fetchone() == (42, "infra_check", "off")
        finally:
            conn.close()
        if os.geteuid() == 0:
            # initdb refuses root, so the cluster must belong to the unprivileged system user.
            assert pwd.getpwuid((workdir / "data").stat().st_uid).pw_name == "postgres"
    finally:
        server.stop()
    assert not pid_alive(pid)
    assert not port_open(port)
    assert not workdir.exists()


def test_throwaway_redis_serves_then_vanishes() -> None:
    with ThrowawayRedis(db=3) as server:
        pid, port, workdir = server.pid, server.port, server.workdir
        assert pid is not None
        assert workdir is not None
        assert server.url == f"redis://127.0.0.1:{port}/3"
        check_redis(server.url, timeout=5)
        client = redis.Redis.from_url(server.url, decode_responses=True)
        try:
            client.set("k", "v")
            assert client.get("k") == "v"
            # Nothing may be persisted: no RDB snapshots, no AOF.
            assert client.config_get("save") == {"save": ""}
            assert client.config_get("appendonly") == {"appendonly": "no"}
        finally:
            client.close()
    assert not pid_alive(pid)
    assert not port_open(port)
    assert not workdir.exists()


def test_two_servers_of_a_kind_do_not_collide() -> None:
    with ThrowawayRedis() as first, ThrowawayRedis() as second:
        assert first.port != second.port
        redis.Redis.from_url(first.url).set("owner", "first")
        assert redis.Redis.from_url(second.url).get("owner") is None


def test_checks_fail_on_a_closed_port() -> None:
    port = free_port()
    with pytest.raises(ServerUnavailable, match="PostgreSQL"):
        check_postgres(f"postgres://postgres@127.0.0.1:{port}/x", timeout=0.5)
    with pytest.raises(ServerUnavailable, match="Redis"):
        check_redis(f"redis://127.0.0.1:{port}/0", timeout=0.5)


def test_check_errors_do_not_leak_passwords() -> None:
    port = free_port()
    with pytest.raises(ServerUnavailable) as caught:
        check_redis(f"redis://user:hunter2secret@127.0.0.1:{port}/0", timeout=0.2)
    assert "hunter2secret" not in str(caught.value)
    assert redact_url("postgres://u:pw@h:1/d") == "postgres://u:***@h:1/d"


ORPHAN_MAKER = """
import sys
from tests.support.servers import ThrowawayPostgres, ThrowawayRedis
servers = [ThrowawayPostgres(), ThrowawayRedis()]
for server in servers:
    server.start()
print(" ".join(f"{s.pid}:{s.port}:{s.workdir}" for s in servers), flush=True)
sys.stdin.read()  # until killed
"""


def _owner(code: str) -> tuple[subprocess.Popen[str], str]:
    """A process running ``code`` in the repository (it owns what it starts) and the first line it printed."""
    maker = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert maker.stdout is not None
    return maker, maker.stdout.readline()


def test_orphans_of_a_killed_owner_are_reaped_and_live_ones_kept() -> None:
    maker, line = _owner(ORPHAN_MAKER)
    maker.kill()  # SIGKILL: no cleanup code runs, the servers are orphaned
    maker.wait()
    orphans = [
        (int(pid), int(port), Path(workdir)) for pid, port, workdir in (x.split(":") for x in line.split())
    ]
    assert len(orphans) == 2, line
    with ThrowawayRedis() as live:
        assert all(pid_alive(pid) and port_open(port) for pid, port, _ in orphans)
        reaped = reap_orphans()
        assert {workdir for _, _, workdir in orphans} <= set(reaped)
        assert live.workdir not in reaped
        assert live.pid is not None
        assert pid_alive(live.pid)
        assert redis.Redis.from_url(live.url).ping()
    for pid, port, workdir in orphans:
        assert not pid_alive(pid)
        assert not port_open(port)
        assert not workdir.exists()


OWNED_MAKER = """
import os, subprocess, sys
from tests.support.servers import OWNER_DIR_ENV, owned_process_dir
workdir = owned_process_dir("e2e-worker")
env = {**os.environ, OWNER_DIR_ENV: str(workdir)}
# A worker-like process with a child of its own (a celery worker and its pool child, say).
sleeper = "import time; time.sleep(600)"
code = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {sleeper!r}]); {sleeper}"
proc = subprocess.Popen([sys.executable, "-c", code], env=env)
(workdir / "server.pid").write_text(f"{proc.pid}\\n")
print(f"{proc.pid}:{workdir}", flush=True)
sys.stdin.read()  # until killed
"""


def _start_owner() -> tuple[subprocess.Popen[str], int, Path]:
    maker, line = _owner(OWNED_MAKER)
    pid, workdir = line.strip().split(":")
    return maker, int(pid), Path(workdir)


def _tree(pid: int) -> list[psutil.Process]:
    process = psutil.Process(pid)
    wait_for_child = time.monotonic() + 10
    while not process.children() and time.monotonic() < wait_for_child:
        time.sleep(0.05)
    return [process, *process.children(recursive=True)]


def test_an_owned_process_and_its_children_are_reaped_once_the_owner_is_killed() -> None:
    """The e2e browser worker's case: it is no server in a dir of ours, only marked by OWNER_DIR_ENV."""
    orphaned, orphan_pid, orphan_dir = _start_owner()
    live, live_pid, live_dir = _start_owner()
    try:
        orphans, kept = _tree(orphan_pid), _tree(live_pid)
        assert len(orphans) == 2
        assert len(kept) == 2
        orphaned.kill()  # SIGKILL: its process and that one's child are left running
        orphaned.wait()
        assert all(p.is_running() for p in orphans)
        reaped = reap_orphans()
        assert orphan_dir in reaped
        assert live_dir not in reaped
        psutil.wait_procs(orphans, timeout=10)
        assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in orphans)
        assert not orphan_dir.exists()
        assert all(p.is_running() for p in kept)
    finally:
        for process in _tree(live_pid)[::-1]:
            with contextlib.suppress(psutil.Error):
                process.kill()
        live.kill()
        live.wait()
        shutil.rmtree(live_dir, ignore_errors=True)


def test_a_recycled_pid_that_does_not_carry_the_marker_is_not_killed() -> None:
    """An orphaned marker dir whose server.pid names an unrelated process now: the dir goes, it stays."""
    workdir = Path(tempfile.mkdtemp(prefix="mm-e2e-worker-"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (workdir / "owner.pid").write_text(f"{dead.pid}\n")
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (workdir / "server.pid").write_text(f"{unrelated.pid}\n")
        assert workdir in reap_orphans()
        assert unrelated.poll() is None
        assert not workdir.exists()
    finally:
        unrelated.kill()
        unrelated.wait()
