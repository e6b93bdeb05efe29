"""The HR bureau's console in Chromium against a live ``craftledger serve --demo``: the demo's HR
official (朝阳区人社局 王科长, ``hr@demo.example``) files a body, suspends it with a reason and
reads its history; approves the batch of the demo's pending promotions its issuing school may
issue (and is refused, beside the row, one to 二级/技师 outside the school's filed scope); rotates
the new body's signing key and marks the old one compromised; exports the statistics and the
talent database to Excel (opened with openpyxl). Screenshots c40..c46 at 1280 px and at 820 px
tablet width, one in English."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import openpyxl
import pytest

from tests.browser.live_server import fits, saved, screenshot
from tests.browser.officer import HR_OFFICIAL, demo_page

pytestmark = pytest.mark.browser

RIDER = "4-02-07-10"
PENDING_COMPETITION = "2026年朝阳区网约配送员技能比武（第三季度）"
TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1280, "height": 900}


def test_the_hr_official_files_suspends_approves_and_rotates(live_server, context, tmp_path):
    url = live_server.url
    page = demo_page(live_server, context, HR_OFFICIAL)
    serial = int(time.time()) % 1_000_000

    # -- the filing registry: file a body -------------------------------------------------
    page.click("nav.console-nav >> text=备案管理")
    assert page.url == f"{url}/console/bodies"
    assert "北京市朝阳区新时代职业技能培训学校" in page.locator("#bodies").inner_text()
    page.select_option("#kind", "S")
    page.fill("#filing_code", f"BJ-CY-S-{serial:06d}")
    page.fill("#name", "朝阳区家政服务职业技能评价中心")
    page.select_option("#province_code", "11")
    page.fill("#district_code", "110105")
    page.fill("#evaluator_prefix", f"S000011{serial:06d}")
    page.check(f'input[name=scope][value="{RIDER}:4"]')
    page.check(f'input[name=scope][value="{RIDER}:5"]')
    screenshot(page, "c40-bureau-bodies-filing")
    page.click("#file-body button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert re.search(r"/console/bodies/[0-9a-f-]{36}\?changed=filed$", page.url), page.url
    assert "已备案" in page.locator("#body-change").inner_text()
    assert "网约配送员" in page.locator("#body-facts").inner_text()
    assert page.locator("#body-district").inner_text() == "110105"
    body_path = page.url.split("?")[0]

    # -- suspend it with a reason; the history shows it ------------------------------------
    page.fill("#suspend-reason", "质量督导：考评员数量不足，责令整改")
    page.click("#suspend-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "备案暂停" in page.locator("#body-status").inner_text()
    history = page.locator("#body-history").inner_text()
    assert "暂停备案" in history and "质量督导：考评员数量不足，责令整改" in history
    page.set_viewport_size(TABLET)
    screenshot(page, "c41-bureau-body-suspended-tablet")
    assert fits(page)
    page.set_viewport_size(LAPTOP)

    # -- the approvals queue: a batch of the demo's pending promotions ------------------------
    page.click("nav.console-nav >> text=核准晋级")
    assert page.url == f"{url}/console/approvals"
    rows = page.locator("#pending tbody tr", has_text=PENDING_COMPETITION)
    deadline = time.monotonic() + 90
    while rows.count() < 6 and time.monotonic() < deadline:  # a fresh server's read models
        time.sleep(2)  # are still catching up with the demo's history
        page.reload()
    assert rows.count() == 6
    screenshot(page, "c42-bureau-approvals-pending")
    approvable = page.locator(
        '#pending tbody tr[data-target-level="3"]', has_text=PENDING_COMPETITION
    )
    names = [approvable.nth(i).locator(".worker-name").inner_text() for i in range(3)]
    for i in range(approvable.count()):
        approvable.nth(i).locator("input[type=checkbox]").check()
    page.fill("#reason", "经朝阳区人社局核准")
    page.click("#approve-selected")
    page.wait_for_load_state("domcontentloaded")
    assert "已核准 3 项，不予核准 0 项" in page.locator("#decided-notice").inner_text()
    assert page.locator("#decided-notice a.issued-number").count() == 3
    decided = page.locator("#decided tbody tr", has_text=PENDING_COMPETITION)
    assert decided.count() == 3
    for name in names:
        row = page.locator("#decided tbody tr", has_text=name).first
        number = row.locator("a.certificate-number").inner_text()
        assert re.fullmatch(r"S\d{21}", number)
    screenshot(page, "c43-bureau-approvals-approved")

    # one to 二级/技师: the school is not filed for it, refused beside its row
    above_scope = page.locator('#pending tbody tr[data-target-level="2"]').first
    above_scope.locator("button[name=approve_one]").click()
    page.wait_for_load_state("domcontentloaded")
    refused = page.locator("#pending tbody tr.has-error")
    assert refused.count() == 1
    assert "outside-filed-scope" in refused.locator(".field-error").inner_text()
    screenshot(page, "c44-bureau-approval-refused")

    # -- keys: rotate the new body's key and mark the old one compromised ---------------------
    page.goto(body_path)
    page.click("text=查看、轮换签名密钥")
    assert page.url.startswith(f"{url}/console/keys/")
    first_key = page.locator("#keys tbody tr").first
    old_key = first_key.locator("code").inner_text()
    valid_from = datetime.strptime(first_key.locator("td").nth(2).inner_text(), "%Y-%m-%d %H:%M:%S")
    time.sleep(1.1)  # key windows are whole seconds: rotate in a later one
    page.click("#rotate")
    page.wait_for_load_state("domcontentloaded")
    assert "已轮换" in page.locator("#key-change").inner_text()
    leaked = (valid_from + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    page.fill(f"#at-{old_key}", leaked)
    page.fill(f"#reason-{old_key}", "评价中心旧服务器下线时私钥文件未销毁")
    page.click(f"form:has(#at-{old_key}) button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    notice = page.locator("#key-change").inner_text()
    assert f"已登记密钥 {old_key}" in notice and "受影响的凭证：0 份" in notice
    assert "已泄露" in page.locator("#keys").inner_text()
    screenshot(page, "c45-bureau-key-compromised")

    # -- the reports (上报) received, each linking to its session's event history -----------
    page.click("nav.console-nav >> text=收到的上报")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#reports tbody tr").count() >= 1, "the demo has reported sessions"
    screenshot(page, "c47-bureau-reports-received")
    page.locator("#reports tbody tr").first.locator("text=事件历史").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/audit?aggregate=" in page.url and "Reported" in page.locator("main").inner_text()

    # -- the figures and the talent database, exported to Excel -----------------------------
    page.goto(f"{url}/console/statistics")
    with page.expect_download() as got:
        page.click("#report-export")
    figures = openpyxl.load_workbook(saved(got.value, tmp_path))
    headline = [c for row in figures.worksheets[0].values for c in row if c is not None]
    assert any(isinstance(c, int) and c > 0 for c in headline), headline
    page.goto(f"{url}/console/talents")
    with page.expect_download() as got:
        page.click("#talent-export")
    talents = openpyxl.load_workbook(saved(got.value, tmp_path)).worksheets[0]
    rows = list(talents.values)
    assert len(rows) > 1, "the demo has talents"
    text = " ".join(str(c) for row in rows for c in row if c)
    assert not re.search(r"\d{17}[\dX]", text), "ID numbers masked in the export"

    # -- English, at tablet width ----------------------------------------------------------
    page.set_viewport_size(TABLET)
    page.goto(f"{url}/console/approvals?lang=en")
    assert "Awaiting approval" in page.locator("main").inner_text()
    screenshot(page, "c46-bureau-approvals-tablet-en")
    assert fits(page), page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.offsetWidth"
        " > window.innerWidth).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id"
        " + ':' + e.offsetWidth)"
    )
    page.goto(f"{url}/console?lang=zh")
