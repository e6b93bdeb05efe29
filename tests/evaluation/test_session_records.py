"""What a session leaves on record, through the real app: the Excel export (opened with
openpyxl), the history with reasoned corrections, and the reports (上报) the HR bureau lists."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from tests.evaluation.session_api import BASE, Api, enrol, plan, poll
from tests.factories import CONFIRM_DAY, PUBLISH_DAY, SESSION_END, id_number
from tests.support.clocks import on_day


def _issued_and_reported_session(api: Api) -> str:
    """Two candidates, every panel examiner marking, a correction, 公示, confirm, report."""
    path = f"{BASE}/{plan(api)}"
    on_day(api.clock, SESSION_END)
    for worker, practical in ((api.staff[0], 80), (api.staff[1], 50)):
        enrol(api, path, worker)
        for component, score, examiner in (
            ("theory", 90, "丁"),
            ("practical", practical, "甲"),
            ("practical", practical, "乙"),
            ("practical", practical + 1, "丙"),
        ):
            body = {"worker_id": str(worker), "component": component, "score": score}
            marked = api.call("POST", f"{path}/scores", json={**body, "examiner": examiner})
            assert marked.status_code == 200, marked.json
    correction = {"worker_id": str(api.staff[0]), "component": "practical", "score": 84}
    no_reason = api.call("POST", f"{path}/corrections", json={**correction, "examiner": "乙"})
    assert no_reason.status_code == 422
    assert [e["pointer"] for e in no_reason.json["errors"]] == ["/reason"]
    corrected = api.call(
        "POST",
        f"{path}/corrections",
        json={**correction, "examiner": "乙", "reason": "复核：漏计一项"},
    )
    assert corrected.status_code == 200, corrected.json
    on_day(api.clock, PUBLISH_DAY)
    assert api.call("POST", f"{path}/publish", json={}).status_code == 200
    on_day(api.clock, CONFIRM_DAY)
    accepted = api.call("POST", f"{path}/confirm")
    assert accepted.status_code == 202, accepted.json
    assert poll(api, accepted.headers["Location"])["state"] == "succeeded"
    reported = api.call(
        "POST",
        f"{path}/report",
        json={"reported_to": "朝阳区人社局", "reference": "朝人社评〔2024〕9号"},
    )
    assert reported.status_code == 200, reported.json
    return path


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_session_exports_to_excel_with_id_numbers_masked(api: Api) -> None:
    path = _issued_and_reported_session(api)
    response = api.call("GET", f"{path}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="evaluation-EV-2024-09.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames == ["概况 Summary", "考生 Candidates", "成绩 Scores"]

    summary = dict(_rows(workbook["概况 Summary"]))
    assert summary["编号 Reference"] == "EV-2024-09"
    assert summary["结果 passed"] == 1 and summary["结果 failed"] == 1
    assert summary["上报 Reported to"] == "朝阳区人社局"

    candidates = _rows(workbook["考生 Candidates"])
    assert candidates[0][:3] == ("姓名 Name", "证件号码(脱敏) ID number (masked)", "申报条件 Route")
    zhang, li = candidates[1], candidates[2]
    issued = api.call("GET", f"{path}/candidates").json["items"]
    assert zhang[:2] == ("张三", api.id_of(api.staff[0]))
    assert (zhang[4], zhang[6]) == ("passed", issued[0]["certificate_number"])
    assert (li[4], li[5], li[6]) == ("failed", "practical", None)  # no certificate

    scores = _rows(workbook["成绩 Scores"])
    practical = [row for row in scores[1:] if row[0] == "张三" and row[2] == "操作技能 practical"]
    assert [(row[3], row[4], row[6]) for row in practical] == [
        ("甲", "80", 0),
        ("乙", "84", 1),  # corrected once, with its reason in the history
        ("丙", "81", 0),
    ]
    assert {row[7] for row in practical} == {"81.67"}  # (80 + 84 + 81) / 3
    assert {row[8] for row in practical} == {"panel-mean"}

    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in _rows(sheet)
        for value in row
        if value is not None
    ]
    for serial in (1, 2, 3, 4):
        assert not any(id_number(serial).reveal() in cell for cell in cells)
    assert api.call("GET", f"{path}/export.xlsx", "other_issuer").status_code == 403
    assert api.call("GET", f"{path}/export.xlsx", "auditor").status_code == 200


def test_the_history_keeps_every_mark_and_the_reason_of_each_correction(api: Api) -> None:
    path = _issued_and_reported_session(api)
    history = api.call("GET", f"{path}/history?limit=100")
    assert history.status_code == 200, history.json
    kinds = [event["type"] for event in history.json["items"]]
    assert kinds.count("Evaluation.ScoreRecorded") == 8
    (correction,) = [e for e in history.json["items"] if e["type"] == "Evaluation.ScoreCorrected"]
    assert correction["reason"] == "复核：漏计一项"
    assert (correction["data"]["examiner"], correction["data"]["score"]) == ("乙", "84")
    assert api.call("GET", f"{path}/history", "other_issuer").status_code == 403


def test_the_hr_bureau_lists_the_reports_it_received(api: Api) -> None:
    path = _issued_and_reported_session(api)
    reports = api.call("GET", f"{BASE}/reports?wait_for={api.ledger.log_position}", "admin")
    assert reports.status_code == 200, reports.json
    (report,) = reports.json["items"]
    assert report["id"] == path.rsplit("/", 1)[1]
    assert report["report"] == {
        "reported_to": "朝阳区人社局",
        "reported_on": CONFIRM_DAY.isoformat(),
        "reference": "朝人社评〔2024〕9号",
        "certificates": 1,
    }
    assert (report["candidates"], report["marks_recorded"], report["marks_expected"]) == (2, 8, 8)
    assert api.call("GET", f"{BASE}/reports", "issuer").status_code == 403
    assert api.call("GET", f"{BASE}/reports", "public").status_code == 401
