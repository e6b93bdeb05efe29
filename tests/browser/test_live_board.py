"""In Chromium against a live ``serve --demo``: the board of the competition still in marking
(2026-CY-CARE, half its entrants without practical marks) stays open on the competition page
and on the big screen while three judges' marks are recorded through the API; the entrant's
row fills in, by Server-Sent Events, without a reload. The public (public after lock, the
default) sees names masked and no score of a component that is not locked. Screenshots
s01..s07."""

from __future__ import annotations

import pytest

from service.demo.competitions import JUDGES
from tests.browser.live_server import LiveServer, fits, http, screenshot, sign_in

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}


def marking_competition(url: str, token: str) -> str:
    status, listed = http(f"{url}/api/v1/competitions?status=marking&limit=50", token=token)
    assert status == 200, listed
    found = [c for c in listed["items"] if c["reference"] == "2026-CY-CARE"]
    assert found, [c["reference"] for c in listed["items"]]
    return str(found[0]["id"])


def unmarked_entrant(page) -> int:
    """The entrant number of a row without a total (practical not yet marked)."""
    for row in page.locator("#board-rows tr[data-key]").all():
        cells = row.locator("td").all_inner_texts()
        if cells[4].strip() == "–":
            return int(cells[1])
    raise AssertionError("every entrant has a total already")


def test_the_board_updates_in_place_as_marks_are_recorded(live_server: LiveServer, browser):
    url = live_server.url
    token = live_server.token("admin")
    competition_id = marking_competition(url, token)

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    wall = browser.new_context(locale="en-GB", viewport=SCREEN)
    public = browser.new_context(locale="zh-CN", viewport={"width": 820, "height": 1180})
    try:
        board = desk.new_page()
        sign_in(board, url, token)
        board.goto(f"{url}/competitions/{competition_id}")
        board.wait_for_selector("#board[data-live=open]")
        assert fits(board)
        number = unmarked_entrant(board)
        row = board.locator(f'#board-rows tr[data-key$=":{number}"]')
        board.evaluate("window.stayed = true")
        screenshot(board, "s01-board-before-marks")

        screen = wall.new_page()
        sign_in(screen, url, token)
        screen.goto(f"{url}/competitions/{competition_id}/screen?lang=en")
        screen.wait_for_selector("#board[data-live=open]")
        assert screen.locator("#screen-live").inner_text() == "Live"
        assert fits(screen)
        screen.evaluate("window.stayed = true")
        screenshot(screen, "s02-screen-before-marks")

        anonymous = public.new_page()
        anonymous.goto(f"{url}/competitions/{competition_id}")
        anonymous.wait_for_selector("#board[data-live=open]")
        assert fits(anonymous), "the board fits a tablet"
        assert anonymous.locator("#after-lock-note").is_visible()
        public_row = anonymous.locator(f'#board-rows tr[data-key$=":{number}"]')
        public_name = public_row.locator("td:nth-child(3)").inner_text()
        assert public_name.endswith("*"), "the public sees names masked"
        assert public_row.locator("td:nth-child(5)").inner_text() == "–"
        # theory is locked in the demo: its scores are public, practical's are not
        fields = anonymous.locator("#board thead th").evaluate_all(
            "ths => ths.map(th => th.dataset.field)"
        )
        theory = public_row.locator("td").nth(fields.index("components.theory"))
        practical = public_row.locator("td").nth(fields.index("components.practical"))
        assert theory.inner_text() != "–" and practical.inner_text() == "–"

        _, entrants = http(
            f"{url}/api/v1/competitions/{competition_id}/entrants?limit=200", token=token
        )
        worker = next(e["worker_id"] for e in entrants["items"] if e["entrant_number"] == number)
        marks = [
            {"worker_id": worker, "component": "practical", "judge": judge, "mark": mark}
            for judge, mark in zip(JUDGES, ("98", "99", "98.5"), strict=True)
        ]
        status, answer = http(
            f"{url}/api/v1/competitions/{competition_id}/marks",
            "POST",
            {"marks": marks},
            token=token,
        )
        assert status in (200, 201), answer

        total = row.locator("td:nth-child(5)")
        board.wait_for_function(
            "el => el.textContent.trim() !== '–'", arg=total.element_handle(), timeout=10_000
        )
        assert board.evaluate("window.stayed") is True, "updated without a reload"
        assert row.locator("td.changed").count() >= 1, "the changed cells are marked"
        screenshot(board, "s03-board-after-marks")

        screen_row = screen.locator(f'#board-rows tr[data-key$=":{number}"]')
        screen.wait_for_function(
            "el => el.textContent.trim() !== '–'",
            arg=screen_row.locator("td").nth(-2).element_handle(),
            timeout=10_000,
        )
        assert screen.evaluate("window.stayed") is True
        screenshot(screen, "s04-screen-after-marks")
        screen.wait_for_function(
            "el => Number(el.dataset.scrolled) > 40",
            arg=screen.locator("#main").element_handle(),
            timeout=10_000,
        )
        screenshot(screen, "s06-screen-scrolling")
        screen.goto(f"{url}/competitions/{competition_id}/screen?lang=zh")
        screen.wait_for_selector("#board[data-live=open]")
        assert screen.locator("#screen-live").inner_text() == "实时"
        screenshot(screen, "s07-screen-zh")

        anonymous.wait_for_timeout(1000)
        assert public_row.locator("td:nth-child(5)").inner_text() == "–", "not locked: no total"
        screenshot(anonymous, "s05-public-before-the-lock")
    finally:
        desk.close()
        wall.close()
        public.close()
