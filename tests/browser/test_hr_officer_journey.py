"""An HR officer of 北京链家 runs a whole self-evaluation session (企业自主评价) in Chromium,
with no token and no curl.

Sign in with a password and a TOTP code; import the roster (花名册) from XLSX; plan the session;
import the candidates from XLSX; enter the panel's marks with the keyboard; publish the 公示. An
anonymous visitor objects on the public 公示 page; the officer resolves the objection. The clock
passes the window (the server's clock is the test's: ``clocked_server``); the officer confirms
and watches the job, downloads a certificate PDF whose signature ``pdfsig`` verifies and whose
attached credential ``craftledger vc verify`` verifies, exports the session to Excel (opened
with openpyxl), downloads the session's ZIP, reports (上报) to the HR bureau and reads the
history. Screenshots j01-j16 in ``var/browser-screenshots``."""

from __future__ import annotations

import io
import json
import re
import subprocess
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import openpyxl
import pyotp
import pytest
from click.testing import CliRunner

from service.cli import main
from service.demo.access import DEMO_PASSWORD
from service.demo.cast import ESTATE_AGENT
from tests.browser.clocked_server import ClockedServer, clocked_demo_server
from tests.browser.live_server import ACTION_TIMEOUT_MS, SCREENSHOTS, saved, screenshot
from tests.evaluation.test_import import xlsx_bytes
from tests.factories import id_number

pytestmark = pytest.mark.browser

OFFICER = "officer@demo.example"
TABLET = {"width": 820, "height": 1180}
STAFF_HEADER = ["身份证号", "证件类型", "姓名", "用工关系", "入职日期"]
CANDIDATE_HEADER = ["身份证号", "姓名", "申报条件", "从业起始日期"]
PEOPLE = {"周旅一": 9701, "吴旅二": 9702, "郑旅三": 9703}
PANEL = ["考评员甲", "考评员乙", "考评员丙"]
# theory, then the practical panel's three marks: 郑旅三 fails the practical (mean < 60)
MARKS = {"周旅一": ["88", "80", "82", "79"], "吴旅二": ["75", "70", "72", "74"]}
MARKS["郑旅三"] = ["66", "50", "55", "58"]


@pytest.fixture(scope="module")
def clocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockedServer]:
    with clocked_demo_server(tmp_path_factory.mktemp("journey-data")) as server:
        yield server


def numbers() -> dict[str, Any]:
    return {name: id_number(serial, region="110108") for name, serial in PEOPLE.items()}


def totp_code(server: ClockedServer, secret: str) -> str:
    """A code for the server's clock (which the test moves), one not used before."""
    return pyotp.TOTP(secret).at(server.ledger.clock())


