"""A judge marks on a phone (360 × 740): the organiser announces a competition, registers three
of the demo's riders and invites a judge through the API, and puts the judge's login on the
theory panel; the judge follows the invitation link, chooses a password, signs in, lands on
/judge, marks each entrant one at a time (a refused mark shown beside the field with its rule),
changes one in the table (saved on change by the script) and submits (已提交). The demo is
served in this process (``clocked_server``), so the panel is assigned through its ledger, as
the organiser's console does. Screenshots k01..k06."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from domain.api_token import Role
from domain.organisation import Organisation
from service.demo import demo_id_number
from tests.browser.clocked_server import ClockedServer, clocked_demo_server
from tests.browser.live_server import fits, http, screenshot
from tests.factories import ELECTRICIAN, marking_scheme

PHONE = {"width": 360, "height": 740}
JUDGE_LOGIN = "13800138123"
JUDGE_PASSWORD = "a judge's long password"


@pytest.fixture(scope="module")
def clocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockedServer]:
    with clocked_demo_server(tmp_path_factory.mktemp("judge-data")) as server:
        yield server


def prepared(server: ClockedServer) -> tuple[str, str]:
    """A fresh competition with three entrants and a theory panel naming the judge's login;
    the judge's invitation link."""
    ledger = server.ledger
    union = Organisation.create_id(filing_code="11-FTU-0105")
    token = "judge-walk-organiser-token"
    ledger.tokens.grant_token(
        token=token, role=Role.ORGANISER, organisation_id=union, label="judge walk", actor="test"
    )
    api = f"{server.url}/api/v1/competitions"
    status, competition = http(
        api,
        "POST",
        {
            "reference": "2026-CY-JUDGE-PHONE",
            "name": "2026年朝阳区电工技术比武",
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
    riders = [ledger.worker_id_for(demo_id_number("110105", s)) for s in (201, 202, 203)]
    entrants = [
        {"worker_id": str(w), "entrant_kind": "student", "employer_name": "培训学校"}
        for w in riders
    ]
    status, body = http(f"{base}/entrants", "POST", {"entrants": entrants}, token)
    assert status == 201, body
    status, body = http(f"{base}/judges", "POST", {"login": JUDGE_LOGIN, "name": "王裁判"}, token)
    assert status == 201, body
    ledger.competitions.assign_judges(
        UUID(competition["id"]),
        component="theory",
        judges=[{"name": "王裁判", "login": JUDGE_LOGIN}, {"name": "李裁判", "login": None}],
        actor="test",
    )
    return competition["id"], body["invitation"]


def test_a_judge_marks_on_a_phone_and_submits(clocked: ClockedServer, browser: Any) -> None:
    competition, invitation = prepared(clocked)
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
        assert page.url == f"{clocked.url}/judge", page.url
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
        recorded = clocked.ledger.competition(UUID(competition))
        assert "王裁判" in recorded.submitted["theory"]
        assert recorded.corrections[-1]["mark"] == "92"  # the table's change, under 王裁判
        assert recorded.corrections[-1]["judge"] == "王裁判"
    finally:
        context.close()
