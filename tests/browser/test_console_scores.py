"""Score entry in Chromium against a live ``serve --demo``: the demo officer of 北京链家 opens a
session whose candidates await their scores (planned and enrolled here through the HTTP API:
the demo has no 链家 session being scored), types the marks with the keyboard (Tab along the
row, Enter down the column), saves, sees the progress move, is refused a bad mark beside its
cell, completes the panel and corrects a mark with a reason. Screenshots c30..c35 at tablet
width (820 px)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

import pytest

from domain.id_number import IdNumber
from domain.organisation import Organisation
from service.demo.cast import ESTATE_AGENT, LIANJIA
from tests.browser.live_server import LiveServer, http, screenshot
from tests.browser.officer import officer_page

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
PANEL = ["考评员甲", "考评员乙", "考评员丙"]
NAMES = ["方晓东", "顾雨桐", "韩立新"]


def session_awaiting_scores(live_server: LiveServer) -> tuple[str, list[str]]:
    """A planned level-4 房地产经纪人 session of 北京链家 (started yesterday, practical panel of
    three) with three new staff enrolled, through the HTTP API as the body's issuer."""
    url = live_server.url
    body = Organisation.create_id(filing_code=LIANJIA)
    issuer = live_server.token("issuer", org=body)
    workers = []
    sequence = secrets.randbelow(400) + 500
    for offset, name in enumerate(NAMES):
        number = IdNumber.resident("110108", date(1988, 3, 4 + offset), sequence + offset)
        status, worker = http(
            f"{url}/api/v1/workers", "POST", {"id_number": number.reveal(), "name": name}, issuer
        )
        assert status == 201, worker
        status, employed = http(
            f"{url}/api/v1/workers/{worker['id']}/start-employment",
            "POST",
            {"employer_id": str(body), "since": "2014-03-01"},
            issuer,
        )
        assert status == 200, employed
        workers.append(worker["id"])
    today = date.today()
    status, planned = http(
        f"{url}/api/v1/evaluations",
        "POST",
        {
            "reference": f"LJ-SCORES-{secrets.token_hex(3).upper()}",
            "occupation_code": ESTATE_AGENT,
            "level": "4",
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
            "panels": {"practical": PANEL},
        },
        issuer,
    )
    assert status == 201, planned
    for worker in workers:
        status, enrolled = http(
            f"{url}/api/v1/evaluations/{planned['id']}/candidates",
            "POST",
            {
                "worker_id": worker,
                "route": "4-years",
                "evidence": {"experience": [{"start": "2014-03-01"}]},
            },
            issuer,
        )
        assert status == 200, enrolled
    return planned["id"], workers


def type_cells(page: Any, values: list[str]) -> None:
    """Type each value into the focused cell, then Tab to the next."""
    for value in values:
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Tab")


def progress(page: Any, component: str) -> str:
    return str(page.locator(f"#progress-{component} + span").inner_text())


def save(page: Any) -> None:
    page.get_by_role("button", name="保存成绩").click()
    page.wait_for_load_state("domcontentloaded")


def test_the_officer_types_marks_with_the_keyboard_and_corrects_one(
    live_server: LiveServer, browser: Any
):
    url = live_server.url
    session_id, workers = session_awaiting_scores(live_server)
    context = browser.new_context(locale="zh-CN", viewport=TABLET)
    context.set_default_timeout(15_000)
    try:
        page = officer_page(live_server, context)
        page.goto(f"{url}/console/sessions/{session_id}/scores")
        assert page.locator("h1").inner_text().startswith("成绩录入")
        assert progress(page, "practical") == "0 / 9 个分数"
        assert page.get_by_label("方晓东 操作技能 考评员乙").count() == 1
        screenshot(page, "c30-scores-grid-empty")

        # theory: the examiner above the table, then down its one column
        page.focus("#examiner-theory")
        page.keyboard.type("理论考评员周")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "m-1-theory-0"
        type_cells(page, ["85", "78", "90"])
        # practical: along the row (甲 乙 丙 of each candidate)
        assert page.evaluate("document.activeElement.id") == "m-1-practical-0"
        type_cells(page, ["80", "82", "79", "70", "75"])
        # Enter moves down the column (the script), not submitting the form
        page.focus("#m-2-practical-2")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "m-3-practical-2"
        screenshot(page, "c31-scores-grid-filling-tablet")
        save(page)
        assert "已保存：新录入 8 个分数，更正 0 个。" in page.locator("p.notice").inner_text()
        assert progress(page, "theory") == "3 / 3 个分数"
        assert progress(page, "practical") == "5 / 9 个分数"
        assert progress(page, "all") == "8 / 12 个分数"
        assert page.locator("td.panel-result").first.inner_text() == "80.33"

        # a bad mark is refused beside its cell; the other typed values stay
        page.focus("#m-2-practical-2")
        type_cells(page, ["105", "60", "65", "70"])
        save(page)
        error = page.locator("#m-2-practical-2-error")
        assert "0 到 100" in error.inner_text()
        assert page.locator("#m-2-practical-2").get_attribute("aria-describedby") == (
            "m-2-practical-2-error"
        )
        assert page.locator("#m-3-practical-1").input_value() == "65"
        assert progress(page, "practical") == "5 / 9 个分数"  # nothing of that POST recorded
        screenshot(page, "c32-scores-refused-cell")

        page.focus("#m-2-practical-2")
        type_cells(page, ["88"])
        save(page)
        assert progress(page, "practical") == "9 / 9 个分数"
        assert "全部科目已评完" in page.locator(".score-progress").inner_text()
        screenshot(page, "c33-scores-progress-complete")

        # a correction needs the reason; with it, a new event keeps the previous mark
        page.focus("#m-1-practical-0")
        type_cells(page, ["84"])
        save(page)
        assert "改动即为更正" in page.locator("#m-1-practical-0-error").inner_text()
        page.focus("#reason")
        page.keyboard.type("誊写错误：原始评分表为 84 分")
        save(page)
        assert "更正 1 个" in page.locator("p.notice").inner_text()
        assert page.locator("td.panel-result").first.inner_text() == "81.67"
        history = page.locator(".score-corrections").inner_text()
        assert "考评员甲" in history and "誊写错误：原始评分表为 84 分" in history
        screenshot(page, "c34-scores-corrected")

        admin = live_server.token("admin")
        status, listed = http(f"{url}/api/v1/evaluations/{session_id}/candidates", token=admin)
        assert status == 200
        first = next(c for c in listed["items"] if c["worker_id"] == workers[0])
        mark = first["marks"]["practical"]["考评员甲"]
        assert mark["score"] == "84"
        assert mark["corrections"][-1]["previous"] == "80"
        assert mark["corrections"][-1]["reason"] == "誊写错误：原始评分表为 84 分"

        page.goto(f"{url}/console/sessions/{session_id}/scores?lang=en")
        assert page.locator("h1").inner_text().startswith("Score entry")
        assert "9 of 9 marks" in progress(page, "practical")
        screenshot(page, "c35-scores-english")
        page.goto(f"{url}/console/sessions/{session_id}/scores?lang=zh")
    finally:
        context.close()
