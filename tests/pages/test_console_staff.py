"""``/console/staff`` through the real app: the body's staff with masked ID numbers, one person
registered and employed by hand, and a roster imported with a dry-run preview first (a bad file
previews every row's problems and records nothing; a good one previews, then records)."""

from __future__ import annotations

import io
import os
import re
import time
from uuid import UUID

import pytest

from domain.person_account import AccountRole
from tests.evaluation.test_import import xlsx_bytes
from tests.factories import id_number
from tests.pages.pages_world import PagesWorld, csrf_of
from tests.pages.people import field_error, person, sign_in, signed_in_officer

HEADER = ["身份证号", "证件类型", "姓名", "用工关系", "入职日期"]


@pytest.fixture(scope="module")
def body(pages_world: PagesWorld) -> UUID:
    return pages_world.world.fresh_employer()


@pytest.fixture(scope="module")
def officer(pages_world: PagesWorld, body: UUID):
    return signed_in_officer(pages_world, "staff.officer@example.cn", body)


def staff_of(pages_world: PagesWorld, body: UUID) -> dict[str, str]:
    """The body's staff as the directory has them: name → masked ID number."""
    pages_world.world.app.extensions["craftledger"].runner.wait_for(
        pages_world.ledger.log_position, timeout=5, names=["directory"]
    )
    directory = pages_world.world.app.extensions["craftledger"].directory
    rows = directory.list_workers(employer_id=body, limit=500).items
    return {row["name"]: row["masked_id_number"] for row in rows}