def officer_signs_in(server: ClockedServer, page: Any) -> None:
    """Sign in with the password, enrolling the TOTP app (the secret read off the page)."""
    page.goto(f"{server.url}/signin")
    page.fill("#login", OFFICER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.url == f"{server.url}/console/second-factor"
    page.click("form >> text=开始设置")
    page.wait_for_load_state("domcontentloaded")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#code", totp_code(server, secret))
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.startswith(f"{server.url}/console"), page.url


def upload(page: Any, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state("domcontentloaded")


def type_cells(page: Any, values: list[str]) -> None:
    for value in values:
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Tab")


def test_an_hr_officer_runs_a_session_from_roster_to_signed_pdf(
    clocked: ClockedServer, browser: Any, tmp_path: Path
):
    url, people = clocked.url, numbers()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    try:
        officer_signs_in(clocked, page)
        assert "北京链家" in page.locator("main").inner_text()
        screenshot(page, "j01-dashboard")

        # 1. the roster from XLSX: previewed (nothing recorded), then recorded
        page.get_by_role("link", name="在职人员").first.click()
        page.wait_for_load_state("domcontentloaded")
        roster = [STAFF_HEADER]
        roster += [
            [n.reveal(), None, name, "本单位职工", "2012-03-01"] for name, n in people.items()
        ]
        upload(page, tmp_path / "花名册.xlsx", xlsx_bytes(roster))
        assert "每一行都检查无误" in page.locator("main").inner_text()
        screenshot(page, "j02-roster-preview")
        page.get_by_role("button", name="记录这 3 人").click()
        page.wait_for_load_state("domcontentloaded")
        assert "已导入花名册：3 人" in page.locator("#import-recorded").inner_text()

        # 2. the plan: occupation from the catalogue, level within the filing scope
        page.goto(f"{url}/console")
        page.click("#new-session")
        page.wait_for_load_state("domcontentloaded")
        today = clocked.ledger.china_today()
        reference = f"LJ-JOURNEY-{int(time.time()) % 100000}"
        page.fill("#reference", reference)
        page.select_option("#occupation_code", ESTATE_AGENT)
        level = page.locator(f"#level optgroup[label*='{ESTATE_AGENT}'] option[value='4']")
        page.select_option("#level", element=level.element_handle())
        page.fill("#starts_on", today.isoformat())
        page.fill("#ends_on", today.isoformat())
        page.fill("#panel_practical", "\n".join(PANEL))
        screenshot(page, "j03-plan")
        page.click("form.session-plan button.primary[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert reference in page.locator("h1").inner_text(), page.locator("main").inner_text()
        overview = page.url.split("?")[0]
        session_id = overview.rsplit("/", 1)[1]

        # 3. the candidates from XLSX, on the 4-years route
        page.click(".session-tabs >> text=考生")
        page.wait_for_load_state("domcontentloaded")
        rows = [CANDIDATE_HEADER]
        rows += [[n.reveal(), name, "4-years", "2012-03-01"] for name, n in people.items()]
        upload(page, tmp_path / "考生.xlsx", xlsx_bytes(rows))
        assert "每一行都检查无误" in page.locator("main").inner_text()
        page.get_by_role("button", name="记录这 3 人").click()
        page.wait_for_load_state("domcontentloaded")
        listed = page.locator("table.candidate-list").inner_text()
        assert all(name in listed and n.masked in listed for name, n in people.items())
        screenshot(page, "j04-candidates")

        # 4. the marks: theory, then each examiner of the practical panel, by keyboard
        page.click(".session-tabs >> text=成绩")
        page.wait_for_load_state("domcontentloaded")
        page.set_viewport_size(TABLET)
        page.focus("#examiner-theory")
        page.keyboard.type("理论考评员周")
        page.keyboard.press("Tab")
        row_of = [page.locator(f"#m-{i}-theory-0").locator("xpath=ancestor::tr") for i in (1, 2, 3)]
        in_rows = [next(n for n in MARKS if n in row.inner_text()) for row in row_of]
        type_cells(page, [MARKS[name][0] for name in in_rows])
        for name in in_rows:
            type_cells(page, MARKS[name][1:])
        page.get_by_role("button", name="保存成绩").click()
        page.wait_for_load_state("domcontentloaded")
        assert "全部科目已评完" in page.locator(".score-progress").inner_text()
        screenshot(page, "j05-scores-tablet")
        page.set_viewport_size({"width": 1280, "height": 900})

        # 5. publish: the 公示 window counted on the working-day calendar
        page.goto(overview)
        page.fill("#publish_days", "5")
        page.get_by_role("button", name="开始公示").click()
        page.wait_for_load_state("domcontentloaded")
        window_ends = page.locator("#window-ends").inner_text()
        calendar = page.locator("dt:text-is('工作日历') + dd").inner_text()
        assert calendar.startswith("2026 年节假日安排"), "named in Chinese, with its source"
        screenshot(page, "j06-published")

        # 6. an anonymous visitor objects on the public 公示 page
        visitor = browser.new_context(locale="zh-CN")
        try:
            public = visitor.new_page()
            public.goto(url)  # the home page's short list reads without waiting: go to them all
            public.click("text=全部公示与异议")
            public.wait_for_load_state("domcontentloaded")
            public.locator(f"a[href$='/gongshi/{session_id}']").first.click()
            public.wait_for_load_state("domcontentloaded")
            table = public.locator("table.gongshi-candidates").inner_text()
            assert "周*" in table and "周旅一" not in table
            assert not any(n.masked in public.content() for n in people.values())
            public.select_option("#candidate", index=1)
            public.fill("#contact", "13800138000")
            public.fill("#grounds", "该考生的实操考试疑似由他人代考。")
            screenshot(public, "j07-public-objection")
            public.click("form.objection-form button[type=submit]")
            public.wait_for_load_state("domcontentloaded")
            assert public.locator("h1").inner_text() == "异议已提交"
        finally:
            visitor.close()

        # 7. the officer resolves it, with a reason kept on record
        page.goto(f"{url}/console/objections")
        item = page.locator(f"article[id^='objection-{session_id}-'] form.resolve-form")
        item.locator("input[value=dismissed]").check()
        item.locator("textarea").fill("经核查考场录像，考生本人参加考试，异议不成立。")
        screenshot(page, "j08-objection-resolving")
        item.get_by_role("button").click()
        page.wait_for_load_state("domcontentloaded")
        assert "resolved=" in page.url

        # 8. past the window: confirm, and watch the job
        page.goto(overview)
        refused = page.locator("#confirm")
        refused.click()
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#confirm-error").is_visible(), "not before the window ends"
        days = (clocked.ledger.china_today() - today).days
        clocked.clock.advance(days + 12)
        assert clocked.ledger.china_today().isoformat() > window_ends
        page.goto(overview)
        page.click("#confirm")
        page.wait_for_load_state("domcontentloaded")
        assert "/confirm/" in page.url
        screenshot(page, "j09-confirm-progress")
        page.locator("#job-done").wait_for(timeout=60_000)
        assert "已颁发 2 本证书" in page.locator("#job-done").inner_text()
        screenshot(page, "j10-confirmed")

        # 9. a certificate as a signed PDF: pdfsig and vc verify, independently
        page.goto(overview)
        assert page.locator("#issued-count").inner_text() == "2 本"
        screenshot(page, "j11-certificates")
        link = page.locator("#certificates a[download]", has_text="下载 PDF").first
        with page.expect_download() as got:
            link.click()
        pdf = saved(got.value, tmp_path)
        signature = subprocess.run(["pdfsig", pdf], capture_output=True, text=True).stdout
        assert "Signature Validation: Signature is Valid." in signature, signature
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        assert "房地产经纪" in text and pdf.stem in text
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-singlefile",
                pdf,
                SCREENSHOTS / "j12-certificate-pdf",
            ],
            check=True,
        )
        subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(pdf)], check=True)
        credential = tmp_path / "credential.json"
        assert json.loads(credential.read_bytes())["credentialSubject"]["licenseNumber"] == pdf.stem
        verified = verify_offline(clocked, page, credential, tmp_path)
        assert verified["verified"] is True, verified

        # 10. the session's Excel workbook and its ZIP of PDFs
        with page.expect_download() as got:
            page.locator("a[download]", has_text="下载 Excel 工作簿").click()
        workbook = openpyxl.load_workbook(saved(got.value, tmp_path))
        cells = [str(c) for sheet in workbook for row in sheet.values for c in row if c]
        assert pdf.stem in cells and "周旅一" in cells
        assert not any(n.reveal() in cells for n in people.values())
        page.click("#archive")
        page.wait_for_load_state("domcontentloaded")
        page.locator("#archive-download").wait_for(timeout=60_000)
        screenshot(page, "j16-certificate-archive")
        with page.expect_download() as got:
            page.click("#archive-download")
        archive = zipfile.ZipFile(io.BytesIO(saved(got.value, tmp_path).read_bytes()))
        page.goto(overview)
        assert f"{pdf.stem}.pdf" in archive.namelist() and len(archive.namelist()) == 2

        # 11. the report (上报) to the HR bureau, then the history
        page.fill("#reported_to", "北京市朝阳区人力资源和社会保障局")
        page.fill("#report_reference", f"朝人社评备〔{today.year}〕{reference[-5:]}号")
        page.get_by_role("button", name="上报", exact=True).click()
        page.wait_for_load_state("domcontentloaded")
        assert "北京市朝阳区人力资源和社会保障局" in page.locator("#reported-to").inner_text()
        assert clocked.ledger.evaluation(UUID(session_id)).status.value == "reported"
        screenshot(page, "j13-reported")
        page.click(".session-tabs >> text=历史")
        page.wait_for_load_state("domcontentloaded")
        history = page.locator("#history").inner_text()
        assert "经核查考场录像" in history and "李经办" in history
        screenshot(page, "j14-history")
        page.goto(f"{overview}?lang=en")
        assert re.search(r"Session LJ-JOURNEY-\d+", page.locator("h1").inner_text())
        screenshot(page, "j15-overview-english")
        page.goto(f"{overview}?lang=zh")
    finally:
        context.close()


