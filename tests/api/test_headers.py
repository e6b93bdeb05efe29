"""Headers on every answer: ``nosniff`` everywhere (API, pages, assets, docs, errors), the pages'
CSP and frame headers on ``/docs``, the pages' cookies ``Secure`` when the base URL is https,
and no answer that sets a cookie marked publicly cacheable."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header

from service.app import create_app
from service.ledger import Ledger
from tests.support.api_world import SERVER_START, World, build_world
from tests.support.clocks import RunningClock
from tests.support.stores import store_for_backend


@pytest.fixture(scope="module")
def https_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world served behind https (``CRAFTLEDGER_BASE_URL``), reached by a proxy over
    plain HTTP on the loopback address, as the test client does."""
    data_dir: Path = tmp_path_factory.mktemp("headers")
    with store_for_backend("sqlite", data_dir) as (settings, _):
        settings = dataclasses.replace(settings, base_url="https://ledger.example.org")
        ledger = Ledger(settings, clock=RunningClock(SERVER_START))
        app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
        try:
            yield build_world(app, ledger, "sqlite")
        finally:
            app.extensions["craftledger"].close()
            ledger.close()


def routes(world: World) -> list[str]:
    number = world.ids["certificate"]
    return [
        "/health",
        "/openapi.json",
        f"/api/v1/certificates/{number}",
        f"/api/v1/certificates/{number}/credential",
        "/api/v1/certificates",  # 401
        "/api/v1/no-such-thing",  # 404
        "/",
        "/?lang=en",  # sets the language cookie
        "/docs",
        "/verify",
        "/signin",
        "/audit",
        f"/c/{number}",
        f"/c/{number}/qr.svg",
        f"/c/{number}/qr.png",
        "/assets/pages/pages.css",
        "/assets/swagger-ui/swagger-ui.css",
        "/favicon.ico",
        "/no-such-page",
    ]


def test_every_answer_says_nosniff(https_world: World) -> None:
    client = https_world.app.test_client()
    for path in routes(https_world):
        answer = client.get(path, headers={"Host": "127.0.0.1"})
        assert answer.status_code < 500, path
        assert answer.headers.get("X-Content-Type-Options") == "nosniff", path


def test_docs_has_the_pages_csp_and_frame_headers(https_world: World) -> None:
    answer = https_world.app.test_client().get("/docs")
    assert answer.status_code == 200
    csp = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_nothing_that_sets_a_cookie_is_publicly_cacheable(https_world: World) -> None:
    client = https_world.app.test_client(use_cookies=False)
    setting = 0
    for path in [*routes(https_world), f"/c/{https_world.ids['certificate']}/qr.svg?lang=zh"]:
        answer = client.get(path, headers={"Host": "127.0.0.1"})
        if "Set-Cookie" not in answer.headers:
            continue
        setting += 1
        cache = parse_cache_control_header(
            answer.headers.get("Cache-Control"), cls=ResponseCacheControl
        )
        assert not cache.public and not cache.s_maxage, (path, answer.headers["Cache-Control"])
        assert cache.private or cache.no_store, path
    assert setting >= 3  # the pages, the language switch and the QR code do set cookies


def test_cookies_are_secure_when_the_base_url_is_https(https_world: World) -> None:
    client = https_world.app.test_client(use_cookies=False)
    for path in ("/signin", "/?lang=en"):
        answer = client.get(path, headers={"Host": "127.0.0.1:8000"})  # the proxy's hop
        cookies = answer.headers.getlist("Set-Cookie")
        assert cookies, path
        for cookie in cookies:
            assert "; Secure" in cookie, cookie
