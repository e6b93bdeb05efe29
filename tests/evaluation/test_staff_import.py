"""Staff and candidates from spreadsheets through the real app: the XLSX templates, a dry run
that names every bad row and records nothing, and an import that is all or nothing."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from tests.evaluation.session_api import BASE, Api, plan
from tests.factories import SESSION_END, id_number, register
from tests.support.clocks import on_day


def _template(api: Api, kind: str) -> Any:
    response = api.call("GET", f"{BASE}/templates/{kind}.xlsx", "public")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{kind}-template.xlsx"'
    )
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _filled(workbook: Any, rows: list[list[Any]]) -> bytes:
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_templates_have_the_headers_the_imports_read(api: Api) -> None:
    staff = _template(api, "staff")
    assert [c.value for c in staff.worksheets[0][1]] == [
        "身份证号",
        "证件类型",
        "姓名",
        "用工关系",
        "入职日期",
    ]
    assert staff.worksheets[0].column_dimensions["A"].number_format == "@"  # ID numbers as text
    assert staff.sheetnames[1] == "说明 Notes"
    candidates = _template(api, "candidates").worksheets[0]
    assert [c.value for c in candidates[1]][:3] == ["身份证号", "证件类型", "姓名"]
    scores = _template(api, "scores").worksheets[0]
    assert "操作技能考评员" in [c.value for c in scores[1]]
    assert api.call("GET", f"{BASE}/templates/nothing.xlsx", "public").status_code == 404


def test_a_bad_staff_file_records_nothing_and_names_each_bad_row(api: Api) -> None:
    new, other = id_number(41), id_number(42)
    wrong_check = other.reveal()[:17] + ("1" if other.reveal()[-1] != "1" else "2")
    bad = _filled(
        _template(api, "staff"),
        [
            [new.reveal(), None, "新员工", "劳务派遣", "2023-04-01"],
            [wrong_check, None, "错号", None, "2023-04-01"],
            [other.reveal(), None, "", "临时工", None],
            [new.reveal(), None, "新员工", None, "2023-04-01"],
        ],
    )
    before = api.ledger.log_position
    preview = api.upload(f"{BASE}/staff/import?dry_run=true", bad)
    assert preview.status_code == 200, preview.json
    assert preview.json["recorded"] is False and preview.json["ok"] is False
    assert [(p["row"], p["column"]) for p in preview.json["problems"]] == [
        (3, "身份证号"),
        (4, "姓名"),
        (4, "用工关系"),
        (4, "入职日期"),
        (5, "身份证号"),
    ]
    assert "is also on row 2" in preview.json["problems"][-1]["message"]
    assert all(other.reveal() not in p["message"] for p in preview.json["problems"])
    rejected = api.upload(f"{BASE}/staff/import", bad)
    assert rejected.status_code == 422
    assert rejected.json["type"].endswith("import-rejected")
    assert [e["pointer"] for e in rejected.json["errors"]][:2] == [
        "/3/身份证号",
        "/4/姓名",
    ]
    assert api.ledger.log_position == before  # nothing recorded, not even row 2's person


def test_a_good_staff_file_registers_and_employs_in_one_save_then_enrols(api: Api) -> None:
    new = id_number(51)
    existing = api.staff[0]
    good = _filled(
        _template(api, "staff"),
        [
            [new.reveal(), None, "新员工", "劳务派遣", "2015-04-01"],
            [id_number(1).reveal(), None, "张三", None, "2015-01-01"],  # already on staff
        ],
    )
    preview = api.upload(f"{BASE}/staff/import?dry_run=true", good)
    assert preview.json["ok"] and not preview.json["recorded"]
    assert preview.json["changes"] == {
        "registered": 1,
        "employed": 1,
        "claims": 0,
        "unchanged": 1,
    }
    before = api.ledger.log_position
    imported = api.upload(f"{BASE}/staff/import", good)
    assert imported.status_code == 200, imported.json
    assert imported.json["recorded"] is True
    worker = api.ledger.worker(api.ledger.worker_id_for(new))
    assert worker.name == "新员工" and worker.employer_on(SESSION_END) == api.body_id
    assert api.ledger.worker(existing).employer_on(SESSION_END) == api.body_id
    again = api.upload(f"{BASE}/staff/import", good)
    assert again.json["recorded"] is False and again.json["changes"]["unchanged"] == 2
    assert api.ledger.log_position > before

    # then the new person is enrolled from the candidates template
    path = f"{BASE}/{plan(api)}"
    on_day(api.clock, SESSION_END)
    candidates = _filled(
        _template(api, "candidates"),
        [[new.reveal(), None, "新员工", "4-years", None, "2015-04-01"]],
    )
    enrolled = api.upload(f"{path}/import/candidates", candidates)
    assert enrolled.status_code == 200, enrolled.json
    assert enrolled.json["changes"]["enrolled"] == 1


def test_staff_of_another_body_cannot_be_imported_by_an_issuer(api: Api) -> None:
    data = _filled(
        _template(api, "staff"), [[id_number(61).reveal(), None, "某", None, "2020-01-01"]]
    )
    listed = f"/api/v1/organisations?limit=50&wait_for={api.ledger.log_position}"
    other = api.call("GET", listed, "admin").json["items"]
    foreign = next(o["id"] for o in other if o["id"] != str(api.body_id))
    refused = api.upload(f"{BASE}/staff/import?body_id={foreign}", data)
    assert refused.status_code == 403


def test_a_person_another_registered_is_claimed_not_employed_until_they_confirm(
    api: Api,
) -> None:
    number = id_number(71)
    worker = register(api.ledger, number, "外单位登记")
    data = _filled(
        _template(api, "staff"), [[number.reveal(), None, "外单位登记", None, "2020-01-01"]]
    )
    imported = api.upload(f"{BASE}/staff/import", data)
    assert imported.status_code == 200, imported.json
    assert imported.json["changes"] == {"registered": 0, "employed": 0, "claims": 1, "unchanged": 0}
    recorded = api.ledger.worker(worker)
    assert recorded.employer_on(SESSION_END) is None
    assert recorded.pending_employment(api.body_id) is not None
