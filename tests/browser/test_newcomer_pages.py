"""What a newcomer trips over, in Chromium against a live ``craftledger serve --demo``: ``/docs``
rendering Swagger UI from our own assets (the browser reaches nothing else) and running an
operation; error pages with their status; the favicon; the audit page's readable times; one set
of level names; occupations named on the competition pages; the statistics legend; English
labels with a space after the colon. Data is discovered through the API and the pages, never
assumed from the demo's numbers. Screenshots go where the conftest says."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.live_server import SCREENSHOTS, LiveServer, http, screenshot

pytestmark = pytest.mark.browser


def watch(page: Any, origin: str) -> dict[str, list[str]]:
    """Record every request that leaves ``origin`` (and abort it) and every console error, so
    a test can assert the page needed nothing from elsewhere and broke no CSP rule."""
    seen: dict[str, list[str]] = {"foreign": [], "errors": []}

    def route(route: Any) -> None:
        url = route.request.url
        if urlparse(url).netloc == urlparse(origin).netloc or url.startswith("data:"):
            route.continue_()
        else:
            seen["foreign"].append(url)
            route.abort()

    page.route("**/*", route)
    page.on(
        "console", lambda message: message.type == "error" and seen["errors"].append(message.text)
    )
    return seen


def any_certificate_number(live_server: LiveServer) -> str:
    status, body = http(
        f"{live_server.url}/api/v1/certificates?limit=1", token=live_server.token("admin")
    )
    assert status == 200 and body["items"], body
    return str(body["items"][0]["number"])


def viewport_screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def element_screenshot(locator: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def no_sideways_scrolling(page: Any) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def test_docs_renders_swagger_ui_offline_and_runs_an_operation(live_server, context):
    page = context.new_page()
    seen = watch(page, live_server.url)
    number = any_certificate_number(live_server)
    page.goto(f"{live_server.url}/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("craftledger")
    assert page.locator(".swagger-ui .opblock").count() >= 30, "every operation is listed"
    viewport_screenshot(page, "n01-docs")

    path = page.locator("[data-path='/api/v1/certificates/{number}']")
    operation = page.locator(".opblock-get", has=path)
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator("input[placeholder=number]").fill(number)
    operation.locator(".execute").click()
    response = operation.locator(".live-responses-table tr.response .response-col_status").first
    response.wait_for()
    assert response.inner_text().strip() == "200"
    assert number in operation.locator(".live-responses-table .microlight").first.inner_text()
    element_screenshot(operation, "n02-docs-operation")
    assert seen["foreign"] == [], "the page asked for something outside this server"
    assert [e for e in seen["errors"] if "Content Security Policy" in e] == []


@pytest.mark.parametrize(
    ("path", "status", "heading", "name"),
    [
        ("/no-such-page", 404, "没有找到您要的页面或记录。", "n03-error-404"),
        ("/no-such-page?lang=en", 404, "The page or record was not found.", "n04-error-404-en"),
        ("/signout", 405, "此网址不能这样打开。", "n05-error-405"),
    ],
)
def test_an_error_page_shows_its_status_and_what_to_do(
    live_server, context, path, status, heading, name
):
    page = context.new_page()
    answer = page.goto(live_server.url + path)
    assert answer is not None and answer.status == status
    assert page.locator("h1").inner_text() == heading
    assert page.locator(".status-code strong").inner_text() == str(status)
    assert page.locator(".hint-next").inner_text().strip()
    page.click("text=" + ("Back to the home page" if "lang=en" in path else "返回首页"))
    assert page.url.rstrip("/") == live_server.url
    page.go_back()
    screenshot(page, name)


def test_every_page_links_an_icon_that_loads(live_server, context):
    page = context.new_page()  # not watched: Chromium's icon fetch bypasses request routing
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/statistics")
    icons = page.eval_on_selector_all("link[rel=icon]", "links => links.map(l => l.href)")
    assert f"{live_server.url}/favicon.ico" in icons
    for icon in icons:
        answer = page.request.get(icon)
        assert answer.ok and answer.headers["content-type"].startswith("image/"), icon
    loaded = page.evaluate(
        """(url) => new Promise(done => {
            const image = new Image();
            image.onload = () => done(image.naturalWidth);
            image.onerror = () => done(0);
            image.src = url;
        })""",
        f"{live_server.url}/favicon.ico",
    )
    assert loaded >= 16, "Chromium decodes the icon"
    assert errors == []


def sign_in(page: Any, url: str, token: str) -> None:
    page.goto(f"{url}/signin/token")
    page.fill("#token", token)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_the_audit_page_shows_the_tree_head_time_in_utc_and_china_time(live_server, context):
    page = context.new_page()
    sign_in(page, live_server.url, live_server.token("auditor"))
    page.goto(f"{live_server.url}/audit")
    head = json.loads(page.locator("#head-heading ~ details pre").text_content() or "")
    text = page.locator("#tree-head-time").inner_text()
    assert str(head["timestamp"]) not in text, "no raw milliseconds"
    shown = re.fullmatch(
        r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC（北京时间 (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)）", text
    )
    assert shown, text
    signed = datetime.fromtimestamp(head["timestamp"] / 1000, UTC)
    assert shown.group(1) == f"{signed:%Y-%m-%d %H:%M:%S}"
    assert shown.group(2) == f"{signed + timedelta(hours=8):%Y-%m-%d %H:%M:%S}"
    instant = page.locator("#tree-head-time time").get_attribute("datetime")
    assert page.evaluate("(iso) => new Date(iso).getTime()", instant) == head["timestamp"]
    first = page.request.get(
        f"{live_server.url}/api/v1/audit/events?limit=1",
        headers={"Authorization": f"Bearer {live_server.token('auditor')}"},
    ).json()["items"][0]
    page.fill("#aggregate", first["aggregate_id"])
    page.click("text=查看历史")
    page.wait_for_selector("li.event")
    assert "北京时间" in page.locator("li.event .event-head").first.inner_text()
    screenshot(page, "n06-audit")
    page.click("a.lang-switch")
    page.wait_for_load_state("domcontentloaded")
    assert "(China time " in page.locator("#tree-head-time").inner_text()
    assert page.locator(".who").inner_text().startswith("Signed in: ")
    screenshot(page, "n07-audit-english")


def test_a_certificate_names_its_level_as_the_api_and_the_credential_do(live_server, context):
    number = any_certificate_number(live_server)
    page = context.new_page()
    summary = page.request.get(f"{live_server.url}/api/v1/certificates/{number}").json()
    credential = page.request.get(f"{live_server.url}/api/v1/certificates/{number}/credential")
    stated = credential.json()["credentialSubject"]["achievement"]["level"]
    assert summary["level_name"] == stated["nameZh"]

    def fact(name: str) -> str:
        return str(page.locator(f"dt:text-is('{name}') + dd").inner_text())

    page.goto(f"{live_server.url}/c/{number}?lang=zh")
    assert fact("等级") == stated["nameZh"]
    assert fact("职业（工种）") == f"{summary['occupation_name']}（{summary['occupation_code']}）"
    screenshot(page, "n08-certificate")
    page.goto(f"{live_server.url}/c/{number}?lang=en")
    assert fact("Level") == stated["nameEn"]
    assert fact("Occupation") == f"{summary['occupation_name']} ({summary['occupation_code']})"
    screenshot(page, "n09-certificate-english")


def test_competitions_show_occupation_names_and_the_level_examined(live_server, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/competitions?lang=zh")
    rows = page.locator("table.data tbody tr")
    assert rows.count() >= 1
    for index in range(rows.count()):
        occupation = rows.nth(index).locator("td").nth(1).inner_text()
        assert re.fullmatch(r"\S+（\d-\d\d-\d\d-\d\d(-\d\d)?）", occupation), occupation
    screenshot(page, "n10-competitions")
    name = rows.first.locator("td a").inner_text()
    occupation = rows.first.locator("td").nth(1).inner_text()
    rows.first.locator("td a").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == name
    assert page.locator("dt:text-is('职业（工种）') + dd").inner_text() == occupation
    level = page.locator("dt:text-is('考核等级') + dd").inner_text()
    assert re.fullmatch(r"[一二三四五]级/\S+", level), level
    screenshot(page, "n11-competition")
    page.click("a.lang-switch")
    page.wait_for_load_state("domcontentloaded")
    english = page.locator("dt:text-is('Occupation') + dd").inner_text()
    assert english == occupation.replace("（", " (").replace("）", ")")
    assert re.fullmatch(
        r"Level \d / .+", page.locator("dt:text-is('Level examined') + dd").inner_text()
    )
    screenshot(page, "n12-competition-english")


def test_the_statistics_legend_explains_the_bars_in_words(live_server, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/statistics?lang=zh")
    legend = page.locator(".legend-box")
    assert legend.is_visible()
    items = legend.locator("li")
    assert items.count() == 3
    assert "技能人才人数" in items.nth(0).inner_text()
    assert "高技能人才" in items.nth(1).inner_text() and "三级/高级工" in items.nth(1).inner_text()
    assert page.get_attribute(".legend", "aria-labelledby") == "bars-legend"
    light = legend.locator("svg.swatch rect").nth(0).get_attribute("fill")
    dark = legend.locator("svg.swatch rect").nth(1).get_attribute("fill")
    bars = page.locator("svg.chart.bars").first
    assert bars.locator(f"rect[fill='{light}']").count() >= 1, "the light sample is the bars'"
    assert page.locator(f"svg.chart.bars rect[fill='{dark}']").count() >= 1
    screenshot(page, "n13-statistics-legend")
    page.goto(f"{live_server.url}/statistics?lang=en")
    assert "Whole bar (light): skill talents" in page.locator(".legend-box").inner_text()
    screenshot(page, "n14-statistics-legend-english")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_changed_pages_fit_a_tablet_and_take_the_keyboard(live_server, browser, language):
    tablet = browser.new_context(
        viewport={"width": 768, "height": 1024},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN" if language == "zh" else "en-GB",
    )
    tablet.set_default_timeout(15_000)
    try:
        page = tablet.new_page()
        number = any_certificate_number(live_server)
        for name, path in (
            ("docs", "/docs"),
            ("statistics", "/statistics"),
            ("competitions", "/competitions"),
            ("certificate", f"/c/{number}"),
            ("error", "/no-such-page"),
        ):
            page.goto(f"{live_server.url}{path}?lang={language}")
            if name == "docs":
                page.wait_for_selector(".swagger-ui .opblock")
            no_sideways_scrolling(page)
            # /docs is thousands of pixels long: its first screen is what a newcomer sees
            shot = viewport_screenshot if name == "docs" else screenshot
            shot(page, f"n15-tablet-{language}-{name}")
        page.goto(f"{live_server.url}/docs?lang={language}")
        page.wait_for_selector(".swagger-ui .opblock")
        summary = page.locator(".opblock-summary-control").first
        summary.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".opblock.is-open")
    finally:
        tablet.close()
