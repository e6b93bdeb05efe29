"""The pages in Debian's Chromium against a live ``craftledger serve --demo``: verifying a valid,
a revoked and a mistyped certificate; the QR code's URL opened; a tampered credential file
rejected; a worker's ladder shared with an extraction code, opened elsewhere, then revoked; a
leaderboard updating live as a mark is recorded through the API; the language switch; a phone
screen with no horizontal scrolling; the verify form reached by keyboard alone; the audit
page's in-browser proof checker. Screenshots of each page are saved (see conftest)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
import segno

from domain.certificate import CertificateStatus
from domain.competition import Competition
from domain.organisation import Organisation
from service.config import Settings
from service.demo import demo_id_number
from service.ledger import Ledger
from tests.browser.live_server import LiveServer, http, screenshot, sign_in
from tests.factories.foreign import foreign_credential

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Holder:
    number: str
    name: str
    id_number: str
    worker_id: UUID


@dataclass(frozen=True)
class Demo:
    valid: Holder
    revoked: Holder
    union_id: UUID
    rider_competition: UUID
    riders: list[UUID]


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> Demo:
    """Facts of the demo data set, read from the server's own store (read only)."""
    ledger = Ledger(Settings(data_dir=live_server.data_dir))
    try:
        valid = revoked = None
        for serial in range(1, 241):
            region = "370211" if 81 <= serial <= 160 else "110105"
            id_number = demo_id_number(region, serial)
            worker = ledger.worker(ledger.worker_id_for(id_number))
            for number in sorted(worker.certificates):
                status = ledger.certificate(number).status
                holder = Holder(number, worker.name, id_number.reveal(), worker.id)
                if status is CertificateStatus.VALID and valid is None:
                    valid = holder
                if status is CertificateStatus.REVOKED and revoked is None:
                    revoked = holder
        assert valid and revoked
        union_id = Organisation.create_id(filing_code="11-FTU-0105")
        riders = [ledger.worker_id_for(demo_id_number("110105", s)) for s in (201, 202, 203)]
        return Demo(
            valid=valid,
            revoked=revoked,
            union_id=union_id,
            rider_competition=Competition.create_id(
                organiser_id=union_id, reference="2026-CY-RIDER"
            ),
            riders=riders,
        )
    finally:
        ledger.close()


def verify(page: Any, url: str, number: str, name: str, id_number: str) -> None:
    page.goto(f"{url}/verify")
    page.fill("#number", number)
    page.fill("#name", name)
    page.fill("#id_number", id_number)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_verify_a_valid_a_revoked_and_a_mistyped_certificate(live_server, demo, context):
    page = context.new_page()
    url = live_server.url
    screenshot_home = page.goto(url)
    assert screenshot_home is not None and screenshot_home.ok
    screenshot(page, "01-home")

    verify(page, url, demo.valid.number, demo.valid.name, demo.valid.id_number)
    assert page.locator("#result-heading .badge").inner_text() == "有效"
    assert demo.valid.id_number not in page.content()
    assert page.url.removeprefix(url) == "/verify", "nothing of the query in the URL"
    assert page.locator(".check-passed").count() >= 6
    assert "已收录于透明日志" in page.locator(".log-status").inner_text()
    screenshot(page, "02-verify-valid")

    verify(page, url, demo.revoked.number, demo.revoked.name, demo.revoked.id_number)
    assert page.locator("#result-heading .badge").inner_text() == "已撤销"
    screenshot(page, "03-verify-revoked")

    verify(page, url, demo.valid.number[:-1], demo.valid.name, demo.valid.id_number)
    error = page.locator("#number-error")
    assert "您输入了 21 位" in error.inner_text()
    assert page.get_attribute("#number", "aria-invalid") == "true"
    assert page.input_value("#id_number") == ""
    screenshot(page, "04-verify-mistyped")


