"""A live ``craftledger serve --demo`` for the browser tests: where it runs, how to call it
(HTTP and its command line), and where screenshots go (``$CRAFTLEDGER_SCREENSHOTS``, default
``var/browser-screenshots``)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from tests.support.server import REPO, run_cli

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ACTION_TIMEOUT_MS = 15_000
SCREENSHOTS = Path(
    os.environ.get("CRAFTLEDGER_SCREENSHOTS") or REPO / "var" / "browser-screenshots"
)


def http(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        return run_cli(self.env, *args, timeout=90)

    def token(self, role: str, *, org: UUID | None = None, worker: UUID | None = None) -> str:
        args = ["token", "create", "--role", role]
        if org is not None:
            args += ["--org", str(org)]
        if worker is not None:
            args += ["--worker", str(worker)]
        return self.cli(*args)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, url: str, token: str) -> None:
    """Sign in through the page's form with ``token`` (a Playwright page)."""
    page.goto(f"{url}/signin/token")
    page.fill("#token", token)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def fits(page: Any) -> bool:
    """Whether the page fits its viewport's width (no sideways scrolling)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def saved(download: Any, folder: Path) -> Path:
    """A Playwright download saved under its suggested name in ``folder``."""
    path = folder / download.suggested_filename
    download.save_as(path)
    return path
