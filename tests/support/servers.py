"""Real PostgreSQL and Redis for test runs: check given ones, or start throwaway ones of our own.

Throwaway servers live in a temp dir, listen on a free 127.0.0.1 port, keep nothing durable, and are
stopped (process gone, temp dir removed) by ``stop()`` / leaving the ``with`` block. They run in their
own session so a Ctrl-C aimed at pytest does not pull the database away under its teardown.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import urlsplit

import psutil
import psycopg2
import redis

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
# initdb/postgres refuse to run as root; this Debian system user owns the throwaway cluster instead.
PG_SYSTEM_USER = "postgres"


class ServerUnavailable(RuntimeError):
    """A server we were told to use, or tried to start, does not answer."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def redact_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def check_postgres(url: str, timeout: float = 10.0) -> None:
    """Raise ServerUnavailable unless a ``SELECT 1`` succeeds at url within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = psycopg2.connect(url, connect_timeout=2)
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT 1")
            finally:
                conn.close()
            return
        except psycopg2.Error as exc:
            if time.monotonic() >= deadline:
                raise ServerUnavailable(f"PostgreSQL at {redact_url(url)} is not usable: {exc}") from None
        time.sleep(0.3)


def check_redis(url: str, timeout: float = 10.0) -> None:
    """Raise ServerUnavailable unless PING succeeds at url within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
            return
        except redis.RedisError as exc:
            if time.monotonic() >= deadline:
                raise ServerUnavailable(f"Redis at {redact_url(url)} is not usable: {exc}") from None
        finally:
            client.close()
        time.sleep(0.3)


def pid_alive(pid: int) -> bool:
    """True while pid runs; a zombie (exited, not yet reaped) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state letter follows the parenthesised command name, which may itself contain spaces.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _terminate(pid: int) -> None:
    for sig, grace in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.1)


# Set in the environment of a test process that is no server but must not outlive its owner either (the e2e
# browser worker): its value is the process's marker dir (owned_process_dir), which is how reap_orphans tells
# that process from an unrelated one that got a recycled pid.
OWNER_DIR_ENV = "MM_TEST_OWNER_DIR"
_REAPED_PREFIXES = ("mm-postgres-", "mm-redis-", "mm-e2e-worker-")


def owned_process_dir(name: str) -> Path:
    """A marker dir for a process this test process starts: ``owner.pid`` now; the caller writes the started
    process's pid to ``server.pid``, gives it ``OWNER_DIR_ENV=<dir>`` and removes the dir once it stopped it.
    If the owner dies first (SIGKILL, a killed CI job), the next run's reap_orphans stops the process and
    all it started: an orphaned e2e worker kept its connections to the test database, and the next run
    could not recreate that database ("is being accessed by other users")."""
    workdir = Path(tempfile.mkdtemp(prefix=f"mm-{name}-"))
    (workdir / "owner.pid").write_text(f"{os.getpid()}\n")
    return workdir


def _belongs_to(pid: int, workdir: Path) -> bool:
    """Whether ``pid`` runs inside ``workdir`` (a throwaway server) or was given it as OWNER_DIR_ENV."""
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    inside = cwd == str(workdir) or cwd.startswith(f"{workdir}/")
    return inside or f"{OWNER_DIR_ENV}={workdir}".encode() in environ


def _terminate_tree(pid: int) -> None:
    """The process (SIGINT, then SIGKILL) and whatever it started that is still running afterwards."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        children = []
    _terminate(pid)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()


def reap_orphans() -> list[Path]:
    """Stop throwaway servers and owned processes whose owning process died without stopping them (SIGKILL,
    OOM).

    Only our own temp dirs are considered, and a process is killed only if it belongs to such a dir (runs
    in it, or carries it in OWNER_DIR_ENV), so a recycled pid never takes down an unrelated process.
    """
    reaped: list[Path] = []
    tmp = Path(tempfile.gettempdir())
    for workdir in sorted(d for prefix in _REAPED_PREFIXES for d in tmp.glob(f"{prefix}*")):
        owner = _read_pid(workdir / "owner.pid")
        if owner is None or pid_alive(owner):
            continue
        server = _read_pid(workdir / "server.pid")
        if server is not None and pid_alive(server) and _belongs_to(server, workdir):
            _terminate_tree(server)
        shutil.rmtree(workdir, ignore_errors=True)
        reaped.append(workdir)
    return reaped


