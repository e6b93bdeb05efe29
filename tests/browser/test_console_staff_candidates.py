"""In Chromium against a live ``serve --demo``: the demo officer (北京链家) imports staff from an
.xlsx (a bad row previewed, nothing recorded; fixed, then recorded), then imports them as
candidates of a session of 北京链家 in planning (planned here through the HTTP API: the demo has
none), with a dry-run preview first, and meets a refused enrolment by hand.
Screenshots c20-c26."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from domain.organisation import Organisation
from service.demo.cast import ESTATE_AGENT, LIANJIA
from tests.browser.live_server import LiveServer, http, screenshot
from tests.browser.officer import officer_page
from tests.evaluation.test_import import xlsx_bytes
from tests.factories import id_number

pytestmark = pytest.mark.browser

STAFF_HEADER = ["身份证号", "证件类型", "姓名", "用工关系", "入职日期"]
CANDIDATE_HEADER = ["身份证号", "姓名", "申报条件", "从业起始日期"]
TABLET = {"width": 820, "height": 1180}


def china_today() -> date:
    return datetime.now(timezone(timedelta(hours=8))).date()


def upload(page, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state("domcontentloaded")


def plan_session(live_server: LiveServer) -> tuple[str, dict]:
    """A session of 北京链家 in planning (through the API) and its years-only route."""
    body = Organisation.create_id(filing_code=LIANJIA)
    issuer = live_server.token("issuer", org=body)
    today = china_today()
    status, session = http(
        f"{live_server.url}/api/v1/evaluations",
        "POST",
        {
            "reference": f"LJ-BROWSER-{secrets.token_hex(2).upper()}",
            "occupation_code": ESTATE_AGENT,
            "level": "4",
            "starts_on": (today + timedelta(days=14)).isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
            "panels": {"practical": ["甲", "乙", "丙"]},
        },
        token=issuer,
    )
    assert status == 201, session
    status, listing = http(
        f"{live_server.url}/api/v1/evaluations/{session['id']}/eligibility-routes", token=issuer
    )
    assert status == 200, listing
    [route] = [r for r in listing["routes"] if r["kind"] == "years_only"]
    return session["id"], route


def test_the_officer_imports_staff_then_candidates(live_server, context, tmp_path):
    serial = 9300 + secrets.randbelow(600)
    people = {
        "钱导一": id_number(serial, region="110108", born=date(1986, 4, 2)),
        "孙导二": id_number(serial + 1, region="110108", born=date(1987, 5, 3)),
    }
    [first, second] = people.items()
    page = officer_page(live_server, context)
    page.get_by_role("link", name="在职人员").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/console/staff")
    assert "本机构在职人员" in page.locator("main").inner_text()
    screenshot(page, "c20-staff-list")

    bad = [
        STAFF_HEADER,
        [first[1].reveal(), None, first[0], "本单位职工", "2019-03-01"],
        [second[1].reveal(), None, second[0], "本单位职工", None],  # no 入职日期
    ]
    page.set_viewport_size(TABLET)
    upload(page, tmp_path / "花名册-有误.xlsx", xlsx_bytes(bad))
    main = page.locator("main").inner_text()
    assert "什么都没有记录" in main and "入职日期" in main
    assert page.locator("#row-3.row-bad").count() == 1
    assert page.locator("#record-import").count() == 0
    for number in people.values():
        assert number.reveal() not in page.content()
    screenshot(page, "c21-staff-bad-file-preview-tablet")
    page.goto(f"{live_server.url}/console/staff?name={first[0]}")
    assert "没有找到" in page.locator("main").inner_text()  # nothing was recorded

    page.set_viewport_size({"width": 1280, "height": 900})
    bad[2][4] = "2020-07-15"
    upload(page, tmp_path / "花名册.xlsx", xlsx_bytes(bad))
    assert "每一行都检查无误" in page.locator("main").inner_text()
    page.get_by_role("button", name="记录这 2 人").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已导入花名册：2 人" in page.locator("#import-recorded").inner_text()
    page.goto(f"{live_server.url}/console/staff?name=导")
    listed = page.locator("table.staff-list").inner_text()
    assert first[0] in listed and second[0] in listed and first[1].masked in listed
    screenshot(page, "c22-staff-recorded")

    session_id, route = plan_session(live_server)
    candidates_url = f"{live_server.url}/console/sessions/{session_id}/candidates"
    page.goto(candidates_url)
    assert page.locator("nav.session-tabs a[aria-current=page]").inner_text() == "考生"
    assert page.locator(f"#route-{route['id']}").count() == 1
    screenshot(page, "c23-candidates")

    since = (china_today() - timedelta(days=365 * (route["years"] + 1))).isoformat()
    rows = [CANDIDATE_HEADER, [first[1].reveal(), first[0], route["id"], since]]
    upload(page, tmp_path / "考生.xlsx", xlsx_bytes(rows))
    main = page.locator("main").inner_text()
    assert "每一行都检查无误" in main and first[1].masked in main
    screenshot(page, "c24-candidate-import-preview")
    page.get_by_role("button", name="记录这 1 人").click()
    page.wait_for_load_state("domcontentloaded")
    listed = page.locator("table.candidate-list").inner_text()
    assert first[0] in listed and first[1].masked in listed and route["id"] in listed

    page.select_option("#worker_id", label=f"{second[0]} {second[1].masked}")
    page.check(f"#route-{route['id']}")
    assert page.locator("fieldset[data-need=diploma]").is_hidden()  # only what the route needs
    page.fill("#experience_since", (china_today() - timedelta(days=400)).isoformat())
    page.get_by_role("button", name="报名", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert "candidate-ineligible" in page.locator("#route-error").inner_text()
    assert second[0] not in page.locator("table.candidate-list").inner_text()
    page.locator("#route-error").scroll_into_view_if_needed()
    screenshot(page, "c25-enrol-refused")

    page.goto(f"{candidates_url}?lang=en")
    assert page.locator("h1").inner_text().startswith("Candidates · LJ-BROWSER-")
    screenshot(page, "c26-candidates-english")
    page.goto(f"{candidates_url}?lang=zh")
    for number in people.values():
        assert number.reveal() not in page.content()
