"""In Chromium against a live ``serve --demo``, as an anonymous visitor: the home page lists the
current 公示, the link opens it, the candidates are shown masked, an objection with a mistake is
explained beside its fields, then lodged and confirmed; the HR bureau's list has it, with the ID
number in the grounds masked. The body's officer resolves one in the console. Screenshots at
laptop and tablet width."""

from __future__ import annotations

import re

import pytest

from tests.browser.live_server import LiveServer, http, screenshot
from tests.browser.officer import officer_page

pytestmark = pytest.mark.browser

ID_IN_GROUNDS = "110105199003070017"  # checksum-valid: masked before it is stored
TABLET = {"width": 820, "height": 1180}


def test_an_anonymous_visitor_reads_the_gongshi_and_objects(live_server: LiveServer, context):
    url = live_server.url
    page = context.new_page()
    page.goto(url)
    current = page.locator(".gongshi-home .notices a")
    assert current.count() >= 1, "the demo has a session in its 公示 window"
    screenshot(page, "gongshi-home")
    current.first.click()
    page.wait_for_load_state("domcontentloaded")
    assert re.search(r"/gongshi/[0-9a-f-]{36}$", page.url)
    assert page.locator("h1").inner_text() == "评价结果公示"
    assert "工作日历" in page.locator("dl.facts").inner_text()

    rows = page.locator("table.gongshi-candidates tbody tr")
    assert rows.count() >= 1
    names = rows.locator("td:nth-child(2)").all_inner_texts()
    assert all(re.fullmatch(r".\*+", name.strip()) for name in names), names
    body = page.locator("main").inner_text()
    assert not re.search(r"\d{6}(\d{8}|\*{8})\d{3}[\dX]", body), "no ID number, even masked"
    screenshot(page, "gongshi-notice")

    # a mistake is explained beside its field (and listed in the summary above the form)
    page.select_option("#candidate", index=1)
    page.fill("#contact", "call me maybe")
    page.click("form.objection-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#contact-error").is_visible()
    assert page.locator("#grounds-error").is_visible()
    assert page.locator("#contact").get_attribute("aria-invalid") == "true"
    screenshot(page, "gongshi-objection-errors")

    page.fill("#contact", "13800138000")
    page.fill("#grounds", f"实操考试疑似由他人代考，代考者身份证 {ID_IN_GROUNDS}")
    page.click("form.objection-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "异议已提交"
    confirmation = page.locator("main").inner_text()
    objection_id = re.search(r"编号 (O-\d+)", confirmation)
    assert objection_id is not None, confirmation
    screenshot(page, "gongshi-objection-lodged")

    status, listed = http(f"{url}/api/v1/objections?state=open", token=live_server.token("admin"))
    assert status == 200
    mine = [o for o in listed["items"] if o["contact"] == "13800138000"]
    assert [o["id"] for o in mine] == [objection_id.group(1)]
    assert ID_IN_GROUNDS not in mine[0]["grounds"] and "110105********0017" in mine[0]["grounds"]

    tablet = context.browser.new_context(locale="en-GB", viewport=TABLET)
    try:
        small = tablet.new_page()
        small.goto(f"{url}/gongshi?lang=en")
        assert small.locator("h1").inner_text().startswith("Evaluation results notice")
        screenshot(small, "gongshi-list-tablet-en")
        small.locator("table.gongshi-notices a").first.click()
        small.wait_for_load_state("domcontentloaded")
        assert small.get_by_label("Whose result you object to").count() == 1
        overflow = small.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "the page fits a tablet without sideways scrolling"
        screenshot(small, "gongshi-notice-tablet-en")
    finally:
        tablet.close()


def test_the_bodys_officer_resolves_an_objection_in_the_console(live_server: LiveServer, context):
    url = live_server.url
    page = officer_page(live_server, context)  # signs in, enrolling TOTP the first time
    page.click("nav.console-nav >> text=异议处理")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/console/objections")
    cards = page.locator("article.objection")
    assert cards.count() >= 1
    first = cards.first
    assert "LJ-2026-LS4" in first.inner_text()
    screenshot(page, "gongshi-console-objections")

    first.locator("input[value=dismissed]").check()
    first.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    error = page.locator("article.objection .field-error").first
    assert error.is_visible() and "理由" in error.inner_text()
    screenshot(page, "gongshi-console-resolve-error")

    first = page.locator("article.objection").first
    heading = first.locator("h2").inner_text()
    first.locator("input[value=dismissed]").check()
    first.locator("textarea").fill("核查考勤和社保记录，工作年限属实")
    first.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已处理" in page.locator("[role=status]").inner_text()
    page.goto(f"{url}/console/objections?state=resolved")
    resolved = page.locator("main").inner_text()
    assert heading.split(" ")[0] in resolved and "核查考勤和社保记录" in resolved
    screenshot(page, "gongshi-console-resolved")
