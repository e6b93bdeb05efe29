"""A newcomer on the demo's home page: the fictitious people to look up and a token per role,
walked in Chromium against a live ``craftledger serve --demo`` (and absent without --demo)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from service.demo.access import DEMO_PASSWORD
from tests.browser.live_server import fits, screenshot
from tests.support.server import REPO

pytestmark = pytest.mark.browser


def test_the_demo_home_page_shows_people_to_look_up_and_tokens_that_work(live_server, context):
    page = context.new_page()
    page.goto(live_server.url)
    sheet = page.locator("section.demo-sheet")
    assert sheet.locator("h2").inner_text() == "演示数据：试一试"
    people = sheet.locator("table").nth(0).locator("tbody tr")
    assert people.count() == 3
    screenshot(page, "d01-demo-home")

    cells = people.nth(0).locator("td")
    number, status, name, id_number = (cells.nth(i).inner_text() for i in range(4))
    assert status == "有效"
    page.fill("#number", number)
    page.fill("#name", name)
    page.fill("#id_number", id_number)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#result-heading .badge").inner_text() == "有效"
    screenshot(page, "d02-demo-person-verified")

    page.goto(live_server.url)
    tokens = page.locator("section.demo-sheet table").nth(1).locator("tbody tr")
    assert tokens.count() == 5
    auditor = next(
        tokens.nth(i).locator("code").inner_text()
        for i in range(tokens.count())
        if tokens.nth(i).locator("td").nth(0).inner_text() == "审计人员"
    )
    page.goto(f"{live_server.url}/signin/token")
    page.fill("#token", auditor)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "审计人员" in page.locator(".who").inner_text()

    sheet_file = json.loads((live_server.data_dir / "demo-access.json").read_text("utf-8"))
    assert sheet_file["people"][0]["certificate"] == number
    assert (live_server.data_dir / "demo-access.json").stat().st_mode & 0o077 == 0


def test_a_demo_judge_signs_in_on_a_phone_and_sees_what_they_mark(live_server, browser):
    """judge1@demo.example (裁判甲 of 2026-CY-CARE, listed on the home page) lands on /judge."""
    phone = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    try:
        page = phone.new_page()
        page.goto(live_server.url)
        assert "judge1@demo.example" in page.locator("table.demo-accounts").inner_text()
        page.goto(f"{live_server.url}/signin")
        page.fill("#login", "judge1@demo.example")
        page.fill("#password", DEMO_PASSWORD)
        page.click("button.primary[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert page.url.endswith("/judge")
        assert "2026年朝阳区养老护理员职业技能竞赛" in page.locator(".judge .lead").inner_text()
        links = page.locator("a.judge-component-link").all_inner_texts()
        assert links == ["theory", "practical"]
        assert fits(page)
        screenshot(page, "d03-demo-judge-home")
    finally:
        phone.close()


def test_without_demo_mode_the_home_page_shows_no_people_or_tokens(live_server):
    """The same data directory served without --demo (a real deployment) shows nothing."""
    code = (
        "from service.app import create_app\n"
        "app = create_app()\n"
        "print(app.test_client().get('/').get_data(as_text=True))\n"
    )
    env = {k: v for k, v in live_server.env.items() if k != "CRAFTLEDGER_DEMO"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    assert "verify-heading" in done.stdout or "<form" in done.stdout
    assert "demo-sheet" not in done.stdout
    people = json.loads((live_server.data_dir / "demo-access.json").read_text("utf-8"))["people"]
    assert all(person["id_number"] not in done.stdout for person in people)