def verify_offline(clocked: ClockedServer, page: Any, credential: Path, folder: Path) -> Any:
    """``craftledger vc verify`` on the extracted credential, offline, with the issuer's DID
    document and status lists as fetched from the server, as of the server's clock."""
    body = json.loads(credential.read_bytes())
    files = {
        "did.json": body["issuer"]["id"] if isinstance(body["issuer"], dict) else body["issuer"]
    }
    lists = {e["statusListCredential"] for e in _entries(body["credentialStatus"])}
    args = ["vc", "verify", "--json"]
    controller = folder / "did.json"
    controller.write_bytes(page.request.get(_did_document(clocked, files["did.json"])).body())
    args += ["--controller", str(controller)]
    for index, address in enumerate(sorted(lists)):
        listed = folder / f"status-{index}.json"
        listed.write_bytes(page.request.get(address).body())
        args += ["--status-list", str(listed)]
    moment = (clocked.ledger.clock() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S%z")
    result = CliRunner().invoke(main, [*args, "--at", moment, str(credential)])
    return json.loads(result.output)


def _entries(status: Any) -> list[dict[str, Any]]:
    return status if isinstance(status, list) else [status]


def _did_document(clocked: ClockedServer, did: str) -> str:
    """did:web:host%3Aport:organisations:<id> → its did.json on the server."""
    path = did.split(":", 3)[3].replace(":", "/")
    return f"{clocked.url}/{path}/did.json"