def test_the_qr_code_opens_the_certificate_page(live_server, demo, context):
    page = context.new_page()
    number = demo.valid.number
    svg = page.request.get(f"{live_server.url}/c/{number}/qr.svg").body()
    encoded = re.search(rb"<title>([^<]+)</title>", svg)
    assert encoded, "segno writes the encoded URL as the SVG title"
    target = encoded.group(1).decode()
    again = io.BytesIO()
    segno.make(target, error="m", micro=False).save(
        again, kind="svg", scale=6, border=2, title=target
    )
    assert again.getvalue() == svg, "the matrix encodes exactly that URL"
    assert target == f"{live_server.url}/c/{number}"
    page.goto(target)
    assert page.locator("h1").inner_text() == "职业技能等级证书"
    assert page.locator(".number").inner_text() == number
    assert demo.valid.name not in page.content()
    screenshot(page, "05-certificate")
    page.goto(f"{target}/print")
    screenshot(page, "06-certificate-print")


def test_the_print_view_fits_one_a4_page(live_server, demo, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/c/{demo.valid.number}/print")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the print view spans {pages} A4 pages"


def test_a_dropped_credential_verifies_and_a_tampered_one_is_rejected(live_server, demo, context):
    page = context.new_page()
    number = demo.valid.number
    page.goto(f"{live_server.url}/c/{number}")
    original = page.request.get(f"{live_server.url}/c/{number}/credential.json").body()
    page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.items.add(new File([text], "credential.json", {type: "application/json"}));
            const zone = document.getElementById("drop-zone");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        original.decode(),
    )
    page.wait_for_selector("#file-result[data-verified=true]")
    assert "校验通过" in page.locator("#file-result .verdict").inner_text()

    tampered = json.loads(original)
    tampered["credentialSubject"]["achievement"]["name"] = "一级/高级技师"
    page.set_input_files(
        "#credential-file",
        files=[
            {
                "name": "tampered.json",
                "mimeType": "application/json",
                "buffer": json.dumps(tampered, ensure_ascii=False).encode(),
            }
        ],
    )
    page.wait_for_selector("#file-result[data-verified=false]")
    assert "校验未通过" in page.locator("#file-result .verdict").inner_text()
    assert page.locator("#file-result .check-failed").count() >= 1
    screenshot(page, "07-credential-tampered")


def test_a_foreign_credential_dropped_on_verify_is_valid_but_not_filed_here(live_server, context):
    signed = foreign_credential()
    page = context.new_page()
    page.goto(f"{live_server.url}/verify")
    page.set_input_files(
        "#credential-file",
        files=[
            {
                "name": "foreign.json",
                "mimeType": "application/json",
                "buffer": json.dumps(signed).encode(),
            }
        ],
    )
    page.wait_for_selector("#file-result[data-verified=true]")
    verdict = page.locator("#file-result .verdict")
    assert "verdict-foreign" in (verdict.get_attribute("class") or "")
    assert "签发机构未在本账本备案" in verdict.inner_text()
    screenshot(page, "07b-credential-foreign")


def test_a_worker_shares_the_ladder_with_a_code_then_revokes_it(
    live_server, demo, browser, context
):
    token = live_server.token("worker", worker=demo.valid.worker_id)
    owner = context.new_page()
    sign_in(owner, live_server.url, token)
    assert owner.url.endswith("/me")
    assert demo.valid.number in owner.content()
    assert owner.locator("svg.career").count() == 1
    screenshot(owner, "08-worker")
    owner.select_option("#days", "7")
    owner.fill("#code", "Qm7x")
    owner.click("text=生成分享链接")
    share_url = owner.locator("a.share-url").inner_text()
    assert owner.locator(".share-code").inner_text() == "Qm7x"

    stranger_context = browser.new_context(locale="zh-CN")
    stranger_context.set_default_timeout(15_000)
    try:
        stranger = stranger_context.new_page()
        stranger.goto(share_url)
        assert stranger.locator("h1").inner_text() == "请输入提取码"
        stranger.fill("#code", "qm7x")
        stranger.click("button.primary[type=submit]")
        stranger.wait_for_selector("#ladder-heading")
        assert demo.valid.number in stranger.content()
        assert demo.valid.id_number not in stranger.content()
        screenshot(stranger, "09-share-link")

        owner.goto(f"{live_server.url}/me")
        owner.click("table.share-links button.danger")
        owner.wait_for_load_state("domcontentloaded")
        assert "已撤销" in owner.locator("table.share-links").inner_text()

        refused = stranger.goto(share_url)
        assert refused is not None and refused.status == 410
        assert "已被持有人撤销" in stranger.locator("h1").inner_text()
    finally:
        stranger_context.close()


