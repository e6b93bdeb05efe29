"""A live ``craftledger serve --demo`` on a free port with a fresh data directory, and Debian's
Chromium driven by Playwright (``executable_path="/usr/bin/chromium"``; Playwright's own browser
download is never used). Everything is bounded: the server must answer /health within 60 s,
every page action times out after 15 s, and the server is stopped (SIGTERM, then SIGKILL) at
the end. Screenshots go to ``$CRAFTLEDGER_SCREENSHOTS`` (default ``var/browser-screenshots``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.live_server import ACTION_TIMEOUT_MS, CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.support.server import base_env, serving


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = base_env(data_dir)
    args = ("--demo", "--log-level", "warning")
    with serving(env, *args, log=data_dir / "server.log", within=60) as (url, _):
        yield LiveServer(url=url, data_dir=data_dir, env=env)


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
