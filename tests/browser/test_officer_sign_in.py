"""The demo officer's sign-in helper works twice in one live server (enrol, then a fresh code)."""

from __future__ import annotations

import pytest

from tests.browser.officer import officer_page

pytestmark = pytest.mark.browser


def test_the_demo_officer_signs_in_twice(live_server, context, browser):
    first = officer_page(live_server, context)
    assert "北京链家" in first.locator("main").inner_text()
    other = browser.new_context(locale="zh-CN")
    try:
        second = officer_page(live_server, other)
        assert second.url == f"{live_server.url}/console"
    finally:
        other.close()
