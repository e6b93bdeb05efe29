"""A live ``craftledger serve --demo`` on a free port with a fresh data directory, and Debian's
Chromium driven by Playwright (``executable_path="/usr/bin/chromium"``; Playwright's own browser
download is never used). Everything is bounded: the server must answer /health within 60 s,
every page action times out after 15 s, and the server is stopped (SIGTERM, then SIGKILL) at
the end. Screenshots go to ``$CRAFTLEDGER_SCREENSHOTS`` (default ``var/browser-screenshots``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.live_server import (
    ACTION_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    LiveServer,
    free_port,
    http,
)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(CRAFTLEDGER_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    port = free_port()
    log = data_dir / "server.log"
    command = [
        sys.executable,
        "-c",
        "import sys; from service.cli import main; sys.exit(main())",
        "serve",
        "--demo",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                status, body = http(f"{url}/health")
                if status == 200 and body["status"] == "ok":
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield LiveServer(url=url, data_dir=data_dir, env=env)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own cookies), closed after the test."""
    opened = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield opened
    finally:
        opened.close()
