"""An evaluation session in the console, through the real app: an issuer officer plans one (a
refusal shows its rule beside the field), publishes, confirms (the job runs to completion and
its progress page says so), reports, downloads the workbook and the certificates' ZIP, and reads
the history; another body's officer gets 404, an auditor reads but changes nothing.

The world's clock runs from a fixed day in real time, so a session past its 公示 window is built
with the domain's own methods on past dates (``tests.evaluation.matrix_support.session_of``)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from typing import Any
from uuid import UUID, uuid4

import pytest
from openpyxl import load_workbook

from domain.evaluation import EvaluationStatus
from domain.person_account import AccountRole
from tests.evaluation.matrix_support import session_of
from tests.factories.organisations import ELECTRICIAN
from tests.pages.pages_world import csrf_of
from tests.pages.people import signed_in
from tests.pages.test_accounts_pages import field_error


@pytest.fixture(scope="module")
def officer(pages_world):
    org_a = pages_world.world.ids["org_a"]
    return signed_in(pages_world, "plan.officer@example.cn", AccountRole.ISSUER_OFFICER, org_a)


@pytest.fixture(scope="module")
def other_officer(pages_world):
    org_b = pages_world.world.ids["org_b"]
    return signed_in(pages_world, "plan.other@example.cn", AccountRole.ISSUER_OFFICER, org_b)


@pytest.fixture(scope="module")
def auditor(pages_world):
    return signed_in(pages_world, "plan.auditor@example.cn", AccountRole.AUDITOR)


def post(client: Any, path: str, data: dict[str, str], form_path: str | None = None) -> Any:
    page = client.get(form_path or "/console")
    return client.post(path, data={"csrf": csrf_of(page.text), **data})


PLAN = {
    "reference": "PAGE-PLAN-1",
    "occupation_code": ELECTRICIAN,
    "level": "4",
    "starts_on": "2025-06-09",
    "ends_on": "2025-06-10",
    "panel_practical": "甲\n乙\n丙\n",
    "panel_theory": "丁",
}


def plan(client: Any, **changes: str) -> Any:
    return post(client, "/console/sessions/new", {**PLAN, **changes}, "/console/sessions/new")


def test_the_plan_form_offers_the_bodys_filing_scope(officer):
    page = officer.get("/console/sessions/new")
    assert page.status_code == 200
    assert f'<option value="{ELECTRICIAN}">电工（{ELECTRICIAN}）</option>' in page.text
    levels = re.findall(r'<option value="(\d)"', page.text)
    assert levels == ["5", "4", "3"]  # the scope filed, not every level of the standard
    assert '<label for="panel_practical">' in page.text


def test_a_plan_outside_the_filing_scope_shows_the_rule_beside_the_level(officer, pages_world):
    refused = plan(officer, reference="PAGE-REFUSED", level="2", panel_review="一\n二\n三")
    assert refused.status_code == 422
    assert "outside-filed-scope" in field_error(refused.text, "level") or (
        "outside-filed-scope" in refused.text.split('id="level-error"')[1].split("</p>")[0]
    )
    assert "备案评价范围不含" in refused.text
    assert 'aria-invalid="true" aria-describedby="level-error level-hint"' in refused.text
    assert 'value="PAGE-REFUSED"' in refused.text  # the form is kept
    evaluations = pages_world.ledger.evaluations
    assert evaluations is not None
    short = plan(officer, reference="PAGE-SHORT", panel_practical="甲\n乙")
    assert short.status_code == 422
    beside = short.text.split('id="panel_practical-error"')[1].split("</p>")[0]
    assert "panel-size" in beside
    blank = plan(officer, reference="", starts_on="")
    assert blank.status_code == 422
    assert field_error(blank.text, "reference") and field_error(blank.text, "starts_on")


def test_a_plan_is_recorded_with_the_officer_as_actor_and_shown(officer, pages_world):
    planned = plan(officer)
    assert planned.status_code == 303
    session_id = UUID(re.search(r"/console/sessions/([0-9a-f-]{36})", planned.location).group(1))
    evaluation = pages_world.ledger.evaluation(session_id)
    assert evaluation.reference == "PAGE-PLAN-1" and evaluation.level_code == "4"
    assert evaluation.panels == {"practical": ["甲", "乙", "丙"], "theory": ["丁"]}
    page = officer.get(planned.location)
    assert page.status_code == 200 and "评价批次已计划" in page.text
    assert f"电工（{ELECTRICIAN}）" in page.text and "四级/中级工" in page.text
    assert "甲、乙、丙" in page.text
    dashboard = officer.get("/console")
    assert f'href="/console/sessions/{session_id}">PAGE-PLAN-1</a>' in dashboard.text
    assert "报名考生" in dashboard.text and 'href="/console/sessions/new"' in dashboard.text
    history = officer.get(f"/console/sessions/{session_id}/history")
    assert "计划批次" in history.text
    assert "issuer:person:" in history.text and "issuer_officer plan.o" in history.text
    again = plan(officer)
    assert again.status_code == 422 and "duplicate-reference" in again.text


def test_publishing_records_the_window_and_a_refusal_shows_its_rule(officer, pages_world):
    world = pages_world.world
    unscored = session_of(world, enrolled=1, days_ago=3)["target"]
    path = f"/console/sessions/{unscored}"
    refused = post(officer, f"{path}/publish", {"working_days": "5"}, path)
    assert refused.status_code == 422
    assert 'id="publish_days-error"' in refused.text and "<code>" in refused.text
    assert pages_world.ledger.evaluation(unscored).status is EvaluationStatus.PLANNED
    scored = session_of(world, enrolled=1, scored=True, days_ago=3)["target"]
    path = f"/console/sessions/{scored}"
    form = officer.get(path)
    assert 'name="working_days"' in form.text and 'value="5"' in form.text
    done = post(officer, f"{path}/publish", {"working_days": "7"}, path)
    assert done.status_code == 303
    evaluation = pages_world.ledger.evaluation(scored)
    assert evaluation.status is EvaluationStatus.PUBLISHED
    assert evaluation.publication["working_days"] == 7
    page = officer.get(path)
    assert evaluation.publication["window_ends_on"] in page.text
    recorded = evaluation.publication["calendar"]
    assert recorded.startswith("chinesecalendar ")  # this world's window: the package's days
    version = recorded.split()[1]
    assert f"chinesecalendar {version}（中国大陆工作日）" in page.text  # named in Chinese
    assert 'name="working_days"' not in page.text  # published once
    early = post(officer, f"{path}/confirm", {}, path)
    assert early.status_code == 422 and 'id="confirm-error"' in early.text


def wait_for_job(client: Any, location: str) -> str:
    deadline = time.monotonic() + 120
    while True:
        page = client.get(location)
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        assert time.monotonic() < deadline, page.text
        time.sleep(0.2)


CONFIRM_JOBS: dict[UUID, str] = {}


@pytest.fixture(scope="module")
def issued(officer, pages_world) -> UUID:
    """A session past its 公示 window, confirmed through the console."""
    session_id = session_of(pages_world.world, enrolled=2, scored=True, published=True)["target"]
    path = f"/console/sessions/{session_id}"
    started = post(officer, f"{path}/confirm", {}, path)
    assert started.status_code == 303 and f"{path}/confirm/" in started.location
    finished = wait_for_job(officer, started.location)
    assert "已颁发 2 本证书" in finished
    assert re.search(r'<progress id="job-progress" max="(\d+)" value="\1"', finished)
    assert f'href="{path}#certificates"' in finished
    CONFIRM_JOBS[session_id] = started.location
    return session_id


def test_confirming_runs_the_job_and_lists_each_certificate(officer, pages_world, issued):
    evaluation = pages_world.ledger.evaluation(issued)
    assert evaluation.status is EvaluationStatus.ISSUED
    assert evaluation.confirmation["confirmed_by"].startswith("issuer:person:")
    page = officer.get(f"/console/sessions/{issued}")
    numbers = [c["certificate_number"] for c in evaluation.candidates.values()]
    assert len(numbers) == 2
    for number in numbers:
        assert f"/console/sessions/{issued}/certificates/{number}.pdf" in page.text
    pdf = officer.get(f"/console/sessions/{issued}/certificates/{numbers[0]}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert officer.get(f"/console/sessions/{issued}/certificates/Y0.pdf").status_code == 404


def test_the_zip_is_made_by_a_job_with_one_pdf_per_certificate(officer, pages_world, issued):
    path = f"/console/sessions/{issued}"
    started = post(officer, f"{path}/archive", {}, path)
    assert started.status_code == 303 and f"{path}/archive/" in started.location
    again = post(officer, f"{path}/archive", {}, path)
    assert again.location == started.location, "the same job while it runs"
    finished = wait_for_job(officer, started.location)
    assert "已打包 2 本证书" in finished
    assert re.search(r'<progress id="job-progress" max="(\d+)" value="\1"', finished)
    answer = officer.get(f"{started.location}.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    evaluation = pages_world.ledger.evaluation(issued)
    expected = sorted(f"{c['certificate_number']}.pdf" for c in evaluation.candidates.values())
    assert sorted(names) == expected
    job_id = started.location.rsplit("/", 1)[1]
    archives = pages_world.ledger.settings.data_dir / "archives"
    assert [p.name for p in archives.iterdir() if p.stem == job_id] == [f"{job_id}.zip"]
    other = f"/console/sessions/{uuid4()}/archive/{job_id}"
    assert officer.get(other).status_code == 404 and officer.get(f"{other}.zip").status_code == 404


def test_the_workbook_is_the_sessions_export(officer, pages_world, issued):
    answer = officer.get(f"/console/sessions/{issued}/export.xlsx")
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.data), read_only=True)
    assert workbook.sheetnames == ["概况 Summary", "考生 Candidates", "成绩 Scores"]
    summary = {row[0]: row[1] for row in workbook["概况 Summary"].iter_rows(values_only=True)}
    evaluation = pages_world.ledger.evaluation(issued)
    assert summary["编号 Reference"] == evaluation.reference
    assert summary["证书 Certificates"] == 2
    rows = list(workbook["考生 Candidates"].iter_rows(values_only=True))[1:]
    assert {row[6] for row in rows} == {
        c["certificate_number"] for c in evaluation.candidates.values()
    }


def test_reporting_records_the_report(officer, pages_world, issued):
    path = f"/console/sessions/{issued}"
    blank = post(officer, f"{path}/report", {"reported_to": ""}, path)
    assert blank.status_code == 422 and field_error(blank.text, "reported_to")
    done = post(
        officer,
        f"{path}/report",
        {"reported_to": "朝阳区人社局", "report_reference": "朝人社 1 号"},
        path,
    )
    assert done.status_code == 303
    evaluation = pages_world.ledger.evaluation(issued)
    assert evaluation.status is EvaluationStatus.REPORTED
    assert evaluation.report["reported_to"] == "朝阳区人社局"
    page = officer.get(path)
    assert (
        '<dd id="reported-to">朝阳区人社局</dd>' in page.text
        and 'name="reported_to"' not in page.text
    )
    history = officer.get(f"{path}/history")
    order = [
        history.text.index(word)
        for word in ("计划批次", "公示结果", "确认结果", "颁发证书", "上报人社部门")
    ]
    assert order == sorted(order)
    assert "朝阳区人社局" in history.text and "issuer_officer plan.o" in history.text


def test_a_correction_appears_in_the_history_with_its_reason(officer, pages_world):
    context = session_of(pages_world.world, enrolled=1, scored=True, days_ago=3)
    ledger = pages_world.ledger
    ledger.evaluations.correct_score(
        context["target"],
        worker_id=context["candidate"],
        component="theory",
        score="75",
        examiner="丁",
        reason="阅卷时漏计一题",
        actor="test",
    )
    history = officer.get(f"/console/sessions/{context['target']}/history")
    assert history.status_code == 200
    assert "更正成绩" in history.text and "录入成绩" in history.text
    assert '<span class="reason">阅卷时漏计一题</span>' in history.text


def test_another_bodys_officer_gets_404_everywhere(other_officer, officer, pages_world):
    session_id = session_of(pages_world.world, enrolled=1, scored=True, days_ago=3)["target"]
    path = f"/console/sessions/{session_id}"
    for page in ("", "/history", "/export.xlsx", f"/archive/{uuid4()}"):
        assert other_officer.get(path + page).status_code == 404, page
    refused = post(other_officer, f"{path}/publish", {"working_days": "5"})
    assert refused.status_code == 404
    assert pages_world.ledger.evaluation(session_id).status is EvaluationStatus.PLANNED
    assert f"/console/sessions/{session_id}" not in other_officer.get("/console").text


def test_an_auditor_reads_but_does_not_publish(auditor, pages_world):
    session_id = session_of(pages_world.world, enrolled=1, scored=True, days_ago=3)["target"]
    path = f"/console/sessions/{session_id}"
    page = auditor.get(path)
    assert page.status_code == 200 and 'name="working_days"' not in page.text
    history = auditor.get(f"{path}/history")
    assert history.status_code == 200 and f"/audit?aggregate={session_id}" in history.text
    refused = post(auditor, f"{path}/publish", {"working_days": "5"}, path)
    assert refused.status_code == 403
    assert pages_world.ledger.evaluation(session_id).status is EvaluationStatus.PLANNED
    assert auditor.get("/console/sessions/new").status_code == 403


def test_the_overview_in_english(officer, pages_world):
    session_id = session_of(pages_world.world, enrolled=1, scored=True, days_ago=3)["target"]
    page = officer.get(f"/console/sessions/{session_id}?lang=en")
    assert '<html lang="en">' in page.text and "Publish" in page.text
    officer.get("/console?lang=zh")


def test_the_dashboard_says_what_each_session_needs_next(pages_world):
    world = pages_world.world
    org = world.fresh_employer()
    client = signed_in(pages_world, "plan.next@example.cn", AccountRole.ISSUER_OFFICER, org)
    world.ids["org_a"], saved = org, world.ids["org_a"]
    try:  # session_of builds employer A's sessions: make this body employer A for a moment
        unscored = session_of(world, enrolled=1, days_ago=3)
        open_window = session_of(world, enrolled=1, scored=True, published=True, days_ago=2)
        objected = session_of(
            world, enrolled=1, scored=True, published=True, objection=True, days_ago=2
        )
        confirmable = session_of(world, enrolled=1, scored=True, published=True)
    finally:
        world.ids["org_a"] = saved
    rows = {
        row.split("</a>")[0].rsplit(">", 1)[1]: row
        for row in client.get("/console").text.split("<tr>")[2:]
    }
    steps = {
        pages_world.ledger.evaluation(context["target"]).reference: text
        for context, text in (
            (unscored, "尚缺 4 个成绩"),
            (objected, "1 条异议待处理"),
            (confirmable, "可以确认结果并发证"),
        )
    }
    for reference, text in steps.items():
        assert text in rows[reference], rows[reference]
    window = pages_world.ledger.evaluation(open_window["target"]).publication["window_ends_on"]
    assert (
        f"公示至 {window} 结束"
        in rows[pages_world.ledger.evaluation(open_window["target"]).reference]
    )


def test_a_confirm_job_of_another_session_is_not_found(officer, other_officer, issued, pages_world):
    started = session_of(pages_world.world, enrolled=1, scored=True, days_ago=3)["target"]
    location = CONFIRM_JOBS[issued]
    job_id = location.rsplit("/", 1)[1]
    assert officer.get(location).status_code == 200
    assert officer.get(f"/console/sessions/{started}/confirm/{job_id}").status_code == 404
    assert other_officer.get(location).status_code == 404