def upload(client, path: str, data: bytes, name: str = "花名册.xlsx"):
    page = client.get("/console/staff")
    return client.post(
        path,
        data={"csrf": csrf_of(page.text), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_staff_page_is_an_officers_and_lists_their_body_with_masked_numbers(
    pages_world, officer, body
):
    number = id_number(7101)
    worker = pages_world.world.fresh_worker(body, name="孙在职")
    shown = pages_world.world.id_numbers[worker]
    staff_of(pages_world, body)
    page = officer.get("/console/staff")
    assert page.status_code == 200
    assert "孙在职" in page.text and shown.masked in page.text
    assert shown.reveal() not in page.text and number.reveal() not in page.text
    assert 'href="/console/staff"' in page.text  # the console link 在职人员
    assert 'href="/api/v1/evaluations/templates/staff.xlsx"' in page.text
    template = officer.get("/api/v1/evaluations/templates/staff.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    person(pages_world, "staff.auditor@example.cn", AccountRole.AUDITOR)
    auditor = pages_world.client()
    sign_in(auditor, "staff.auditor@example.cn")
    assert auditor.get("/console/staff").status_code == 403
    assert 'href="/console/staff"' not in auditor.get("/console").text


def test_an_officer_registers_one_worker_and_their_employment(pages_world, officer, body):
    number = id_number(7102)
    page = officer.get("/console/staff")
    form = {
        "csrf": csrf_of(page.text),
        "name": "周手登",
        "id_kind": "resident",
        "id_number": number.reveal()[:-1] + ("0" if number.reveal()[-1] != "0" else "1"),
        "relation": "dispatched",
        "since": "2024-03-01",
    }
    refused = officer.post("/console/staff/workers", data=form)
    assert refused.status_code == 422
    assert "校验码" in field_error(refused.text, "id_number")
    assert 'aria-describedby="id_number-hint id_number-error"' in refused.text
    assert "周手登" in refused.text and form["id_number"] not in refused.text
    assert "周手登" not in staff_of(pages_world, body)
    done = officer.post("/console/staff/workers", data={**form, "id_number": number.reveal()})
    assert done.status_code == 303 and "registered=1" in done.location
    shown = officer.get(done.location)
    assert "已登记，并记录了入职" in shown.text and "周手登" in shown.text
    assert number.masked in shown.text and number.reveal() not in shown.text
    assert staff_of(pages_world, body)["周手登"] == number.masked
    worker = pages_world.ledger.worker(pages_world.ledger.worker_id_for(number))
    assert worker.is_staff_of(body, pages_world.ledger.china_today())
    assert worker.employments[-1]["relation"] == "dispatched"
    again = officer.post("/console/staff/workers", data={**form, "id_number": number.reveal()})
    assert again.status_code == 422 and "already-employed" in field_error(again.text, "since")
    other_name = officer.post(
        "/console/staff/workers", data={**form, "id_number": number.reveal(), "name": "冒名"}
    )
    assert other_name.status_code == 422 and "另一个姓名" in field_error(other_name.text, "name")


def test_a_bad_roster_previews_every_rows_problems_and_records_nothing(pages_world, officer, body):
    good, wrong = id_number(7103), id_number(7104)
    wrong_check = wrong.reveal()[:-1] + ("0" if wrong.reveal()[-1] != "0" else "1")
    bad = xlsx_bytes(
        [
            HEADER,
            [good.reveal(), None, "吴好行", "本单位职工", "2023-04-01"],
            [wrong_check, None, "郑错号", None, "2023-04-01"],
            [wrong.reveal(), None, "", "临时工", None],
        ]
    )
    before = (pages_world.ledger.log_position, staff_of(pages_world, body))
    preview = upload(officer, "/console/staff/import", bad, f"花名册{wrong.reveal()}.xlsx")
    assert preview.status_code == 200
    html = preview.text
    assert f"花名册{wrong.masked}.xlsx" in html  # an ID number in the file's name is masked
    assert "什么都没有记录" in html and 'id="record-import"' not in html
    for row in (2, 3, 4):
        assert f'id="row-{row}"' in html
    bad_rows = re.findall(r'<tr id="row-(\d)" class="row-bad">', html)
    assert bad_rows == ["3", "4"]
    problems = re.findall(r"<li><strong>([^<]+)</strong>：([^<]+)</li>", html)
    assert [column for column, _ in problems] == ["身份证号", "姓名", "用工关系", "入职日期"]
    assert "吴好行" in html and good.masked in html
    for raw in (good.reveal(), wrong.reveal(), wrong_check):
        assert raw not in html
    assert (pages_world.ledger.log_position, staff_of(pages_world, body)) == before
    forged = officer.post(
        "/console/staff/import/record",
        data={"csrf": csrf_of(html), "upload": "0" * 32 + ".AAAA"},
    )
    assert forged.status_code == 422 and "预览已过期" in forged.text
    assert pages_world.ledger.log_position == before[0]


def test_a_good_roster_previews_then_records(pages_world, officer, body):
    first, second = id_number(7105), id_number(7106)
    good = xlsx_bytes(
        [
            HEADER,
            [first.reveal(), None, "冯一号", None, "2022-01-10"],
            [second.reveal(), None, "陈二号", "劳务派遣", "2023-06-01"],
        ]
    )
    position = pages_world.ledger.log_position
    preview = upload(officer, "/console/staff/import", good)
    assert preview.status_code == 200 and "每一行都检查无误" in preview.text
    assert "记录这 2 人" in preview.text
    assert pages_world.ledger.log_position == position  # a preview records nothing
    held = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
    other = signed_in_officer(pages_world, "staff.other@example.cn", body)
    stolen = other.post(
        "/console/staff/import/record",
        data={"csrf": csrf_of(other.get("/console/staff").text), "upload": held},
    )
    assert stolen.status_code == 422  # held for the person who uploaded it
    recorded = officer.post(
        "/console/staff/import/record", data={"csrf": csrf_of(preview.text), "upload": held}
    )
    assert recorded.status_code == 303 and "recorded=2" in recorded.location
    page = officer.get(recorded.location)
    assert "已导入花名册：2 人" in page.text
    assert "冯一号" in page.text and "陈二号" in page.text
    assert first.reveal() not in page.text and second.reveal() not in page.text
    staff = staff_of(pages_world, body)
    assert staff["冯一号"] == first.masked and staff["陈二号"] == second.masked
    replay = officer.post(
        "/console/staff/import/record", data={"csrf": csrf_of(preview.text), "upload": held}
    )
    assert replay.status_code == 422  # the held file is gone once recorded
    english = officer.get("/console/staff?lang=en")
    assert "Staff" in english.text and "在职人员" not in english.text
    officer.get("/console/staff?lang=zh")


def test_a_held_file_is_sealed_and_expires(pages_world, officer, body):
    number = id_number(7107)
    data = xlsx_bytes([HEADER, [number.reveal(), None, "蒋过期", None, "2022-02-02"]])
    preview = upload(officer, "/console/staff/import", data)
    held = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
    stored = pages_world.ledger.settings.data_dir / "uploads" / held.split(".")[0]
    assert stored.exists()
    assert number.reveal().encode() not in stored.read_bytes()  # sealed: no raw ID number
    assert data not in stored.read_bytes()
    old = time.time() - 31 * 60
    os.utime(stored, (old, old))
    expired = officer.post(
        "/console/staff/import/record", data={"csrf": csrf_of(preview.text), "upload": held}
    )
    assert expired.status_code == 422 and "预览已过期" in expired.text
    assert not stored.exists()
    assert "蒋过期" not in staff_of(pages_world, body)


def test_a_file_that_is_not_a_spreadsheet_is_a_problem_of_the_whole_file(officer):
    preview = upload(officer, "/console/staff/import", b"\x89PNG not a spreadsheet", "x.png")
    assert preview.status_code == 200
    assert 'id="import-problems"' in preview.text and 'id="record-import"' not in preview.text
    assert "第 1 行" in preview.text
    empty = upload(officer, "/console/staff/import", b"")
    assert empty.status_code == 422 and field_error(empty.text, "file")


def test_every_field_of_the_staff_pages_has_a_label(officer):
    for html in (officer.get("/console/staff").text,):
        for field in re.findall(r'<(?:input|select|textarea) id="([^"]+)"', html):
            assert f'<label for="{field}"' in html, field
        assert "style=" not in html
