"""The chief judge's pages in Chromium against a live ``craftledger serve --demo``, at tablet
width (820 px): the demo organiser (朝阳区总工会 赵老师, ``organiser@demo.example``) opens the
养老护理员 competition still in marking, is refused a correction that changes nothing beside the
mark (``correction-changes-nothing``), confirms the flagged practical spread on review (复核),
is refused the practical lock while half the entrants are unmarked (``marks-incomplete``); the
remaining judges' marks arrive (through the API, as the judges' phones would send them), the
organiser locks, publishes the results, sees the ranking and the public board's link, and
submits the promotion proposals to the HR bureau. Screenshots h01..h08."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.browser.live_server import LiveServer, fits, http, screenshot
from tests.browser.officer import demo_page
from tests.support.server import base_env, serving

pytestmark = pytest.mark.browser

ORGANISER = "organiser@demo.example"
MARKING = "2026年朝阳区养老护理员职业技能竞赛"
TABLET = {"width": 820, "height": 1180}
JUDGES = ("裁判甲", "裁判乙", "裁判丙")


def submit(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("domcontentloaded")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo server of this test's own: it finalises the demo's competition in marking, which
    the other browser tests (the live board, the demo judges) expect to find still in marking."""
    data_dir = tmp_path_factory.mktemp("chief-data")
    env = base_env(data_dir)
    args = ("--demo", "--log-level", "warning")
    with serving(env, *args, log=data_dir / "server.log", within=90) as (url, _):
        yield LiveServer(url=url, data_dir=data_dir, env=env)


def test_the_organiser_reviews_locks_finalises_and_submits_promotions(live_server, context):
    url = live_server.url
    page = demo_page(live_server, context, ORGANISER)
    page.set_viewport_size(TABLET)

    # -- the competition, from the console's list (the read model may still be catching up)
    page.goto(f"{url}/console/competitions")
    deadline = time.monotonic() + 90
    while page.locator("#competitions a", has_text=MARKING).count() == 0:
        assert time.monotonic() < deadline, "the demo competition never listed"
        time.sleep(2)
        page.reload()
    page.click(f"#competitions a:has-text('{MARKING}')")
    page.wait_for_load_state("domcontentloaded")
    overview = page.url
    competition_id = overview.rsplit("/", 1)[1]

    # -- the review queue: the flagged practical spread --------------------------------------
    page.click("nav.session-tabs >> text=评分复核")
    page.wait_for_load_state("domcontentloaded")
    assert page.url == f"{overview}/review"
    flags = page.locator("article.review-row")
    assert flags.count() == 1
    flag = flags.first
    assert "practical" in flag.locator("h3").inner_text()
    caption = flag.locator("caption").inner_text()
    assert re.search(r"差异 \d+(\.\d+)? 分，上限 10 分", caption), caption
    screenshot(page, "h01-review-queue")
    assert fits(page)
    judge = flag.locator("select[name=judge] option").nth(1)
    same = judge.inner_text().split("（")[1].rstrip("）")
    flag.locator("select[name=judge]").select_option(index=1)
    flag.locator("input[name=mark]").fill(same)
    flag.locator("textarea[name=reason]").fill("核对原始评分表")
    submit(page, "article.review-row form.correct-form button[type=submit]")
    error = page.locator("#flag-1-mark-error")
    assert "correction-changes-nothing" in error.inner_text()
    assert page.locator("#flag-1-reason").input_value() == "核对原始评分表"  # kept
    screenshot(page, "h02-correction-refused")
    page.fill("#flag-1-note", "调阅现场操作录像复核，三位裁判评分均有依据，维持原评分")
    submit(page, "article.review-row form.confirm-form button[type=submit]")
    assert "已复核确认" in page.locator("#review-done").inner_text()
    assert page.locator("article.review-row").count() == 0
    assert "调阅现场操作录像复核" in page.locator("#answered").inner_text()
    screenshot(page, "h03-review-confirmed")

    # -- locks: practical is refused while entrants are unmarked ----------------------------
    page.click("nav.session-tabs >> text=封分与结果")
    page.wait_for_load_state("domcontentloaded")
    practical = page.locator('li.lock-row[data-component="practical"]')
    assert "已封分" in page.locator('li.lock-row[data-component="theory"]').inner_text()
    submit(page, 'li.lock-row[data-component="practical"] button[type=submit]')
    practical = page.locator('li.lock-row[data-component="practical"]')
    assert "marks-incomplete" in practical.locator(".field-error").inner_text()
    short = practical.locator(".lock-progress .hint").first.inner_text()
    numbers = {int(n) for n in re.findall(r"\d+", short)}
    assert numbers
    screenshot(page, "h04-lock-refused")
    assert fits(page)

    # the judges' remaining marks arrive (as their phones would send them)
    token = live_server.token("admin")
    status, entrants = http(f"{url}/api/v1/competitions/{competition_id}/entrants", token=token)
    assert status == 200
    marks = [
        {"worker_id": e["worker_id"], "component": "practical", "judge": name, "mark": str(m)}
        for e in entrants["items"]
        if e["entrant_number"] in numbers
        for name, m in zip(JUDGES, (80 + e["entrant_number"] % 7, 81, 82), strict=True)
    ]
    status, answer = http(
        f"{url}/api/v1/competitions/{competition_id}/marks", "POST", {"marks": marks}, token
    )
    assert status == 200, answer

    page.goto(f"{overview}/locks")
    submit(page, 'li.lock-row[data-component="practical"] button[type=submit]')
    assert "已封分：practical" in page.locator("#locks-done").inner_text()
    submit(page, "#finalise-form button[type=submit]")
    assert "结果已公布" in page.locator("#locks-done").inner_text()
    assert page.locator("#results tbody tr").count() >= 3
    board = page.locator("#public-board")
    assert board.get_attribute("href") == f"/competitions/{competition_id}"
    screenshot(page, "h05-results-published")
    assert fits(page)

    # -- promotions: proposed, submitted to the HR bureau -----------------------------------
    page.click("nav.session-tabs >> text=晋级建议")
    page.wait_for_load_state("domcontentloaded")
    rows = page.locator("#proposals tbody tr")
    assert rows.count() >= 1
    assert page.locator('#proposals tbody tr[data-standing="unsubmitted"]').count() == rows.count()
    screenshot(page, "h06-promotions-to-submit")
    assert fits(page)
    submit(page, "#submit-form button[type=submit]")
    assert f"已报送 {rows.count()} 项" in page.locator("#submitted-notice").inner_text()
    assert page.locator('#proposals tbody tr[data-standing="submitted"]').count() == rows.count()
    screenshot(page, "h07-promotions-submitted")
    assert page.locator("#submit-form").count() == 0 and page.locator("#all-submitted").count()

    # in English
    page.goto(f"{overview}/promotions?lang=en")
    assert "Submitted, awaiting approval" in page.locator("#proposals").inner_text()
    screenshot(page, "h08-promotions-english")
    page.goto(f"{overview}?lang=zh")
