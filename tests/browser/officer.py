"""The demo's issuer officer (北京链家 李经办, ``officer@demo.example``) signed in in a browser
page: the first sign-in of a live server's session enrols the TOTP second factor (the secret read
from the page, the code computed with pyotp); later ones give a fresh code (each code works
once, so a sign-in in the same 30 s step as the last waits for the next)."""

from __future__ import annotations

import time
from typing import Any

import pyotp

from service.demo.access import DEMO_PASSWORD
from tests.browser.live_server import LiveServer

OFFICER = "officer@demo.example"
SECRET_KEY = "officer-totp-secret"
STEP_KEY = "officer-totp-step"


def _sign_in(page: Any, url: str, code: str = "") -> None:
    page.goto(f"{url}/signin")
    page.fill("#login", OFFICER)
    page.fill("#password", DEMO_PASSWORD)
    if code:
        page.fill("#code", code)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def _fresh_code(live_server: LiveServer) -> str:
    totp = pyotp.TOTP(live_server.tokens[SECRET_KEY])
    last = int(live_server.tokens.get(STEP_KEY, "0"))
    while int(time.time()) // 30 <= last:
        time.sleep(0.5)
    step = int(time.time()) // 30
    live_server.tokens[STEP_KEY] = str(step)
    return totp.at(step * 30)


def officer_page(live_server: LiveServer, context: Any) -> Any:
    """A new page of ``context`` with the demo officer signed in, on ``/console``."""
    url = live_server.url
    page = context.new_page()
    if SECRET_KEY in live_server.tokens:
        _sign_in(page, url, _fresh_code(live_server))
    else:
        _sign_in(page, url)
        assert page.url == f"{url}/console/second-factor", page.url
        page.click("form >> text=开始设置")
        page.wait_for_load_state("domcontentloaded")
        live_server.tokens[SECRET_KEY] = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.fill("#code", _fresh_code(live_server))
        page.click("button.primary[type=submit]")
        page.wait_for_load_state("domcontentloaded")
    assert page.url.startswith(f"{url}/console"), page.url
    return page
