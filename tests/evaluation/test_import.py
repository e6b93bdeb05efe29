"""Bulk import from CSV and XLSX: a dry run lists every row's problems; a bad file records
nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest

from domain.errors import DomainRuleViolation
from domain.organisation import OrganisationKind
from service.evaluations.evidence import candidate_facts
from service.ledger import Ledger
from tests.factories import PUBLISH_DAY, Session, file_employer, id_number, plan_session
from tests.support.clocks import SteppingClock

ID_SHAPED = re.compile(r"[1-9][0-9]{16}[0-9X]")


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems(report) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in report.problems]


@pytest.fixture
def staff(session: Session) -> list:
    return [session.hire(f"职工{i}") for i in range(1, 4)]


def ids(session: Session, workers) -> list[str]:
    return [session.id_numbers[w].reveal() for w in workers]


def test_a_dry_run_reports_every_rows_problems_and_records_nothing(
    ledger: Ledger, session: Session, staff: list
) -> None:
    a, b, c = ids(session, staff)
    outsider = id_number(999).reveal()
    bad_check = a[:-1] + ("0" if a[-1] != "0" else "1")
    other = file_employer(ledger, code="11-Y-777777", prefix="Y000011777777", name="别家")
    foreign = session.hire("外单位", employer=other.id)
    data = csv_bytes(
        "序号,身份证号,姓名,申报条件,从业起始日期,备注",
        f"1,{a},职工1,4-years,2015-01-01,",  # fine
        f"2,{b},职工2,4-years,2021-01-01,",  # too few years
        f"3,{c},李鬼,4-years,2015-01-01,",  # name does not match
        f"4,{bad_check},职工1,4-years,2015-01-01,",  # check character wrong
        f"5,{outsider},路人,4-yrs,2015-13-01,",  # route and date wrong (and unknown person)
        f"6,{a},职工1,4-years,2015-01-01,",  # same person twice
        ",,,,,",  # a blank row is skipped
        f"8,{session.id_numbers[foreign].reveal()},外单位,4-years,2015-01-01,",  # not own staff
        "9,,职工9,,,",  # missing ID number and route
    )
    before = ledger.log_position
    report = ledger.evaluations.import_candidates(
        session.evaluation_id, data, dry_run=True, actor="issuer"
    )
    assert ledger.log_position == before
    assert session.evaluation.candidates == {}
    assert report.dry_run and not report.recorded and not report.ok
    assert (report.format, report.rows) == ("csv", 8)
    found = problems(report)
    assert [(row, column) for row, column, _ in found] == [
        (3, "申报条件"),
        (4, "姓名"),
        (5, "身份证号"),
        (6, "申报条件"),
        (6, "从业起始日期"),
        (7, "身份证号"),
        (9, "身份证号"),
        (10, "身份证号"),
        (10, "申报条件"),
    ]
    messages = dict(((row, column), message) for row, column, message in found)
    assert messages[(3, "申报条件")] == (
        "candidate-ineligible: route 4-years (generic-default@2022) for 四级/中级工: needs 6 "
        "years in 6-31-01-03; 3 years 8 months counted"
    )
    assert messages[(5, "身份证号")] == "check character: the check character does not match"
    assert messages[(6, "申报条件")].startswith("generic-default@2022 has no route '4-yrs'")
    assert messages[(6, "从业起始日期")] == "must be a date YYYY-MM-DD"
    assert messages[(7, "身份证号")].endswith("is also on row 2")
    assert messages[(9, "身份证号")].startswith("not-own-staff: 北京链家 evaluates only its own")
    assert messages[(10, "身份证号")] == "is required"
    for _row, _column, message in found:  # ID numbers are masked in every message
        assert not ID_SHAPED.search(message), message
    assert report.changes == {"enrolled": 1, "registered": 0}


def test_a_bad_file_records_nothing_and_a_good_one_everything_in_one_save(
    ledger: Ledger, session: Session, staff: list
) -> None:
    a, b, _ = ids(session, staff)
    header = "id_number,name,route,experience_since"
    bad = csv_bytes(header, f"{a},职工1,4-years,2015-01-01", f"{b},职工2,4-years,2023-01-01")
    before = ledger.log_position
    report = ledger.evaluations.import_candidates(
        session.evaluation_id, bad, dry_run=False, actor="issuer"
    )
    assert not report.recorded and [p.row for p in report.problems] == [3]
    assert ledger.log_position == before
    assert session.evaluation.candidates == {}
    good = csv_bytes(
        header, *(f"{n},职工{i},4-years,2015-01-01" for i, n in enumerate(ids(session, staff), 1))
    )
    report = ledger.evaluations.import_candidates(
        session.evaluation_id, good, dry_run=False, actor="issuer"
    )
    assert report.recorded and report.ok
    assert report.position == ledger.log_position == before + 1  # one save, one event
    (event,) = list(ledger.notifications(start=before + 1))
    assert event.topic == "craftledger:Evaluation.CandidatesEnrolled"
    assert [c["name"] for c in session.evaluation.candidates.values()] == [
        "职工1",
        "职工2",
        "职工3",
    ]


def test_scores_import_with_corrections_and_an_unchanged_reimport(
    ledger: Ledger, session: Session, staff: list
) -> None:
    for worker in staff:
        session.enrol(worker)
    a, b, c = ids(session, staff)
    header = "身份证号,理论知识,理论考评员,操作技能,操作技能考评员,更正原因"
    # every practical examiner on the panel marks: a row per examiner, the ID number repeated
    first = csv_bytes(
        header,
        f"{a},80,丁,85.5,甲,",
        f"{a},,,85.5,乙,",
        f"{a},,,85.5,丙,",
        f"{b},90,丁,59,甲,",
        f"{b},,,59,乙,",
        f"{b},,,59,丙,",
        f"{c},70,丁,,,",
    )
    report = ledger.evaluations.import_scores(
        session.evaluation_id, first, dry_run=False, actor="issuer"
    )
    assert report.recorded and report.changes == {"scores": 9, "corrections": 0, "unchanged": 0}
    again = ledger.evaluations.import_scores(
        session.evaluation_id, first, dry_run=False, actor="issuer"
    )
    assert not again.recorded and again.changes == {"scores": 0, "corrections": 0, "unchanged": 9}
    changed = csv_bytes(header, f"{b},90,丁,61,乙,", f"{c},,,75,丙,")
    refused = ledger.evaluations.import_scores(
        session.evaluation_id, changed, dry_run=True, actor="issuer"
    )
    assert problems(refused) == [
        (
            2,
            "操作技能",
            "a practical score of 59 by 乙 is recorded; fill correction_reason to correct it",
        )
    ]
    corrected = csv_bytes(
        header,
        f"{b},90,丁,63,乙,复核漏计",
        f"{c},,,75,甲,",
        f"{c},,,75,乙,",
        f"{c},,,75,丙,",
    )
    report = ledger.evaluations.import_scores(
        session.evaluation_id, corrected, dry_run=False, actor="issuer"
    )
    assert report.changes == {"scores": 3, "corrections": 1, "unchanged": 1}
    evaluation = session.evaluation
    assert [evaluation.result_of(evaluation.candidate(w)).value for w in staff] == [
        "passed",
        "passed",
        "passed",
    ]
    candidate = evaluation.candidate(staff[1])
    assert candidate["scores"]["practical"]["score"] == "60.33"  # (59 + 63 + 59) / 3
    assert candidate["marks"]["practical"]["乙"]["corrections"][0]["reason"] == "复核漏计"


def test_a_scores_file_is_checked_against_panels_components_and_candidates(
    ledger: Ledger, session: Session, staff: list
) -> None:
    session.enrol(staff[0])
    a, b, _ = ids(session, staff)
    data = csv_bytes(
        "id_number,theory,theory_examiner,practical,practical_examiner,review,review_examiner",
        f"{a},85.555,丁,70,戊,,",
        f"{b},80,丁,80,甲,,",
    )
    report = ledger.evaluations.import_scores(
        session.evaluation_id, data, dry_run=True, actor="issuer"
    )
    assert [(p.row, p.column) for p in report.problems] == [(1, "review")]
    data = csv_bytes(
        "id_number,theory,theory_examiner,practical,practical_examiner",
        f"{a},85.555,丁,70,戊",
        f"{b},80,丁,80,甲",
        f"{a},,,70,戊",
    )
    report = ledger.evaluations.import_scores(
        session.evaluation_id, data, dry_run=False, actor="issuer"
    )
    assert problems(report) == [
        (2, "theory", 'must be 0 to 100 with at most two decimals, e.g. 85 or "85.5"'),
        (
            2,
            "practical_examiner",
            "examiner-not-on-panel: 戊 is not on the practical panel (甲, 乙, 丙)",
        ),
        (
            3,
            "id_number",
            f"{session.id_numbers[staff[1]].masked} is not a candidate of this session",
        ),
        (
            4,
            "id_number",
            f"{session.id_numbers[staff[0]].masked}'s practical mark by 戊 is also on row 2",
        ),
    ]
    assert not report.recorded
    assert session.evaluation.candidate(staff[0])["scores"] == {}


def test_xlsx_candidates_and_scores(ledger: Ledger, session: Session, staff: list) -> None:
    a, b, _ = ids(session, staff)
    candidates = xlsx_bytes(
        [
            ["身份证号", "姓名", "申报条件", "从业起始日期"],
            [a, "职工1", "4-years", date(2015, 1, 1)],
            [b, "职工2", "4-years", "2015-06-01"],
        ]
    )
    report = ledger.evaluations.import_candidates(
        session.evaluation_id, candidates, dry_run=False, actor="issuer"
    )
    assert (report.format, report.recorded, report.changes["enrolled"]) == ("xlsx", True, 2)
    scores = xlsx_bytes(
        [
            ["身份证号", "理论知识", "理论考评员", "操作技能", "操作技能考评员"],
            [a, 80, "丁", 85.5, "甲"],  # a number cell 85.5 is read as the decimal 85.5
            [a, None, None, 85.5, "乙"],
            [a, None, None, "85.5", "丙"],
            [b, "75", "丁", 60, "乙"],
        ]
    )
    report = ledger.evaluations.import_scores(
        session.evaluation_id, scores, dry_run=False, actor="issuer"
    )
    assert report.recorded and report.changes["scores"] == 6
    practical = session.evaluation.candidate(staff[0])["scores"]["practical"]
    assert practical["score"] == "85.5"


def test_an_id_number_in_a_number_cell_is_refused_not_guessed(
    ledger: Ledger, session: Session, staff: list
) -> None:
    a = ids(session, staff)[0]
    data = xlsx_bytes([["身份证号", "姓名", "申报条件"], [int(a[:15]), "职工1", "4-years"]])
    report = ledger.evaluations.import_candidates(
        session.evaluation_id, data, dry_run=True, actor="issuer"
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "身份证号")]
    assert "store ID numbers as text" in report.problems[0].message


def test_gb18030_csv_from_chinese_excel_is_read(
    ledger: Ledger, session: Session, staff: list
) -> None:
    a = ids(session, staff)[0]
    data = csv_bytes(
        "身份证号,姓名,申报条件,从业起始日期", f"{a},职工1,4-years,2015-01-01", encoding="gb18030"
    )
    report = ledger.evaluations.import_candidates(
        session.evaluation_id, data, dry_run=False, actor="issuer"
    )
    assert report.recorded


def test_unreadable_unknown_or_incomplete_files_are_problems_at_row_1(
    ledger: Ledger, session: Session
) -> None:
    cases = {
        b"": [(1, "", "the file is empty or has no header row")],
        b"PK\x03\x04not really a workbook": [(1, "", "file: not a readable XLSX workbook")],
        csv_bytes("身份证号,姓名,户口所在地"): [
            (
                1,
                "户口所在地",
                "unknown column; known columns: "
                + ", ".join(
                    [
                        "id_number",
                        "id_kind",
                        "name",
                        "route",
                        "evidence_reference",
                        "experience_since",
                        "experience_until",
                        "diploma_kind",
                        "diploma_awarded_on",
                        "title_series",
                        "title_grade",
                        "title_awarded_on",
                    ]
                ),
            ),
            (1, "route", "required column is missing"),
        ],
    }
    for data, expected in cases.items():
        report = ledger.evaluations.import_candidates(
            session.evaluation_id, data, dry_run=False, actor="t"
        )
        assert problems(report) == expected
        assert not report.recorded


def test_an_s_body_import_registers_new_workers_in_the_same_save(
    ledger: Ledger, clock: SteppingClock
) -> None:
    school = plan_session(ledger, clock, kind=OrganisationKind.SOCIAL, filing=2)
    newcomer = id_number(321)
    data = csv_bytes(
        "身份证号,姓名,申报条件,从业起始日期", f"{newcomer.reveal()},新学员,4-years,2015-01-01"
    )
    before = ledger.log_position
    report = ledger.evaluations.import_candidates(
        school.evaluation_id, data, dry_run=False, actor="issuer"
    )
    assert report.changes == {"enrolled": 1, "registered": 1}
    worker = ledger.worker(ledger.worker_id_for(newcomer))
    assert (worker.name, worker.masked_id_number) == ("新学员", newcomer.masked)
    assert str(worker.id) in school.evaluation.candidates
    assert report.position == ledger.log_position > before


def test_nothing_is_imported_into_a_published_session(ledger: Ledger, session: Session) -> None:
    session.candidate_with(theory=80, practical=80)
    session.publish(PUBLISH_DAY)
    with pytest.raises(DomainRuleViolation) as excinfo:
        ledger.evaluations.import_candidates(
            session.evaluation_id, b"x", dry_run=True, actor="issuer"
        )
    assert excinfo.value.rule == "evaluation-is-published"


def test_a_batch_never_enrols_or_scores_a_candidate_twice(
    ledger: Ledger, session: Session, staff: list
) -> None:
    evaluation = session.evaluation
    body = ledger.organisation(session.body_id)
    worker = ledger.worker(staff[0])
    today = ledger.china_today()
    route = ledger.evaluations.eligibility_route(evaluation, "4-years", today)
    facts = candidate_facts(
        {"experience": [{"start": "2015-01-01", "end": None}]}, evaluation.occupation_code, []
    )
    enrolment = evaluation.enrolment(
        body=body, worker=worker, route=route, facts=facts, on=today, actor="issuer"
    )
    with pytest.raises(DomainRuleViolation) as twice_in_a_batch:
        evaluation.enrol_all([enrolment, enrolment])
    assert twice_in_a_batch.value.rule == "already-enrolled"
    assert evaluation.candidates == {}  # nothing of the refused batch
    evaluation.enrol_all([enrolment])
    with pytest.raises(DomainRuleViolation) as again:
        evaluation.enrol_all([enrolment])
    assert again.value.rule == "already-enrolled"
    score = evaluation.score(
        body=body,
        worker_id=worker.id,
        component="theory",
        score="80",
        examiner="丁",
        on=today,
        actor="issuer",
    )
    with pytest.raises(DomainRuleViolation) as twice_in_a_batch:
        evaluation.record_scores([score, score])
    assert twice_in_a_batch.value.rule == "score-already-recorded"
    assert evaluation.candidate(worker.id)["scores"] == {}
    evaluation.record_scores([score])
    assert evaluation.candidate(worker.id)["scores"]["theory"]["score"] == "80"
    with pytest.raises(DomainRuleViolation) as again:
        evaluation.record_scores([score])
    assert again.value.rule == "score-already-recorded"
