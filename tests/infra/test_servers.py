"""The throwaway servers are real: they start, serve, and leave nothing behind."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

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


def test_orphans_of_a_killed_owner_are_reaped_and_live_ones_kept() -> None:
    maker = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_MAKER],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert maker.stdout is not None
    line = maker.stdout.readline()
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
