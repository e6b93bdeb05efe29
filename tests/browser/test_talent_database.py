"""The talent database (人才库) in Chromium against a live ``craftledger serve --demo``: the demo's
HR official (``hr@demo.example``) opens it from the console, filters it by honour tier and
district, and downloads the Excel of the same filters (checked with openpyxl: the same people,
ID numbers masked). Screenshots c60 (filtered, 1280 px), c61 (820 px tablet), c62 (English)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.live_server import fits, screenshot
from tests.browser.officer import HR_OFFICIAL, demo_page

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1280, "height": 900}
MASKED = re.compile(r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$")


def count(page: Any) -> int:
    return int(re.sub(r"\D", "", page.locator("#talent-count").inner_text()))


def test_the_hr_official_filters_the_talent_database_and_downloads_it(
    live_server, context, tmp_path: Path
):
    url = live_server.url
    page = demo_page(live_server, context, HR_OFFICIAL)
    page.set_viewport_size(LAPTOP)
    page.click("nav.console-nav >> text=人才库")
    assert page.url == f"{url}/console/talents"
    deadline = time.monotonic() + 90
    while count(page) < 100 and time.monotonic() < deadline:  # a fresh server's read models
        time.sleep(2)  # are still catching up with the demo's history
        page.reload()
    everyone = count(page)
    assert everyone >= 100  # the demo's 240 workers hold about 120 qualifying facts' people

    page.select_option("#filter-honour", label="朝阳工匠")
    page.fill("#district", "110105")
    page.click("form.talent-filters button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "district=110105" in page.url
    craftsmen = count(page)
    assert 0 < craftsmen < everyone
    rows = page.locator("#talents tbody tr")
    assert rows.count() == min(craftsmen, 50)
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        assert "朝阳工匠" in cells.nth(4).inner_text()
        assert MASKED.match(cells.nth(1).inner_text().strip()), cells.nth(1).inner_text()
        assert cells.nth(3).inner_text().strip() == "110105"
    screenshot(page, "c60-talents-filtered")

    with page.expect_download() as got:
        page.click("#talent-export")
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    assert path.name == "talents.xlsx"
    sheet = openpyxl.load_workbook(path).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:3] == ("姓名 Name", "证件号码(脱敏) ID number (masked)", "地区代码 District")
    assert len(table) - 1 == craftsmen
    assert all(MASKED.match(row[1]) and row[2] == "110105" for row in table[1:])
    assert all("朝阳工匠" in row[4] for row in table[1:])
    shown = {rows.nth(i).locator("td").nth(0).inner_text() for i in range(rows.count())}
    assert shown <= {row[0] for row in table[1:]}

    page.set_viewport_size(TABLET)
    screenshot(page, "c61-talents-tablet")
    assert fits(page)
    page.set_viewport_size(LAPTOP)

    page.goto(f"{url}/console/talents?kind=medal&lang=en")
    assert page.locator("h1").inner_text() == "Talent database"
    assert (
        "Gold" in page.locator("#talents").inner_text()
        or "gold" in page.locator("#talents").inner_text().lower()
    )
    screenshot(page, "c62-talents-medals-english")
    page.goto(f"{url}/console/talents?lang=zh")
