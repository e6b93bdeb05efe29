"""In Chromium against a live ``serve --demo``: the public opens a finalised competition's
printable results (names masked) from its board and downloads them as Excel; the organiser
sees full names, prints the sheet (Chromium's PDF of the page, A4 landscape) and downloads a
medal's signed PDF. Screenshots a01..a06: the pages (desktop and tablet), the printed sheet and
the award PDF's first page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.competition import Competition
from domain.organisation import Organisation
from tests.browser.live_server import SCREENSHOTS, LiveServer, fits, saved, screenshot, sign_in

pytestmark = pytest.mark.browser

UNION = Organisation.create_id(filing_code="11-FTU-0105")  # 朝阳区总工会, the demo's organiser
FINALISED = Competition.create_id(organiser_id=UNION, reference="2026-CY-RIDER-Q3")
TABLET = {"width": 820, "height": 1180}


def page_image(pdf: Path, name: str) -> Path:
    """The PDF's first page as a PNG screenshot (pdftoppm)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf,
         SCREENSHOTS / name],
        check=True,
    )  # fmt: skip
    return SCREENSHOTS / f"{name}.png"


def names_in(page: Any) -> list[str]:
    return page.locator(".results-table tbody tr td:nth-child(3)").all_inner_texts()


def test_the_public_prints_and_downloads_the_final_results(
    live_server: LiveServer, context, tmp_path: Path
):
    page = context.new_page()
    page.goto(f"{live_server.url}/competitions/{FINALISED}")
    page.get_by_role("link", name="打印成绩表").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/competitions/{FINALISED}/results")
    assert page.locator("h1").inner_text().startswith("2026年朝阳区网约配送员技能比武")
    names = names_in(page)
    assert names and all(name.endswith("*") for name in names), names  # masked
    awards = page.locator(".results-table tbody tr td:nth-child(9)").all_inner_texts()
    assert awards[:3] == ["金牌", "银牌", "铜牌"], awards
    assert page.locator("a[href$='.pdf']").count() == 0
    screenshot(page, "a01-results-public")
    page.set_viewport_size(TABLET)
    assert fits(page)
    screenshot(page, "a02-results-public-tablet")

    with page.expect_download() as downloaded:
        page.get_by_role("link", name="下载 Excel").click()
    workbook = saved(downloaded.value, tmp_path)
    assert workbook.name == "results-2026-CY-RIDER-Q3.xlsx"
    rows = list(load_workbook(workbook, read_only=True)["成绩 Results"].iter_rows(values_only=True))
    assert [row[4] for row in rows[1:]] == names
    assert rows[1][-1] == "金牌 Gold medal"


def test_the_organiser_prints_the_sheet_and_downloads_a_medal_pdf(
    live_server: LiveServer, context, tmp_path: Path
):
    page = context.new_page()
    sign_in(page, live_server.url, live_server.token("organiser", org=UNION))
    page.goto(f"{live_server.url}/competitions/{FINALISED}/results")
    names = names_in(page)
    assert names and not any(name.endswith("*") for name in names)  # full names
    screenshot(page, "a03-results-organiser")

    page.emulate_media(media="print")
    printed = tmp_path / "results-print.pdf"
    printed.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    info = subprocess.run(["pdfinfo", printed], capture_output=True, text=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info)
    assert found and float(found[1]) > float(found[2]), info  # A4 landscape
    text = subprocess.run(["pdftotext", printed, "-"], capture_output=True, text=True).stdout
    assert names[0] in text and "下载 Excel" not in text  # the screen-only links are not printed
    page_image(printed, "a04-results-printed")
    page.emulate_media(media="screen")

    link = page.locator(".results-table tbody tr a[href$='.pdf']").first
    with page.expect_download() as downloaded:
        link.click()
    pdf = saved(downloaded.value, tmp_path)
    assert pdf.name.startswith("2026-CY-RIDER-Q3-") and pdf.name.endswith("-gold.pdf")
    report = subprocess.run(["pdfsig", pdf], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in report, report
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert "获奖证书" in text and "金牌" in text and names[0] in text
    detached = subprocess.run(
        ["pdfdetach", "-list", pdf], capture_output=True, text=True, check=True
    ).stdout
    assert "credential.json" in detached
    page_image(pdf, "a05-award-pdf")

    page.goto(f"{live_server.url}/competitions/{FINALISED}/results?lang=en")
    assert page.locator(".sub").inner_text() == "Results (final)"
    screenshot(page, "a06-results-english")
