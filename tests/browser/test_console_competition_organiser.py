"""The organiser's competition pages in Chromium against a live ``craftledger serve --demo``, at
tablet width (820 px): the demo's organiser (演示：竞赛组织者 赵老师, ``organiser@demo.example``)
announces a competition (a row added without script, a refusal beside its field first), imports
entrants from a spreadsheet (a bad file previewed with its problems and nothing recorded, then a
good one recorded), registers one more by ID number (never shown back), withdraws one with a
reason, and assigns judges to the components. Screenshots o01..o09."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from service.demo.cast import demo_cast
from tests.browser.live_server import fits, screenshot
from tests.browser.officer import demo_page
from tests.evaluation.test_import import xlsx_bytes

pytestmark = pytest.mark.browser

ORGANISER = "organiser@demo.example"
TABLET = {"width": 820, "height": 1180}
NAME = "朝阳区电工技术比武（平板演示）"
HEADER = ["身份证号", "姓名", "选手类别", "工作单位或学校"]


def submit(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("domcontentloaded")


def announce(page: Any) -> None:
    page.fill("#name", NAME)
    page.fill("#reference", "CY-DG-2025-T")
    page.select_option("#tier", "district")
    page.fill("#year", "2025")
    page.select_option("#occupation_code", "6-31-01-03")
    page.select_option("#exam_level", "3")
    page.fill("#region", "北京市朝阳区")
    page.fill("#component_0_name", "实操")
    page.select_option("#component_0_kind", "measurement")
    page.fill("#component_0_weight", "60")
    page.fill("#component_1_name", "理论")
    page.select_option("#component_1_kind", "judgement")
    page.fill("#component_1_weight", "20")


def test_the_organiser_announces_imports_entrants_and_assigns_judges(
    live_server: Any, context: Any, tmp_path: Path
) -> None:
    url = live_server.url
    cast = demo_cast()
    staff = [w for w in cast if w.serial in (11, 12, 13, 14)]
    trainee = next(w for w in cast if w.serial == 171)
    page = demo_page(live_server, context, ORGANISER)
    page.set_viewport_size(TABLET)

    # -- the list, then the announcement ---------------------------------------------------------
    page.click("nav.console-nav >> text=竞赛管理")
    assert page.url == f"{url}/console/competitions"
    assert fits(page)
    screenshot(page, "o01-competitions-list")
    submit(page, "#announce-link")
    announce(page)
    submit(page, "#add-row")  # a fourth component row, no script
    assert page.locator("#component_3_name").count() == 1
    assert page.locator("#name").input_value() == NAME  # the form kept
    page.fill("#component_2_name", "综合评审")
    page.select_option("#component_2_kind", "judgement")
    page.fill("#component_2_weight", "10")
    page.fill("#max_spread", "8")
    submit(page, "#announce-form button.primary[type=submit]")
    error = page.locator("#components-error").inner_text()
    assert "weights-must-sum-to-100" in error, error
    assert fits(page)
    screenshot(page, "o02-announce-refused-beside-components")
    page.fill("#component_2_weight", "20")
    page.select_option("#promotion_rule_set", "national-2023")  # national tiers only
    submit(page, "#announce-form button.primary[type=submit]")
    error = page.locator("#promotion_rule_set-error").inner_text()
    assert "rule-set-does-not-cover-tier" in error, error
    assert page.locator("#promotion_rule_set").get_attribute("aria-invalid") == "true"
    screenshot(page, "o03-announce-refused-beside-the-rule-set")
    page.select_option("#promotion_rule_set", "")
    page.check("#board-public")
    submit(page, "#announce-form button.primary[type=submit]")
    assert re.search(r"/console/competitions/[0-9a-f-]{36}\?announced=1$", page.url), page.url
    competition_path = page.url.split("?")[0]
    assert "竞赛已发布" in page.locator("#announced").inner_text()
    screenshot(page, "o04-announced-overview")

    # -- entrants from a spreadsheet: a bad file first ------------------------------------------
    submit(page, "nav.session-tabs >> text=选手")
    assert page.url == f"{competition_path}/entrants"
    bad = tmp_path / "选手-有误.xlsx"
    bad.write_bytes(
        xlsx_bytes(
            [HEADER]
            + [[w.id_number.reveal(), w.name, "职工", ""] for w in staff[:2]]
            + [[staff[2].id_number.reveal(), staff[2].name + "X", "职工", ""]]
            + [[trainee.id_number.reveal(), trainee.name, "学生", ""]]
        )
    )
    page.set_input_files("#file", str(bad))
    submit(page, "form.import-form button.primary")
    assert "什么都没有记录" in page.locator("#import-problems").inner_text()
    assert page.locator("tr.row-bad").count() == 2  # a wrong name, a student with no school
    assert page.locator("#record-import").count() == 0
    assert staff[0].id_number.reveal() not in page.content()
    assert fits(page)
    screenshot(page, "o05-entrants-import-problems")
    good = tmp_path / "选手.xlsx"
    good.write_bytes(
        xlsx_bytes(
            [HEADER]
            + [[w.id_number.reveal(), w.name, "职工", ""] for w in staff[:3]]
            + [[trainee.id_number.reveal(), trainee.name, "学生", "北京市朝阳区职业技能学校"]]
        )
    )
    page.set_input_files("#file", str(good))
    submit(page, "form.import-form button.primary")
    assert "每一行都检查无误" in page.locator("#import-ok").inner_text()
    screenshot(page, "o06-entrants-import-preview")
    submit(page, "#record-import")
    assert "已导入选手：4 人" in page.locator("#import-recorded").inner_text()
    assert page.locator("#entrants tbody tr").count() == 4

    # -- one more by ID number, then a withdrawal -------------------------------------------------
    last = staff[3]
    page.fill("#id_number", last.id_number.reveal())
    page.fill("#name", last.name)
    submit(page, "#register-form button.primary[type=submit]")
    assert "已报名：5 号选手" in page.locator("#registered").inner_text()
    assert last.id_number.reveal() not in page.content()
    row = page.locator('tr[data-entrant="2"]')
    row.locator("summary").click()
    row.locator("input[name=reason]").fill("缺考")
    submit(page, 'tr[data-entrant="2"] button.danger')
    withdrawn = page.locator('tr[data-entrant="2"]').inner_text()
    assert "已退赛" in withdrawn and "缺考" in withdrawn
    assert fits(page)
    screenshot(page, "o07-entrants-listed-one-withdrawn")

    # -- judges: a panel per component, new judges invited (links shown once) ------------------
    submit(page, "nav.session-tabs >> text=裁判组")
    assert page.url == f"{competition_path}/judges"
    page.fill(
        "#judges_0",
        "裁判甲, judge.jia@demo.example\n裁判乙, judge.yi@demo.example\n裁判丙, 13800138000",
    )
    submit(page, 'section[data-component="实操"] button.primary')
    links = page.locator("#invitations code.invitation-link").all_inner_texts()
    assert len(links) == 3 and all("/invitation/" in link for link in links)
    assert page.locator('section[data-component="实操"] table.panel-judges tbody tr').count() == 3
    assert fits(page)
    screenshot(page, "o08-judges-assigned")
    page.fill("#judges_0", "裁判乙, judge.yi@demo.example\n裁判乙")
    submit(page, 'section[data-component="实操"] button.primary')
    error = page.locator("#judges_0-error").inner_text()
    assert "duplicate-judge" in error, error
    screenshot(page, "o09-judges-refused-beside-the-panel")
