"""A judge marks on a phone (360 × 740): the organiser announces a competition, registers three
of the demo's riders, puts a judge's login on the theory panel and invites the judge, all
through the API; the judge follows the invitation link, chooses a password, signs in, lands on
/judge, marks each entrant one at a time (a refused mark shown beside the field with its rule),
checks the table and submits (已提交). Screenshots k01..k06."""

from __future__ import annotations

from typing import Any

from domain.organisation import Organisation
from service.config import Settings
from service.demo import demo_id_number
from service.ledger import Ledger
from tests.browser.live_server import LiveServer, fits, http, screenshot
from tests.factories import ELECTRICIAN, marking_scheme

PHONE = {"width": 360, "height": 740}
JUDGE_LOGIN = "13800138123"
JUDGE_PASSWORD = "a judge's long password"


def riders(live_server: LiveServer) -> list[str]:
    ledger = Ledger(Settings(data_dir=live_server.data_dir))
    try:
        return [str(ledger.worker_id_for(demo_id_number("110105", s))) for s in (201, 202, 203)]
    finally:
        ledger.close()


def prepared(live_server: LiveServer) -> tuple[str, str]:
    """A fresh competition with three entrants and a theory panel naming the judge's login;
    the judge's invitation link."""
    union = Organisation.create_id(filing_code="11-FTU-0105")
    token = live_server.token("organiser", org=union)
    api = f"{live_server.url}/api/v1/competitions"
    status, competition = http(
        api,
        "POST",
        {
            "reference": "2026-CY-JUDGE-PHONE",
            "name": "2026年朝阳区电工技术比武（裁判手机评分）",
            "tier": "district",
            "occupation_code": ELECTRICIAN,
            "exam_level": "3",
            "year": 2026,
            "region": "北京市朝阳区",
            "marking_scheme": marking_scheme("mean"),
        },
        token,
    )
    assert status == 201, competition
    base = f"{api}/{competition['id']}"
    entrants = [
        {"worker_id": w, "entrant_kind": "student", "employer_name": "培训学校"}
        for w in riders(live_server)
    ]
    status, body = http(f"{base}/entrants", "POST", {"entrants": entrants}, token)
    assert status == 201, body
    judges = [{"name": "王裁判", "login": JUDGE_LOGIN}, {"name": "李裁判"}]
    status, body = http(f"{base}/panels", "POST", {"component": "theory", "judges": judges}, token)
    assert status in (200, 201), body
    status, body = http(f"{base}/judges", "POST", {"login": JUDGE_LOGIN, "name": "王裁判"}, token)
    assert status == 201, body
    return competition["id"], body["invitation"]


def test_a_judge_marks_on_a_phone_and_submits(live_server: LiveServer, browser: Any) -> None:
    competition, invitation = prepared(live_server)
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(invitation)
        page.fill("#password", JUDGE_PASSWORD)
        page.fill("#repeat", JUDGE_PASSWORD)
        page.click("button.primary[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        page.fill("#login", JUDGE_LOGIN)
        page.fill("#password", JUDGE_PASSWORD)
        page.click("button.primary[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert page.url == f"{live_server.url}/judge", page.url
        assert "已评 0 / 3" in page.inner_text("main")
        assert fits(page)
        screenshot(page, "k01-judge-home")

        page.click("a.judge-component-link")
        page.wait_for_load_state("domcontentloaded")
        assert page.url.endswith(f"/judge/{competition}/theory")
        assert page.locator("#entrant-heading").inner_text() == "参赛号 1"
        assert page.locator(".judge-submit-button").is_disabled()
        assert fits(page)
        screenshot(page, "k02-first-entrant")

        # a mark out of range: refused beside the field, with its rule, nothing saved
        page.fill("#mark", "105")
        page.click("button.judge-save")
        page.wait_for_selector("#mark-error")
        assert "0 至 100" in page.inner_text("#mark-error")
        assert "mark" in page.inner_text("#mark-error code")
        assert "已评 0 / 3" in page.inner_text("#judge-progress")
        assert fits(page)
        screenshot(page, "k03-refused-mark")

        for number, mark in ((1, "86.5"), (2, "91"), (3, "78.25")):
            assert page.locator("#entrant-heading").inner_text() == f"参赛号 {number}"
            page.fill("#mark", mark)
            with page.expect_navigation():
                page.click("button.judge-save")
            if number == 2:
                screenshot(page, "k04-third-entrant")
        assert "已评 3 / 3" in page.inner_text("#judge-progress")

        page.click("text=表格")
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("table.judge-table tbody tr").count() == 3
        assert fits(page)
        screenshot(page, "k05-table")
        # a change saved on its own from the table (the script, on change)
        field = page.locator("table.judge-table input[name=mark]").nth(1)
        field.fill("92")
        field.press("Tab")
        page.wait_for_function(
            "() => document.querySelectorAll('.judge-row .judge-saved')[1].textContent"
            " === '已保存' && document.querySelectorAll('.judge-row input[name=mark]')[1]"
            ".getAttribute('data-saved') === '92'"
        )

        assert page.locator(".judge-submit-button").is_enabled()
        page.click(".judge-submit-button")
        page.wait_for_load_state("domcontentloaded")
        assert "已提交" in page.inner_text(".judge-status")
        assert page.locator("input[name=mark]").count() == 0
        assert fits(page)
        screenshot(page, "k06-submitted")
    finally:
        context.close()