def test_the_leaderboard_updates_live_when_a_mark_is_recorded(live_server, demo, context):
    token = live_server.token("organiser", org=demo.union_id)
    competition = demo.rider_competition
    base = f"{live_server.url}/api/v1/competitions/{competition}"
    status, body = http(
        f"{base}/entrants",
        "POST",
        {
            "entrants": [
                {"worker_id": str(rider), "entrant_kind": "student", "employer_name": "培训学校"}
                for rider in demo.riders
            ]
        },
        token,
    )
    assert status == 201, body
    page = context.new_page()
    sign_in(page, live_server.url, token)
    page.goto(f"{live_server.url}/competitions/{competition}")
    assert page.locator("#live-note").count() == 1
    rows = page.locator("#board-rows tr")
    assert rows.count() == 3
    assert rows.nth(0).locator("td").nth(4).inner_text() == "–"

    marks = [
        {"worker_id": str(demo.riders[1]), "component": c, "judge": j, "mark": m}
        for c, m in (("theory", "88"), ("practical", "92"))
        for j in ("裁判甲", "裁判乙", "裁判丙")
    ]
    status, body = http(f"{base}/marks", "POST", {"marks": marks}, token)
    assert status == 200, body
    first = page.locator("#board-rows tr").nth(0).locator("td")
    page.wait_for_function(
        "() => document.querySelector('#board-rows tr td:nth-child(2)').textContent === '2'"
        " && document.querySelector('#board-rows tr td:nth-child(1)').textContent === '1'",
        timeout=15_000,
    )
    assert first.nth(4).inner_text() != "–"
    assert "已更新" in page.locator("#board-updated").inner_text()
    screenshot(page, "10-competition-live")


def test_the_language_switch(live_server, context):
    page = context.new_page()
    page.goto(f"{live_server.url}/statistics")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("svg.bars").count() == 4
    screenshot(page, "11-statistics")
    page.click("a.lang-switch")
    page.wait_for_load_state("domcontentloaded")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Skill talent statistics"
    page.goto(f"{live_server.url}/verify")
    assert page.locator("label[for=number]").inner_text() == "Certificate number"
    screenshot(page, "12-verify-english")


def test_a_phone_screen_has_no_horizontal_scrolling(live_server, demo, browser):
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone.set_default_timeout(15_000)
    try:
        page = phone.new_page()
        for name, path in (
            ("home", "/"),
            ("certificate", f"/c/{demo.valid.number}"),
            ("statistics", "/statistics"),
            ("competitions", "/competitions"),
        ):
            page.goto(live_server.url + path)
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"
            screenshot(page, f"13-phone-{name}")
        verify(page, live_server.url, demo.valid.number, demo.valid.name, demo.valid.id_number)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        screenshot(page, "14-phone-verify-result")
    finally:
        phone.close()


def test_the_verify_form_is_reached_and_sent_by_keyboard_alone(live_server, demo, context):
    page = context.new_page()
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "number":
            break
    else:
        pytest.fail("Tab never reached the certificate number field")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "a visible focus style"
    page.keyboard.type(demo.valid.number)
    page.keyboard.press("Tab")
    page.keyboard.type(demo.valid.name)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type(demo.valid.id_number)
    page.keyboard.press("Enter")
    page.wait_for_selector("#result-heading .badge")
    assert page.locator("#result-heading .badge").inner_text() == "有效"


def test_the_audit_proof_checker_runs_in_the_browser(live_server, demo, context):
    token = live_server.token("auditor")
    page = context.new_page()
    sign_in(page, live_server.url, token)
    page.goto(f"{live_server.url}/audit?aggregate={demo.revoked.number}")
    assert page.locator("li.event").count() == 2
    assert "考评记录造假" in page.locator(".timeline").inner_text()
    page.locator("button.load-proof").first.click()
    page.wait_for_function("() => document.getElementById('proof').value.includes('audit_path')")
    page.click("#check-in-browser")
    page.wait_for_selector("#proof-result[data-verified=true]")
    screenshot(page, "15-audit")
    proof = json.loads(page.input_value("#proof"))
    proof["leaf_index"] = proof["leaf_index"] + 1
    page.fill("#proof", json.dumps(proof))
    page.click("#check-in-browser")
    page.wait_for_selector("#proof-result[data-verified=false]")
