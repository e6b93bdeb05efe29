"""The statistics report (统计报表) in Chromium against a live ``craftledger serve --demo``: the
demo's HR official (``hr@demo.example``) opens it from the console, picks an as-of date and a
chart, reads the headline figures and the breakdowns (each adding up to the headline), and
downloads the Excel of the same date (checked with openpyxl: the same figures). Screenshots c70
(as of a date, 1280 px), c71 (820 px tablet), c72 (English)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.live_server import fits, screenshot
from tests.browser.officer import HR_OFFICIAL, demo_page

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1280, "height": 900}
AS_OF = "2024-12-31"
BREAKDOWNS = ("district", "employer", "occupation", "year")


def figure(page: Any, name: str) -> int:
    return int(re.sub(r"\D.*$", "", page.locator(f"#figure-{name}").inner_text().strip()))


def column_sum(page: Any, table: str, column: int) -> int:
    cells = page.locator(f"#breakdown-{table} tbody tr td:nth-of-type({column})")
    return sum(int(cells.nth(i).inner_text()) for i in range(cells.count()))


def test_the_hr_official_reads_the_statistics_report_and_downloads_it(
    live_server, context, tmp_path: Path
):
    url = live_server.url
    page = demo_page(live_server, context, HR_OFFICIAL)
    page.set_viewport_size(LAPTOP)
    page.click("nav.console-nav >> text=统计报表")
    assert page.url == f"{url}/console/statistics"
    assert page.locator("h1").inner_text() == "统计报表"

    page.fill("#as_of", AS_OF)
    page.select_option("#chart", "district")
    page.click("form.report-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert f"as_of={AS_OF}" in page.url and "chart=district" in page.url
    assert f"截至 {AS_OF} 日终" in page.locator("#report-as-of").inner_text()
    skill, high = figure(page, "skill"), figure(page, "high")
    assert 0 < high <= skill
    api = page.request.get(f"{url}/api/v1/statistics/breakdown?by=employer&as_of={AS_OF}").json()
    assert (api["skill_talents"], api["high_skill_talents"]) == (skill, high)
    for table in BREAKDOWNS:
        assert page.locator(f"#breakdown-{table}").is_visible()
        assert column_sum(page, table, 1) == skill, table
        assert column_sum(page, table, 2) == high, table
    employers = page.locator("#breakdown-employer tbody th").all_inner_texts()
    assert [row["label"] or "无在职单位" for row in api["rows"]] == employers
    chart = page.locator("#report-chart svg.chart")
    assert chart.get_attribute("role") == "img"
    assert (
        page.locator("#report-chart-heading").inner_text() == "图表：按地区（身份证号行政区划代码）"
    )
    assert "技能人才人数" in page.locator(".legend-box").inner_text()
    assert chart.locator("rect").count() >= 1
    screenshot(page, "c70-statistics-report")

    with page.expect_download() as got:
        page.click("#report-export")
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    assert path.name == f"statistics-{AS_OF}.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "总体 Headline",
        "按地区 By district",
        "按单位 By employer",
        "按职业 By occupation",
        "按年度 By year",
    ]
    headline = {row[0]: row[1] for row in book["总体 Headline"].iter_rows(values_only=True)}
    assert headline["统计日期 As of (end of day, UTC+8)"] == AS_OF
    assert headline["技能人才总量 Skill talents"] == skill
    assert headline["高技能人才 High-skill talents"] == high
    for name in book.sheetnames[1:]:
        rows = list(book[name].iter_rows(values_only=True))
        assert rows[-1][0] == "合计 Total" and rows[-1][2:4] == (skill, high), name
        assert sum(row[2] for row in rows[1:-1]) == skill, name

    page.set_viewport_size(TABLET)
    screenshot(page, "c71-statistics-report-tablet")
    assert fits(page)
    page.set_viewport_size(LAPTOP)

    page.goto(f"{url}/console/statistics?as_of={AS_OF}&chart=occupation&lang=en")
    assert page.locator("h1").inner_text() == "Statistics report"
    assert page.locator("#report-chart-heading").inner_text() == "Chart: By occupation"
    assert figure(page, "skill") == skill
    screenshot(page, "c72-statistics-report-english")
    page.goto(f"{url}/console/statistics?lang=zh")
