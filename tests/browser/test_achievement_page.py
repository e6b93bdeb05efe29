"""``achievement.id`` opened in Chromium: the page a person reaches from a certificate's
credential shows the occupation, the level and its criteria, in Chinese and in English, under
the pages' CSP (no console error, nothing fetched from elsewhere). Screenshots:
``achievement-zh.png``, ``achievement-en.png``."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.live_server import LiveServer, http, screenshot
from tests.browser.test_newcomer_pages import any_certificate_number, watch

pytestmark = pytest.mark.browser


def test_the_achievement_of_a_served_credential_opens_as_a_page_with_its_criteria(
    live_server: LiveServer, context
):
    number = any_certificate_number(live_server)
    status, credential = http(
        f"{live_server.url}/api/v1/certificates/{number}/credential?disclosure=public"
    )
    assert status == 200, credential
    achievement = credential["credentialSubject"]["achievement"]
    path = urlparse(achievement["id"]).path
    assert path.startswith("/achievements/")

    page = context.new_page()
    seen = watch(page, live_server.url)
    page.goto(live_server.url + path)
    heading = page.locator("h1#achievement-heading")
    assert achievement["occupation"]["name"] in heading.inner_text()
    assert achievement["level"]["nameZh"] in heading.inner_text()
    assessment = page.locator("#assessment li").all_inner_texts()
    assert assessment and all("60 分及以上" in item for item in assessment)
    assert any("理论知识" in item for item in assessment)
    assert page.locator("#routes li").count() >= 1
    assert page.locator("#narrative").inner_text() == achievement["criteria"]["narrative"]
    screenshot(page, "achievement-zh")

    page.click("a.lang-switch")
    page.wait_for_selector('html[lang="en"]')
    assert "Who may apply" in page.locator("#routes-heading").inner_text()
    assert achievement["level"]["nameEn"] in page.locator("h1#achievement-heading").inner_text()
    assert all(
        "at least 60 of 100" in item for item in page.locator("#assessment li").all_inner_texts()
    )
    screenshot(page, "achievement-en")
    assert seen == {"foreign": [], "errors": []}
