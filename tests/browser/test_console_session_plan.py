"""The demo's issuer officer plans an evaluation session in Chromium: the plan form (c10), a plan
the domain refuses with its rule beside the panel (c11), the plan recorded and shown on the
dashboard, the session's overview at tablet width (c12), its history (c13) and the overview in
English (c14)."""

from __future__ import annotations

import time

import pytest

from tests.browser.live_server import screenshot
from tests.browser.officer import officer_page

pytestmark = pytest.mark.browser


def test_the_officer_plans_a_session_and_opens_it(live_server, context):
    page = officer_page(live_server, context)
    page.click("#new-session")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/console/sessions/new")
    reference = f"EV-UI-{int(time.time())}"
    occupation = page.locator("#occupation_code option").nth(1)
    code = occupation.get_attribute("value")
    page.select_option("#occupation_code", code)
    group = page.locator(f"#level optgroup[label*='{code}'] option").first
    page.select_option("#level", group.get_attribute("value"))
    page.fill("#reference", reference)
    page.fill("#starts_on", "2025-09-08")
    page.fill("#ends_on", "2025-09-09")
    page.fill("#panel_practical", "张考评\n李考评")
    page.fill("#panel_review", "张考评\n李考评\n王考评")
    screenshot(page, "c10-session-plan-form")

    page.click("form.session-plan button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    error = page.locator("#panel_practical-error")
    assert "panel-size" in error.inner_text()
    assert page.locator("#panel_practical").get_attribute("aria-invalid") == "true"
    assert page.locator("#reference").input_value() == reference  # the form is kept
    screenshot(page, "c11-session-plan-refused")

    page.fill("#panel_practical", "张考评\n李考评\n王考评")
    page.click("form.session-plan button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "/console/sessions/" in page.url and "planned=1" in page.url
    overview = page.url.split("?")[0]
    assert reference in page.locator("h1").inner_text()

    page.goto(f"{live_server.url}/console")
    page.click(f"text={reference}")
    page.wait_for_load_state("domcontentloaded")
    assert page.url == overview
    page.set_viewport_size({"width": 820, "height": 1180})
    assert "张考评、李考评、王考评" in page.locator("main").inner_text()
    screenshot(page, "c12-session-overview-tablet")

    page.click(".session-tabs >> text=历史")
    page.wait_for_load_state("domcontentloaded")
    assert page.url == f"{overview}/history"
    assert "计划批次" in page.locator("#history").inner_text()
    screenshot(page, "c13-session-history")

    page.goto(f"{overview}?lang=en")
    assert "Publish the results" in page.locator("main").inner_text()
    screenshot(page, "c14-session-overview-english")
    page.goto(f"{overview}?lang=zh")
