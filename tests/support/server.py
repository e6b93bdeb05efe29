"""``craftledger`` as a process: its command line, and ``serve`` on a free port, waited for
until /health says ok and stopped afterwards (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from service.cli import main; sys.exit(main())"]
"""The command line as a new process (``craftledger`` need not be installed)."""


def base_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """This environment, with the data directory and the store (SQLite unless a URL) set."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["CRAFTLEDGER_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(REPO)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_cli(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run the command line to success; what it printed, stripped."""
    done = subprocess.run(
        [*CLI, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout.strip()


def mint_admin_token(env: dict[str, str]) -> str:
    return run_cli(env, "token", "create", "--role", "admin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """A JSON request; the status, headers and JSON answer (errors included)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


@contextmanager
def serving(
    env: dict[str, str], *args: str, log: Path, host: str = "127.0.0.1", within: float = 30
) -> Iterator[tuple[str, float]]:
    """``craftledger serve --host HOST`` on a free port as a subprocess; yields its URL (on
    127.0.0.1) and the seconds until /health said ok, which must be fewer than ``within``."""
    port = free_port()
    command = [*CLI, "serve", "--host", host, "--port", str(port), *args]
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = started + within
        while True:
            assert process.poll() is None, log.read_text()
            try:
                status, _, body = request(f"{url}/health")
                if status == 200 and body["status"] == "ok":
                    break
            except OSError:  # not listening yet (URLError, ConnectionError, TimeoutError)
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield url, time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
