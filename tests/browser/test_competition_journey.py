"""Issue 20's journey, as the people who run a competition, in Chromium against a live
``craftledger serve --demo`` (gunicorn, as production runs it).

Five browser contexts at once:

* the demo's organiser (朝阳区总工会 赵老师) on a tablet (820 px) announces a district electricians'
  competition (two components, three judges each, a spread limit of 10), imports three entrants
  from a spreadsheet (preview, then record) and assigns the judges, which invites their accounts;
* three judges, one on a phone (360 px), follow their invitation links, choose a password, sign
  in and mark every entrant on both components one at a time, then submit (已提交); one judge's
  practical mark for entrant 1 is far from the others', so the spread is flagged;
* the venue's big screen (1920 px, not signed in) is opened before the first mark and never
  reloaded: under the default "public after each component is locked" it shows no scores while
  judges mark, then the theory scores the moment theory is locked and the final ranking the
  moment the results are published, pushed by Server-Sent Events.

The organiser reviews the flagged spread (a correction with a reason), locks both components and
publishes the results. Screenshots cj01..cj14.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from service.demo.cast import demo_cast
from tests.browser.live_server import LiveServer, fits, screenshot
from tests.browser.officer import demo_page
from tests.evaluation.test_import import xlsx_bytes

pytestmark = pytest.mark.browser

ORGANISER = "organiser@demo.example"
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
SCREEN = {"width": 1920, "height": 1080}
NAME = "2026年朝阳区电工技术比武（全流程）"
HEADER = ["身份证号", "姓名", "选手类别", "工作单位或学校"]
PASSWORD = "a judge's own long password"
#: name, login, viewport, marks for entrants 1..3 on 实操 then 理论
JUDGES = [
    ("裁判甲", "judge.jia.journey@demo.example", DESK, ("85", "80", "75"), ("90", "70", "80")),
    ("裁判乙", "judge.yi.journey@demo.example", TABLET, ("86", "81", "74"), ("88", "72", "81")),
    ("裁判丙", "13900139001", PHONE, ("60", "79", "76"), ("91", "71", "79")),
]


def submit(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("domcontentloaded")


def announce(page: Any) -> str:
    """Announce the competition from the console's list; the competition's console path."""
    page.click("nav.console-nav >> text=竞赛管理")
    submit(page, "#announce-link")
    page.fill("#name", NAME)
    page.fill("#reference", f"CY-JOURNEY-{int(time.time())}")
    page.select_option("#tier", "district")
    page.fill("#year", "2026")
    page.select_option("#occupation_code", "6-31-01-03")
    page.select_option("#exam_level", "3")
    page.fill("#region", "北京市朝阳区")
    page.fill("#component_0_name", "实操")
    page.select_option("#component_0_kind", "measurement")
    page.fill("#component_0_weight", "70")
    page.fill("#component_1_name", "理论")
    page.select_option("#component_1_kind", "judgement")
    page.fill("#component_1_weight", "30")
    page.select_option("#combination", "mean")
    page.fill("#max_spread", "10")
    assert page.locator("#board-public-after-lock").is_checked()  # the default
    screenshot(page, "cj01-announce")
    submit(page, "#announce-form button.primary[type=submit]")
    assert "竞赛已发布" in page.locator("#announced").inner_text()
    return page.url.split("?")[0]


def import_entrants(page: Any, folder: Path) -> None:
    staff = [w for w in demo_cast() if w.serial in (11, 12, 13)]
    sheet = folder / "选手.xlsx"
    sheet.write_bytes(
        xlsx_bytes([HEADER] + [[w.id_number.reveal(), w.name, "职工", ""] for w in staff])
    )
    submit(page, "nav.session-tabs >> text=选手")
    page.set_input_files("#file", str(sheet))
    submit(page, "form.import-form button.primary")
    assert "每一行都检查无误" in page.locator("#import-ok").inner_text()
    assert staff[0].id_number.reveal() not in page.content()
    screenshot(page, "cj02-entrants-preview")
    submit(page, "#record-import")
    assert "已导入选手：3 人" in page.locator("#import-recorded").inner_text()


def assign_judges(page: Any) -> list[str]:
    """Both panels; the three invitation links (shown once, with the first panel)."""
    submit(page, "nav.session-tabs >> text=裁判组")
    lines = "\n".join(f"{name}, {login}" for name, login, *_ in JUDGES)
    page.fill("#judges_0", lines)
    submit(page, 'section[data-component="实操"] button.primary')
    links = page.locator("#invitations code.invitation-link").all_inner_texts()
    assert len(links) == 3, links
    assert fits(page)
    screenshot(page, "cj03-judges-invited")
    page.fill("#judges_1", lines)
    submit(page, 'section[data-component="理论"] button.primary')
    assert page.locator('section[data-component="理论"] table.panel-judges tbody tr').count() == 3
    return links


def judge_signs_in(page: Any, link: str, login: str, home: str) -> None:
    page.goto(link)
    page.fill("#password", PASSWORD)
    page.fill("#repeat", PASSWORD)
    submit(page, "button.primary[type=submit]")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    submit(page, "button.primary[type=submit]")
    assert page.url == home, page.url
    assert page.locator("a:text-is('工作台')").first.get_attribute("href") == "/judge"


def judge_marks(page: Any, component: str, marks: tuple[str, ...], shot: str | None) -> None:
    page.click(f"a.judge-component-link:text-is('{component}')")
    page.wait_for_load_state("domcontentloaded")
    for number, mark in enumerate(marks, start=1):
        assert page.locator("#entrant-heading").inner_text() == f"参赛号 {number}"
        page.fill("#mark", mark)
        with page.expect_navigation():
            page.click("button.judge-save")
    assert f"已评 {len(marks)} / {len(marks)}" in page.inner_text("#judge-progress")
    if shot:
        assert fits(page)
        screenshot(page, shot)
    submit(page, ".judge-submit-button")
    assert "已提交" in page.inner_text(".judge-status")
    page.click(".judge-back a")
    page.wait_for_load_state("domcontentloaded")


def screen_text(screen: Any) -> str:
    return str(screen.locator("#board-rows").inner_text())


def test_a_competition_from_announcement_to_results(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    url = live_server.url
    contexts = []

    def context(viewport: dict[str, int], **options: Any) -> Any:
        opened = browser.new_context(locale="zh-CN", viewport=viewport, **options)
        opened.set_default_timeout(20_000)
        contexts.append(opened)
        return opened

    try:
        organiser = demo_page(live_server, context(TABLET), ORGANISER)
        competition_path = announce(organiser)
        competition_id = competition_path.rsplit("/", 1)[1]
        import_entrants(organiser, tmp_path)
        links = assign_judges(organiser)

        # the venue's big screen, open before the first mark, never reloaded
        screen = context(SCREEN).new_page()
        screen.goto(f"{url}/competitions/{competition_id}/screen")
        screen.wait_for_selector("#board[data-live=open]")
        screen.evaluate("window.stayed = true")
        before = screen_text(screen)
        assert "85" not in before and "60" not in before  # no marks, nothing locked
        screenshot(screen, "cj04-big-screen-before")

        for index, (_name, login, viewport, practical, theory) in enumerate(JUDGES):
            phone = viewport is PHONE
            options = {"is_mobile": True, "has_touch": True} if phone else {}
            judge = context(viewport, **options).new_page()
            judge_signs_in(judge, links[index], login, f"{url}/judge")
            if phone:
                assert fits(judge)
                screenshot(judge, "cj05-judge-phone-home")
            judge_marks(judge, "实操", practical, "cj06-judge-phone-marked" if phone else None)
            judge_marks(judge, "理论", theory, None)
            assert judge.locator(".judge-submitted").count() == 2  # both components submitted
            if phone:
                screenshot(judge, "cj07-judge-phone-submitted")

        # nothing is locked: the big screen still shows no score
        screen.wait_for_timeout(1500)
        assert "85" not in screen_text(screen) and "89.67" not in screen_text(screen)

        # the chief judge's review: the flagged practical spread of entrant 1 (60 vs 85, 86)
        organiser.goto(competition_path)
        submit(organiser, "nav.session-tabs >> text=评分复核")
        flags = organiser.locator("article.review-row")
        assert flags.count() == 1
        assert "60" in flags.first.inner_text()
        screenshot(organiser, "cj08-review-flagged")
        flags.first.locator("select[name=judge]").select_option("裁判丙")
        flags.first.locator("input[name=mark]").fill("84")
        flags.first.locator("textarea[name=reason]").fill("核对现场评分表：录入时把 84 写成了 60")
        submit(organiser, "article.review-row form.correct-form button[type=submit]")
        assert organiser.locator("article.review-row").count() == 0
        screenshot(organiser, "cj09-review-corrected")

        # lock theory: its scores reach the big screen by SSE (mean of 90, 88, 91 = 89.67)
        submit(organiser, "nav.session-tabs >> text=封分与结果")
        submit(organiser, 'li.lock-row[data-component="理论"] button[type=submit]')
        assert "已封分：理论" in organiser.locator("#locks-done").inner_text()
        screen.wait_for_function(
            "() => document.querySelector('#board-rows').innerText.includes('89.67')",
            timeout=15_000,
        )
        assert "85" not in screen_text(screen)  # practical is not locked: not shown
        assert screen.evaluate("window.stayed") is True, "updated without a reload"
        screenshot(screen, "cj10-big-screen-theory-locked")

        submit(organiser, 'li.lock-row[data-component="实操"] button[type=submit]')
        assert "已封分：实操" in organiser.locator("#locks-done").inner_text()
        screenshot(organiser, "cj11-locked")
        submit(organiser, "#finalise-form button[type=submit]")
        assert "结果已公布" in organiser.locator("#locks-done").inner_text()
        assert organiser.locator("#results tbody tr").count() == 3
        assert fits(organiser)
        screenshot(organiser, "cj12-results-published")

        # the final ranking on the big screen, pushed (entrant 1 first: 85 practical, 89.67)
        screen.wait_for_function(
            "() => document.querySelector('#board-status').innerText.includes('已公布')"
            " || document.querySelector('#board-rows').innerText.includes('金')",
            timeout=15_000,
        )
        assert screen.evaluate("window.stayed") is True, "updated without a reload"
        first = screen.locator("#board-rows tr").first.locator("td").all_inner_texts()
        assert first[0].strip() == "1" and first[1].strip() == "1", first
        screenshot(screen, "cj13-big-screen-final")

        organiser.goto(f"{url}/competitions/{competition_id}/results")
        assert organiser.locator("table").count() >= 1
        screenshot(organiser, "cj14-results-sheet")
    finally:
        for opened in contexts:
            opened.close()
