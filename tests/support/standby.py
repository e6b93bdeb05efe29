"""A streaming replica (hot standby) of the test PostgreSQL server, for the read-replica tests.

``pg_basebackup -R`` copies the primary (127.0.0.1:5432) into a temporary directory owned by
``postgres`` and the standby starts on 127.0.0.1:``STANDBY_PORT`` following it. The primary's
``pg_hba.conf`` must let ``postgres`` replicate from 127.0.0.1 (``.ci/run`` adds
``host replication all 127.0.0.1/32 trust``); without it this fails loudly, naming the line.
"""

from __future__ import annotations

import contextlib
import glob
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

STANDBY_PORT = 5433
STANDBY_URL = f"postgresql://postgres@127.0.0.1:{STANDBY_PORT}/test"
HBA_LINE = "host replication all 127.0.0.1/32 trust"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed under /usr/lib/postgresql")
    return found[-1]


def _as_postgres(*command: str, timeout: float = 120) -> None:
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


@contextlib.contextmanager
def standby() -> Iterator[str]:
    """A hot standby of the test server, started and then stopped and deleted; yields its URL."""
    root = Path(tempfile.mkdtemp(prefix="craftledger-standby-"))
    data = root / "data"
    shutil.chown(root, "postgres", "postgres")
    try:
        _as_postgres(
            _bin("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", "5432", "-U", "postgres"),
            *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
            timeout=300,
        )
    except RuntimeError as error:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(
            f"{error}\nthe primary must allow replication from 127.0.0.1: add "
            f"'{HBA_LINE}' to pg_hba.conf and reload (.ci/run does)"
        ) from None
    # Debian keeps the configuration outside the data directory: give the standby its own.
    (data / "postgresql.conf").write_text(
        f"port = {STANDBY_PORT}\nlisten_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{root}'\nhot_standby = on\n"
    )
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    for path in (data / "postgresql.conf", data / "pg_hba.conf"):
        shutil.chown(path, "postgres", "postgres")
    pg_ctl = _bin("pg_ctl")
    try:
        _as_postgres(pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "start")
        _wait_until_open()
        yield STANDBY_URL
    finally:
        with contextlib.suppress(Exception):
            _as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_open(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(STANDBY_URL, connect_timeout=2) as connection:
                row = connection.execute("SELECT pg_is_in_recovery()").fetchone()
                assert row is not None and row[0], "the copy is not a standby"
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
