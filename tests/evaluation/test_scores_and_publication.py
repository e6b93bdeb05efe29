"""Scores (no averaging, reasoned corrections), publication windows on the real calendar,
and objections."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainRuleViolation, InvalidValue
from domain.skill_level import SkillLevel
from service.ledger import Ledger
from tests.factories import (
    CONFIRM_DAY,
    PUBLISH_DAY,
    SESSION_START,
    WINDOW_END,
    Session,
    plan_session,
)
from tests.support.assertions import events_of, rule_of
from tests.support.clocks import SteppingClock, on_day

# -- scores -------------------------------------------------------------------------------------


def test_every_component_must_reach_60_there_is_no_averaging(session: Session) -> None:
    brilliant_theorist = session.candidate_with("张三", theory=100, practical="59.5")
    just_enough = session.candidate_with("李四", theory=60, practical="60.00")
    evaluation = session.evaluation
    result = {c["name"]: evaluation.result_of(c).value for c in evaluation.candidates.values()}
    assert result == {"张三": "failed", "李四": "passed"}  # 张三 averages 79.75: still failed
    assert evaluation.failed_components(evaluation.candidate(brilliant_theorist)) == ["practical"]
    assert evaluation.passing_worker_ids() == [just_enough]


def test_technicians_also_need_the_comprehensive_review(
    ledger: Ledger, clock: SteppingClock
) -> None:
    technicians = plan_session(ledger, clock, level=SkillLevel.LEVEL_2)
    worker = technicians.hire("王工")
    technicians.enrol(worker, route="2-direct-recognition", evidence={"evidence_reference": "核准"})
    technicians.score(worker, theory=90, practical=90)
    evaluation = technicians.evaluation
    assert evaluation.result_of(evaluation.candidate(worker)).value == "incomplete"
    technicians.score(worker, review="59.99")
    evaluation = technicians.evaluation
    assert evaluation.result_of(evaluation.candidate(worker)).value == "failed"


@pytest.mark.parametrize("bad", [85.5, 60.0, True, "85.555", "101", "-1", "八十", 150, None])
def test_scores_are_integers_or_decimal_strings_never_floats(session: Session, bad) -> None:
    worker = session.hire()
    session.enrol(worker)
    with pytest.raises(InvalidValue) as excinfo:
        session.score(worker, theory=bad)
    assert excinfo.value.field == "score"
    assert session.evaluation.candidate(worker)["scores"] == {}


def test_scores_are_kept_as_exact_decimal_strings(session: Session) -> None:
    worker = session.candidate_with(theory="59.90", practical=100)
    scores = session.evaluation.candidate(worker)["scores"]
    assert (scores["theory"]["score"], scores["practical"]["score"]) == ("59.9", "100")


@pytest.mark.parametrize(
    ("component", "examiner", "rule", "detail"),
    [
        ("practical", "戊", "examiner-not-on-panel", "not on the practical panel (甲, 乙, 丙)"),
        ("theory", " ", "examiner-required", ""),
        ("review", "评审甲", "unknown-component", ""),
    ],
)
def test_a_score_is_given_by_a_named_examiner_of_the_components_panel(
    session: Session, component: str, examiner: str, rule: str, detail: str
) -> None:
    worker = session.hire()
    session.enrol(worker)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.ledger.evaluations.record_score(
            session.evaluation_id,
            worker_id=worker,
            component=component,
            score=80,
            examiner=examiner,
            actor="issuer",
        )
    assert rule_of(excinfo) == rule
    assert detail in excinfo.value.detail
    assert session.evaluation.candidate(worker)["scores"] == {}


def test_scores_only_for_candidates_and_not_before_the_session(session: Session) -> None:
    stranger = session.hire()
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.score(stranger, theory=80)
    assert rule_of(excinfo) == "not-enrolled"
    session.enrol(stranger)
    on_day(session.clock, date(2024, 9, 8))
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.score(stranger, theory=80)
    assert rule_of(excinfo) == "session-not-started"
    on_day(session.clock, SESSION_START)
    session.score(stranger, theory=80)
    assert session.evaluation.candidate(stranger)["scores"]["theory"]["score"] == "80"


def test_a_correction_is_a_new_event_with_a_reason_and_the_old_score_stays(
    session: Session,
) -> None:
    worker = session.candidate_with(theory=80, practical=58)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.score(worker, practical=62)
    assert rule_of(excinfo) == "score-already-recorded"
    correct = session.ledger.evaluations.correct_score
    with pytest.raises(DomainRuleViolation) as excinfo:
        correct(
            session.evaluation_id,
            worker_id=worker,
            component="practical",
            score=62,
            examiner="乙",
            reason="  ",
            actor="issuer",
        )
    assert rule_of(excinfo) == "reason-required"
    correct(
        session.evaluation_id,
        worker_id=worker,
        component="practical",
        score=64,
        examiner="乙",
        reason="复核发现漏计一项操作分",
        actor="issuer",
    )
    evaluation = session.evaluation
    # the component's score is the panel's mean: (58 + 64 + 58) / 3 = 60
    assert evaluation.candidate(worker)["scores"]["practical"]["score"] == "60"
    mark = evaluation.candidate(worker)["marks"]["practical"]["乙"]
    assert (mark["score"], mark["examiner"]) == ("64", "乙")
    assert mark["corrections"] == [
        {
            "previous": "58",
            "previous_examiner": "乙",
            "score": "64",
            "examiner": "乙",
            "reason": "复核发现漏计一项操作分",
            "on": "2024-09-20",
            "actor": "issuer",
        }
    ]
    assert evaluation.result_of(evaluation.candidate(worker)).value == "passed"
    kinds = [type(e).__name__ for e in events_of(session.ledger, session.evaluation_id)]
    assert kinds[-3:] == ["ScoreRecorded", "ScoreRecorded", "ScoreCorrected"]
    recorded = [
        e
        for e in events_of(session.ledger, session.evaluation_id)
        if type(e).__name__ == "ScoreRecorded" and e.component == "practical"
    ]
    assert recorded[0].score == "58"  # the original event is never edited


def test_a_correction_needs_a_score_to_correct_and_a_change(session: Session) -> None:
    worker = session.hire()
    session.enrol(worker)
    arguments = dict(worker_id=worker, component="theory", examiner="丁", actor="issuer")
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.ledger.evaluations.correct_score(
            session.evaluation_id, score=70, reason="r", **arguments
        )
    assert rule_of(excinfo) == "no-score-to-correct"
    session.score(worker, theory=70)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.ledger.evaluations.correct_score(
            session.evaluation_id, score="70.0", reason="r", **arguments
        )
    assert rule_of(excinfo) == "correction-changes-nothing"


# -- publication --------------------------------------------------------------------------------


def test_the_window_counts_working_days_on_the_chinese_calendar_with_make_up_days(
    session: Session,
) -> None:
    session.candidate_with(theory=80, practical=80)
    published = session.publish(PUBLISH_DAY).aggregate.publication
    # Fri 09-27 → Sun 09-29 (make-up workday), Mon 09-30, [National Day 10-01..07],
    # Tue 10-08, Wed 10-09, Thu 10-10
    assert published["published_on"] == "2024-09-27"
    assert published["working_days"] == 5
    assert published["window_ends_on"] == WINDOW_END.isoformat()
    assert published["calendar"].startswith("chinesecalendar ")
    assert published["results"] == {"passed": 1, "failed": 0, "incomplete": 0, "withdrawn": 0}


def test_spring_festival_make_up_sunday_counts_and_the_holiday_week_does_not(
    ledger: Ledger, clock: SteppingClock
) -> None:
    session = plan_session(ledger, clock)
    session.candidate_with(theory=80, practical=80)
    # 2025: Sun 01-26 is a make-up workday; 01-28..02-04 are the Spring Festival holiday
    published = session.publish(date(2025, 1, 24), working_days=3).aggregate.publication
    assert published["window_ends_on"] == "2025-02-05"


def test_the_window_length_is_configurable(make_ledger, clock: SteppingClock) -> None:
    ledger = make_ledger(clock=clock, env={"CRAFTLEDGER_PUBLICATION_WORKING_DAYS": "7"})
    session = plan_session(ledger, clock)
    session.candidate_with(theory=80, practical=80)
    published = session.publish(PUBLISH_DAY).aggregate.publication
    assert (published["working_days"], published["window_ends_on"]) == (7, "2024-10-12")


def test_publication_needs_every_score_and_the_session_over(session: Session) -> None:
    worker = session.hire("张三")
    session.enrol(worker)
    session.score(worker, theory=80)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.publish(PUBLISH_DAY)
    assert rule_of(excinfo) == "scores-missing"
    masked = session.ledger.worker(worker).masked_id_number
    assert excinfo.value.detail == (
        "1 candidates of EV-2024-09 lack scores (a component is scored when every examiner on "
        f"its panel has marked it): 张三 ({masked}) lacks practical (not yet marked by 甲, 乙, 丙)"
    )
    session.score(worker, practical=80)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.publish(date(2024, 9, 19))
    assert rule_of(excinfo) == "session-not-ended"


def test_a_session_without_candidates_is_not_published(session: Session) -> None:
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.publish(PUBLISH_DAY)
    assert rule_of(excinfo) == "no-candidates"


def test_after_publication_nothing_is_enrolled_or_scored(session: Session) -> None:
    worker = session.candidate_with(theory=80, practical=80)
    session.publish(PUBLISH_DAY)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(session.hire("迟到者"))
    assert rule_of(excinfo) == "evaluation-is-published"
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.ledger.evaluations.correct_score(
            session.evaluation_id,
            worker_id=worker,
            component="theory",
            score=90,
            examiner="丁",
            reason="r",
            actor="issuer",
        )
    assert rule_of(excinfo) == "results-published"


# -- objections ---------------------------------------------------------------------------------


def lodge(session: Session, worker, day: date, grounds: str = "疑似替考") -> str:
    on_day(session.clock, day)
    recorded = session.ledger.evaluations.lodge_objection(
        session.evaluation_id, worker_id=worker, grounds=grounds, lodged_by="匿名", actor="issuer"
    )
    return list(recorded.aggregate.objections)[-1]


def resolve(session: Session, objection: str, outcome: str, reason: str = "经核查") -> None:
    session.ledger.evaluations.resolve_objection(
        session.evaluation_id, objection, outcome=outcome, reason=reason, actor="issuer"
    )


def test_objections_are_lodged_until_the_last_day_of_the_window(session: Session) -> None:
    worker = session.candidate_with(theory=80, practical=80)
    session.publish(PUBLISH_DAY)
    assert lodge(session, worker, WINDOW_END) == "O-1"
    with pytest.raises(DomainRuleViolation) as excinfo:
        lodge(session, worker, CONFIRM_DAY)
    assert rule_of(excinfo) == "publication-window-closed"
    assert "ended on 2024-10-10" in excinfo.value.detail


def test_an_upheld_objection_withdraws_the_result_with_its_reason(session: Session) -> None:
    cheat = session.candidate_with("张三", theory=90, practical=95)
    honest = session.candidate_with("李四", theory=80, practical=80)
    session.publish(PUBLISH_DAY)
    first = lodge(session, cheat, date(2024, 9, 30), "实操考试由他人替考")
    second = lodge(session, honest, date(2024, 9, 30), "成绩过高")
    resolve(session, first, "upheld", "监控录像证实替考")
    resolve(session, second, "dismissed", "复核成绩无误")
    evaluation = session.evaluation
    withdrawn = evaluation.candidate(cheat)["withdrawn"]
    assert withdrawn == {"reason": "监控录像证实替考", "objection_id": "O-1", "on": "2024-09-30"}
    assert evaluation.result_of(evaluation.candidate(cheat)).value == "withdrawn"
    assert evaluation.result_of(evaluation.candidate(honest)).value == "passed"
    assert evaluation.objections[second]["resolution"]["outcome"] == "dismissed"
    certificates = session.confirm(CONFIRM_DAY).aggregate.candidates
    assert certificates[str(cheat)]["certificate_number"] is None
    assert certificates[str(honest)]["certificate_number"] is not None


def test_an_objection_is_resolved_once_with_a_reason(session: Session) -> None:
    worker = session.candidate_with(theory=80, practical=80)
    session.publish(PUBLISH_DAY)
    objection = lodge(session, worker, date(2024, 9, 30))
    with pytest.raises(DomainRuleViolation) as excinfo:
        resolve(session, objection, "dismissed", " ")
    assert rule_of(excinfo) == "reason-required"
    with pytest.raises(InvalidValue):
        resolve(session, objection, "ignored")
    resolve(session, objection, "dismissed")
    with pytest.raises(DomainRuleViolation) as excinfo:
        resolve(session, objection, "upheld")
    assert rule_of(excinfo) == "objection-already-resolved"
    with pytest.raises(DomainRuleViolation) as excinfo:
        resolve(session, "O-9", "upheld")
    assert rule_of(excinfo) == "unknown-objection"


def test_no_objection_before_publication_or_about_a_non_candidate(session: Session) -> None:
    worker = session.candidate_with(theory=80, practical=80)
    with pytest.raises(DomainRuleViolation) as excinfo:
        lodge(session, worker, date(2024, 9, 26))
    assert rule_of(excinfo) == "evaluation-is-planned"
    session.publish(PUBLISH_DAY)
    with pytest.raises(DomainRuleViolation) as excinfo:
        lodge(session, session.hire("路人"), date(2024, 9, 30))
    assert rule_of(excinfo) == "not-enrolled"
