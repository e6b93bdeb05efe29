"""A demo login signed in in a browser page (:func:`demo_page`): the demo's issuer officer
(北京链家 李经办, ``officer@demo.example``, :func:`officer_page`), the HR official
(``hr@demo.example``) or any other of ``service.demo.access``. The first sign-in in a live
server's session of a login whose role needs a second factor enrols the TOTP (the secret read
from the page, the code computed with pyotp); later ones give a fresh code (each code works
once, so a sign-in in the same 30 s step as the last waits for the next)."""

from __future__ import annotations

import time
from typing import Any

import pyotp

from service.demo.access import DEMO_PASSWORD
from tests.browser.live_server import LiveServer

OFFICER = "officer@demo.example"
HR_OFFICIAL = "hr@demo.example"


def _secret_key(login: str) -> str:
    return f"totp-secret:{login}"


def _step_key(login: str) -> str:
    """The last 30 s step whose code ``login`` used (each code works once)."""
    return f"totp-step:{login}"


def _sign_in(page: Any, url: str, login: str, code: str = "") -> None:
    page.goto(f"{url}/signin")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    if code:
        page.fill("#code", code)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def _fresh_code(live_server: LiveServer, login: str) -> str:
    totp = pyotp.TOTP(live_server.tokens[_secret_key(login)])
    last = int(live_server.tokens.get(_step_key(login), "0"))
    while int(time.time()) // 30 <= last:
        time.sleep(0.5)
    step = int(time.time()) // 30
    live_server.tokens[_step_key(login)] = str(step)
    return totp.at(step * 30)


def demo_page(live_server: LiveServer, context: Any, login: str) -> Any:
    """A new page of ``context`` with the demo's ``login`` signed in, on ``/console``."""
    url = live_server.url
    page = context.new_page()
    secret = _secret_key(login)
    if secret in live_server.tokens:
        _sign_in(page, url, login, _fresh_code(live_server, login))
    else:
        _sign_in(page, url, login)
    if page.url == f"{url}/console/second-factor" and secret not in live_server.tokens:
        # a role that needs a second factor enrols it at its first sign-in; others go on
        page.click("form >> text=开始设置")
        page.wait_for_load_state("domcontentloaded")
        live_server.tokens[secret] = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.fill("#code", _fresh_code(live_server, login))
        page.click("button.primary[type=submit]")
        page.wait_for_load_state("domcontentloaded")
    assert page.url.startswith(f"{url}/console"), page.url
    return page


def officer_page(live_server: LiveServer, context: Any) -> Any:
    """A new page of ``context`` with the demo officer signed in, on ``/console``."""
    return demo_page(live_server, context, OFFICER)
