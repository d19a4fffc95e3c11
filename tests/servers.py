"""Real Redis and PostgreSQL servers for the tests, on loopback, in temporary folders.

`scripts/test` installs the Debian packages when they are missing and sets
JIEFEN_REQUIRE_SERVERS=1, so there a missing server fails the run instead of skipping."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(what: str) -> None:
    if os.environ.get("JIEFEN_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{what} is required here but not installed")
    pytest.skip(f"{what} not installed (scripts/test installs it)")


def _wait_port(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@dataclass
class Server:
    url: str
    port: int


def start_redis(port: int | None = None, folder: str | None = None):
    """A Redis without persistence (like a cache that restarts empty); on `port` to start one
    again where a killed one was."""
    binary = shutil.which("redis-server")
    if not binary:
        _missing("redis-server")
    folder = folder or tempfile.mkdtemp(prefix="jiefen-redis-")
    port = port or _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder,
                             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_port(port, proc)
    return proc, folder, Server(f"redis://127.0.0.1:{port}/0", port)


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def start_postgres():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        _missing("PostgreSQL")
    folder = tempfile.mkdtemp(prefix="jiefen-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:        # PostgreSQL refuses to run as root
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            _missing("the postgres system user")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
        os.chmod(folder, 0o700)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(folder, "data")
    subprocess.run(as_user + [initdb, "-D", data, "-U", "jiefen", "--auth=trust", "-E", "UTF8", "--locale=C"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = _free_port()
    subprocess.run(as_user + [pg_ctl, "-D", data, "-l", os.path.join(folder, "log"), "-w", "-t", "60", "-o",
                              f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    return (as_user, pg_ctl, data, folder), Server(f"postgresql+asyncpg://jiefen@127.0.0.1:{port}/postgres", port)


def stop_postgres(handle) -> None:
    as_user, pg_ctl, data, folder = handle
    subprocess.run(as_user + [pg_ctl, "-D", data, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    proc, folder, server = start_redis()
    yield server
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    handle, server = start_postgres()
    yield server
    stop_postgres(handle)
