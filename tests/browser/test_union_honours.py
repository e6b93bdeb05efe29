"""The union's honour ladders in Chromium against a live ``craftledger serve --demo``: the demo's
union official (朝阳区总工会 孙干事, ``union@demo.example``) defines a ladder that awards tier
by tier (逐级评选), awards a demo worker its titles in order across the years (the worker found
by the ID number typed in, shown masked) and is refused a tier skip beside the field, with
nothing recorded. Screenshots c50..c54, one at 820 px tablet width, one in English."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest

from service.config import Settings
from service.demo import demo_id_number
from service.ledger import Ledger
from tests.browser.live_server import fits, screenshot
from tests.browser.officer import demo_page

pytestmark = pytest.mark.browser

UNION_OFFICIAL = "union@demo.example"
LADDER = "朝阳区技能荣誉（逐级评选）"
TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]
TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1280, "height": 900}


def award(page: Any, number: str, tier: str, year: int) -> None:
    page.fill("#id_number", number)
    page.select_option("#tier", tier)
    page.fill("#year", str(year))
    page.click("#award-form button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_the_union_official_defines_a_ladder_and_awards_tier_by_tier(live_server, context):
    url = live_server.url
    number = demo_id_number("110105", 3)
    ledger = Ledger(Settings(data_dir=live_server.data_dir))
    try:
        worker = ledger.worker(ledger.worker_id_for(number))
        name, masked = worker.name, worker.masked_id_number
    finally:
        ledger.close()

    page = demo_page(live_server, context, UNION_OFFICIAL)
    page.click("nav.console-nav >> text=荣誉阶梯")
    assert page.url == f"{url}/console/honours"

    # -- define a ladder with the tier rule ----------------------------------------------------
    page.fill("#name", LADDER)
    page.fill("#tiers", "\n".join(TIERS))
    page.check("#requires_tier_below")
    page.fill("#min_years_between", "1")
    screenshot(page, "c50-union-honours-define")
    page.click("#define-form button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert re.search(r"/console/honours/[0-9a-f-]{36}\?defined=1$", page.url), page.url
    ladder_path = page.url.split("?")[0]
    assert "逐级评选：须已持有下一级称号，至少间隔 1 年" in page.locator("#tier-rule").inner_text()

    # -- titles in order, a year apart -----------------------------------------------------------
    award(page, number.reveal(), "朝阳能手", 2024)
    assert "称号已授予" in page.locator("#awarded").inner_text()
    award(page, number.reveal(), "朝阳匠心达人", 2025)
    awards = page.locator("table.honour-awards tbody")
    assert awards.locator("tr").count() == 2
    text = awards.inner_text()
    assert name in text and masked in text and number.reveal() not in page.content()
    assert "朝阳能手" in text and "朝阳匠心达人" in text
    screenshot(page, "c51-union-honours-awarded-in-order")

    # -- a skip is refused beside the field, nothing recorded --------------------------------------
    award(page, number.reveal(), "朝阳大师", 2026)
    error = page.locator("#tier-error").inner_text()
    assert "朝阳工匠" in error and "2025" in error, error
    assert page.locator("#tier").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_number").input_value() == ""  # the number is never sent back
    assert page.locator("table.honour-awards tbody tr").count() == 2
    page.set_viewport_size(TABLET)
    page.locator("#award-heading").scroll_into_view_if_needed()
    screenshot(page, "c52-union-honours-skip-refused-tablet")
    assert fits(page)
    page.set_viewport_size(LAPTOP)

    # -- the next tier in the next year is accepted ---------------------------------------------
    award(page, number.reveal(), "朝阳工匠", 2026)
    assert page.locator("table.honour-awards tbody tr").count() == 3

    # -- the list, and the ladder in English -------------------------------------------------
    page.goto(f"{url}/console/honours")
    row = page.locator("table.honour-ladders tbody tr", has_text=LADDER)
    assert "逐级评选" in row.inner_text()
    screenshot(page, "c53-union-honours-list")
    page.goto(f"{ladder_path}?lang=en")
    assert "Tier by tier: the tier below awarded at least 1 year(s) earlier" in page.content()
    assert "Award a title" in page.content()
    screenshot(page, "c54-union-honours-ladder-english")
    page.goto(f"{url}/console?lang=zh")

    ledger = Ledger(Settings(data_dir=live_server.data_dir))
    try:
        ladder = ledger.honour_ladder(UUID(ladder_path.rsplit("/", 1)[1]))
        assert ladder.requires_tier_below and ladder.min_years_between == 1
        assert sorted((a["tier"], a["year"]) for a in ladder.awards.values()) == [
            ("朝阳匠心达人", 2025),
            ("朝阳工匠", 2026),
            ("朝阳能手", 2024),
        ]
    finally:
        ledger.close()
