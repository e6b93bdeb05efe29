"""A person's journey in Chromium against a live ``craftledger serve --demo``: the demo's
administrator invites an issuer officer, who chooses a password, signs in, enrols a TOTP app
(the code computed here with pyotp), signs out, signs in with a code and sees the body's
dashboard. Screenshots a01..a09."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from service.demo.access import DEMO_PASSWORD
from tests.browser.live_server import screenshot

pytestmark = pytest.mark.browser


def person_signs_in(page: Any, url: str, login: str, password: str, code: str = "") -> None:
    page.goto(f"{url}/signin")
    page.fill("#login", login)
    page.fill("#password", password)
    if code:
        page.fill("#code", code)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_an_invited_officer_enrols_totp_and_reaches_the_dashboard(live_server, context, browser):
    url = live_server.url
    admin = context.new_page()
    person_signs_in(admin, url, "admin@demo.example", DEMO_PASSWORD)
    assert admin.url == f"{url}/console"
    assert "平台管理员" in admin.locator(".console-who").inner_text()
    screenshot(admin, "a01-admin-console")

    admin.click("nav.console-nav >> text=人员账号")
    admin.fill("#name", "陈经办")
    admin.fill("#login", "chen.jingban@lianjia.example")
    admin.select_option("#role", "issuer_officer")
    admin.select_option("#organisation_id", label="北京链家置地房地产经纪有限公司")
    admin.click("form >> text=邀请")
    admin.wait_for_load_state("domcontentloaded")
    link = admin.locator("#invitation-link").inner_text().strip()
    assert "/invitation/" in link
    screenshot(admin, "a02-admin-invited")
    admin.click("nav.console-nav >> text=退出登录")
    assert admin.url == f"{url}/"

    officer_context = browser.new_context(locale="zh-CN", viewport={"width": 820, "height": 1180})
    officer_context.set_default_timeout(15_000)
    try:
        officer = officer_context.new_page()
        officer.goto(link)
        assert "陈经办" in officer.locator("dl.facts").inner_text()
        officer.fill("#password", "short")
        officer.fill("#repeat", "short")
        officer.click("button.primary[type=submit]")
        officer.locator("#password-error").wait_for(state="visible")  # after the answer loads
        screenshot(officer, "a03-invitation-refuses-a-short-password")
        password = "链家 evaluation 2026!"
        officer.fill("#password", password)
        officer.fill("#repeat", password)
        officer.click("button.primary[type=submit]")
        officer.wait_for_load_state("domcontentloaded")
        assert officer.url.startswith(f"{url}/signin?welcome=1")
        screenshot(officer, "a04-password-set")

        person_signs_in(officer, url, "chen.jingban@lianjia.example", password)
        assert officer.url == f"{url}/console/second-factor"
        officer.click("form >> text=开始设置")
        officer.wait_for_load_state("domcontentloaded")
        assert officer.locator("figure.qr img").get_attribute("src").startswith("data:image/svg")
        screenshot(officer, "a05-enrol-totp")
        secret = officer.locator("#totp-secret").inner_text().replace(" ", "")
        totp = pyotp.TOTP(secret)
        enrolled_step = int(time.time()) // 30
        officer.fill("#code", totp.at(enrolled_step * 30))
        officer.click("button.primary[type=submit]")
        officer.wait_for_load_state("domcontentloaded")
        assert officer.url.startswith(f"{url}/console")
        assert "两步验证已启用" in officer.locator("main").inner_text()
        officer.click("nav.console-nav >> text=退出登录")

        person_signs_in(officer, url, "chen.jingban@lianjia.example", password)
        officer.locator("#code-error").wait_for(state="visible")
        screenshot(officer, "a06-sign-in-asks-for-the-code")
        while int(time.time()) // 30 <= enrolled_step:  # each code works once
            time.sleep(1)
        person_signs_in(officer, url, "chen.jingban@lianjia.example", password, totp.now())
        assert officer.url == f"{url}/console"
        main = officer.locator("main").inner_text()
        assert "北京链家" in main and "评价批次" in main and "在职人员" in main
        assert officer.locator(".state-counts li").count() == 4
        screenshot(officer, "a07-issuer-dashboard-tablet")
        officer.set_viewport_size({"width": 1280, "height": 900})
        screenshot(officer, "a08-issuer-dashboard")
        officer.goto(f"{url}/console?lang=en")
        assert "Evaluation sessions" in officer.locator("main").inner_text()
        screenshot(officer, "a09-issuer-dashboard-english")
    finally:
        officer_context.close()