def _postgres_bin_dir() -> Path:
    """Debian keeps server binaries out of PATH, one dir per major version; take the newest."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if found:
        newest = max(found, key=lambda p: int(Path(p).parent.parent.name.split(".")[0]))
        return Path(newest).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise ServerUnavailable("PostgreSQL server binaries not found: run scripts/bootstrap.sh (apt postgresql)")


class _ThrowawayServer:
    """Shared lifecycle: temp dir, child process, readiness wait, guaranteed cleanup."""

    name = "server"

    def __init__(self) -> None:
        self.port = 0
        self.workdir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _prepare(self, workdir: Path) -> None:
        """One-time setup of workdir before the first start attempt."""

    def _argv(self, workdir: Path, port: int) -> list[str]:
        raise NotImplementedError

    def _preexec_user(self) -> list[str]:
        return []

    def _ready(self) -> bool:
        raise NotImplementedError

    def log_tail(self, lines: int = 30) -> str:
        if self.workdir is None:
            return ""
        try:
            text = (self.workdir / "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> str:
        self.workdir = Path(tempfile.mkdtemp(prefix=f"mm-{self.name}-"))
        # Lets a later run tell an orphaned server (owner gone) from a live one: see reap_orphans().
        (self.workdir / "owner.pid").write_text(f"{os.getpid()}\n")
        try:
            self._prepare(self.workdir)
            # A free port can be taken between picking and binding it; a fresh port fixes that.
            for _attempt in range(3):
                self.port = free_port()
                if self._launch():
                    return self.url
            raise ServerUnavailable(f"throwaway {self.name} did not start:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _launch(self) -> bool:
        assert self.workdir is not None
        self._log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - closed in _kill
        self.process = subprocess.Popen(
            self._preexec_user() + self._argv(self.workdir, self.port),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.workdir,
        )
        (self.workdir / "server.pid").write_text(f"{self.process.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._kill()
                return False
            if self._ready():
                return True
            time.sleep(0.1)
        self._kill()
        return False

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGINT is "fast shutdown" for postgres and a clean exit for redis.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None

    def crash(self) -> None:
        """SIGKILL the server, as a crash would: nothing is flushed or closed cleanly."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(STOP_TIMEOUT)
        self._kill()  # closes the log

    def relaunch(self) -> None:
        """Start it again on the same port and files (after ``crash``)."""
        if not self._launch():
            raise ServerUnavailable(f"throwaway {self.name} did not come back:\n{self.log_tail()}")

    def stop(self) -> None:
        self._kill()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class ThrowawayPostgres(_ThrowawayServer):
    """A private PostgreSQL cluster (trust auth, user postgres) with an empty database ``dbname``."""

    name = "postgres"

    def __init__(self, dbname: str = "metamask_service") -> None:
        super().__init__()
        self.dbname = dbname
        self.bin_dir = _postgres_bin_dir()

    @property
    def url(self) -> str:
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{self.dbname}"

    @property
    def data_dir(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "data"

    def _run_as(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(PG_SYSTEM_USER)
        except KeyError:
            raise ServerUnavailable(
                f"running as root and no '{PG_SYSTEM_USER}' user to own the throwaway cluster"
            ) from None

    def _preexec_user(self) -> list[str]:
        user = self._run_as()
        if user is None:
            return []
        # setpriv execs in place, so Popen's pid is postgres itself and signals reach it directly.
        return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"]

    def _prepare(self, workdir: Path) -> None:
        user = self._run_as()
        if user is not None:
            os.chown(workdir, user.pw_uid, user.pw_gid)
        initdb = [
            str(self.bin_dir / "initdb"),
            "-D", str(self.data_dir),
            "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
        ]  # fmt: skip
        result = subprocess.run(
            self._preexec_user() + initdb, cwd=workdir, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ServerUnavailable(f"initdb failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    def _argv(self, workdir: Path, port: int) -> list[str]:
        return [
            str(self.bin_dir / "postgres"),
            "-D", str(self.data_dir),
            "-p", str(port),
            "-c", f"listen_addresses={LOOPBACK}",
            "-c", f"unix_socket_directories={workdir}",
            # Nothing here outlives the run, so durability is wasted time.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]  # fmt: skip

    def _ready(self) -> bool:
        try:
            conn = psycopg2.connect(
                host=LOOPBACK, port=self.port, user="postgres", dbname="postgres", connect_timeout=1
            )
        except psycopg2.OperationalError:
            return False
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                # A server someone else started on this port in a race would answer too; make sure it's ours.
                cur.execute("SHOW data_directory")
                row = cur.fetchone()
                if row is None or Path(row[0]).resolve() != self.data_dir.resolve():
                    return False
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.dbname,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{self.dbname}"')
        finally:
            conn.close()
        return True


class ThrowawayRedis(_ThrowawayServer):
    """A private redis-server that never writes to disk."""

    name = "redis"

    def __init__(self, db: int = 0) -> None:
        super().__init__()
        self.db = db

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/{self.db}"

    def _argv(self, workdir: Path, port: int) -> list[str]:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerUnavailable("redis-server not found: run scripts/bootstrap.sh (apt redis-server)")
        return [
            binary,
            "--port", str(port),
            "--bind", LOOPBACK,
            "--save", "",
            "--appendonly", "no",
            "--dir", str(workdir),
            "--daemonize", "no",
        ]  # fmt: skip

    def _ready(self) -> bool:
        client = redis.Redis(
            host=LOOPBACK, port=self.port, socket_connect_timeout=1, socket_timeout=1, decode_responses=True
        )
        try:
            # Also proves the answering server is ours, not one that won a race for the port.
            config: dict[str, str] = client.config_get("dir")  # type: ignore[assignment]  # sync client
            served_dir = config.get("dir", "")
            return self.workdir is not None and Path(str(served_dir)).resolve() == self.workdir.resolve()
        except redis.RedisError:
            return False
        finally:
            client.close()
