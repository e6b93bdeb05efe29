"""Marking through the ledger: judges' marks, trimmed means, flagged spreads, corrections, locks.

Every test runs on a SQLite file and on a PostgreSQL schema (the ``ledger`` fixture).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.competition import MarkEntry
from domain.errors import DomainRuleViolation, InvalidValue
from tests.competition.arena import JUDGES, ORGANISER, Arena


def rule_of(excinfo: pytest.ExceptionInfo[DomainRuleViolation]) -> str:
    return excinfo.value.rule


def test_trimmed_mean_drops_the_highest_and_lowest_judge_and_flags_a_wide_spread(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    arena.ledger.competitions.record_marks(
        competition,
        [
            MarkEntry(worker, "practical", "甲", "80"),
            MarkEntry(worker, "practical", "乙", "90.50"),
            MarkEntry(worker, "practical", "丙", "100"),
            MarkEntry(worker, "theory", "甲", "70"),
            MarkEntry(worker, "theory", "乙", 72),
            MarkEntry(worker, "theory", "丙", "75"),
        ],
        actor=ORGANISER,
    )
    loaded = arena.ledger.competition(competition)
    practical = loaded.scheme.score_component(
        "practical", loaded.component_marks(worker, "practical")
    )
    assert practical.score == Decimal("90.50")  # 80 and 100 dropped
    assert practical.spread == Decimal("20") and practical.flagged  # 20 > max_spread 10
    assert loaded.needs_review(worker, "practical")
    assert not loaded.needs_review(worker, "theory")  # spread 5
    with pytest.raises(DomainRuleViolation) as refused:
        arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    assert rule_of(refused) == "flagged-marks-unreviewed"
    assert "entrant(s) 1" in refused.value.detail
    arena.ledger.competitions.lock_component(
        competition, "theory", actor=ORGANISER
    )  # theory is clean


def test_a_review_confirms_exactly_the_marks_it_saw(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    arena.mark(competition, {worker: ("80", "80")})
    arena.correct(competition, worker, "practical", JUDGES[0], "95", "录入错误: 95 recorded as 80")
    assert arena.ledger.competition(competition).needs_review(worker, "practical")
    arena.ledger.competitions.review_spread(
        competition,
        worker_id=worker,
        component="practical",
        note="复核: 甲 saw a finished joint the others missed; marks stand",
        actor=ORGANISER,
    )
    assert not arena.ledger.competition(competition).needs_review(worker, "practical")
    with pytest.raises(DomainRuleViolation) as twice:
        arena.ledger.competitions.review_spread(
            competition, worker_id=worker, component="practical", note="again", actor="x"
        )
    assert rule_of(twice) == "nothing-to-review"
    # a later correction that keeps the spread wide needs a new review
    arena.correct(competition, worker, "practical", JUDGES[1], "70", "second look")
    with pytest.raises(DomainRuleViolation) as stale:
        arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    assert rule_of(stale) == "flagged-marks-unreviewed"


def test_a_correction_clears_a_flag_and_keeps_the_previous_mark_in_history(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    arena.mark(competition, {worker: ("80", "80")})
    arena.correct(competition, worker, "theory", JUDGES[2], "99", "typo")
    arena.correct(competition, worker, "theory", JUDGES[2], "81.5", "the answer sheet says 81.5")
    loaded = arena.ledger.competition(competition)
    assert loaded.component_marks(worker, "theory") == {
        JUDGES[0]: "80",
        JUDGES[1]: "80",
        JUDGES[2]: "81.5",
    }
    assert [(c["previous"], c["mark"], c["reason"]) for c in loaded.corrections] == [
        ("80", "99", "typo"),
        ("99", "81.5", "the answer sheet says 81.5"),
    ]
    assert not loaded.needs_review(worker, "theory")
    topics = [stored.topic for stored in arena.ledger.recorder.select_events(competition)]
    assert topics.count("craftledger:Competition.MarksRecorded") == 1  # never rewritten
    assert topics.count("craftledger:Competition.MarkCorrected") == 2


@pytest.mark.parametrize(
    ("judge", "mark", "reason", "rule"),
    [
        (JUDGES[0], "90", "", "reason-required"),
        (JUDGES[0], "90", "   ", "reason-required"),
        (JUDGES[0], "80.00", "same", "correction-changes-nothing"),
        ("judge-丁", "90", "no such mark", "no-mark-to-correct"),
    ],
)
def test_corrections_need_a_reason_and_an_existing_different_mark(
    arena: Arena, judge: str, mark: str, reason: str, rule: str
):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    arena.mark(competition, {worker: ("80", "80")})
    with pytest.raises(DomainRuleViolation) as refused:
        arena.correct(competition, worker, "practical", judge, mark, reason)
    assert rule_of(refused) == rule


def test_a_judge_marks_once_and_a_batch_is_all_or_nothing(arena: Arena):
    competition = arena.announce()
    first, second = arena.worker(), arena.worker()
    arena.enter(competition, [first, second])
    arena.ledger.competitions.record_mark(
        competition, worker_id=first, component="practical", judge="甲", mark="80", actor="t"
    )
    version = arena.ledger.competition(competition).version
    with pytest.raises(DomainRuleViolation) as again:
        arena.ledger.competitions.record_marks(
            competition,
            [
                MarkEntry(second, "practical", "甲", "70"),
                MarkEntry(first, "practical", "甲", "85"),
            ],
            actor="t",
        )
    assert rule_of(again) == "mark-already-recorded"
    assert arena.ledger.competition(competition).version == version  # nothing saved
    with pytest.raises(DomainRuleViolation) as twice_in_one_sheet:
        arena.ledger.competitions.record_marks(
            competition,
            [MarkEntry(second, "theory", "乙", "70"), MarkEntry(second, "theory", "乙", "71")],
            actor="t",
        )
    assert rule_of(twice_in_one_sheet) == "mark-already-recorded"


@pytest.mark.parametrize(
    ("mark", "field"),
    [(80.5, "mark"), ("100.01", "mark"), ("-1", "mark"), ("80.123", "mark"), (True, "mark")],
)
def test_marks_are_exact_decimals_from_0_to_100(arena: Arena, mark: object, field: str):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    with pytest.raises(InvalidValue) as refused:
        arena.ledger.competitions.record_mark(
            competition, worker_id=worker, component="practical", judge="甲", mark=mark, actor="t"
        )
    assert refused.value.field.startswith(field)


def test_marks_name_a_component_of_the_scheme_and_a_registered_entrant(arena: Arena):
    competition = arena.announce()
    worker, stranger = arena.worker(), arena.worker()
    arena.enter(competition, [worker])
    with pytest.raises(InvalidValue):
        arena.ledger.competitions.record_mark(
            competition, worker_id=worker, component="oral", judge="甲", mark="80", actor="t"
        )
    with pytest.raises(DomainRuleViolation) as outsider:
        arena.ledger.competitions.record_mark(
            competition, worker_id=stranger, component="theory", judge="甲", mark="80", actor="t"
        )
    assert rule_of(outsider) == "not-an-entrant"


def test_lock_refuses_later_marks_and_corrections(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    arena.mark(competition, {worker: ("80", "80")})
    arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    with pytest.raises(DomainRuleViolation) as late_mark:
        arena.ledger.competitions.record_mark(
            competition, worker_id=worker, component="practical", judge="丁", mark="80", actor="t"
        )
    assert rule_of(late_mark) == "component-locked"
    with pytest.raises(DomainRuleViolation) as late_correction:
        arena.correct(competition, worker, "practical", JUDGES[0], "81", "after the lock")
    assert rule_of(late_correction) == "component-locked"
    with pytest.raises(DomainRuleViolation) as twice:
        arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    assert rule_of(twice) == "component-locked"
    # the other component is still open
    arena.correct(competition, worker, "theory", JUDGES[0], "81", "theory is not locked")
    with pytest.raises(DomainRuleViolation) as closed:
        arena.enter(competition, [arena.worker()])
    assert rule_of(closed) == "registration-closed"


def test_a_trimmed_mean_component_locks_only_with_three_judges_for_everyone(arena: Arena):
    competition = arena.announce()
    first, second = arena.worker(), arena.worker()
    arena.enter(competition, [first, second])
    arena.mark(competition, {first: ("80", "80")})
    arena.ledger.competitions.record_marks(
        competition,
        [MarkEntry(second, "practical", judge, "80") for judge in JUDGES[:2]],
        actor=ORGANISER,
    )
    with pytest.raises(DomainRuleViolation) as short:
        arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    assert rule_of(short) == "marks-incomplete"
    assert "entrant(s) 2" in short.value.detail
    arena.ledger.competitions.withdraw_entrant(
        competition, second, reason="缺考 (absent)", actor=ORGANISER
    )
    arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    with pytest.raises(DomainRuleViolation) as withdrawn:
        arena.ledger.competitions.record_mark(
            competition, worker_id=second, component="theory", judge="甲", mark="80", actor="t"
        )
    assert rule_of(withdrawn) == "entrant-withdrawn"


def test_entrants_are_registered_workers_once_with_their_employer(arena: Arena):
    competition = arena.announce()
    worker = arena.worker("王师傅")
    student = arena.worker("李同学", employed=False)
    arena.enter(competition, [worker])
    arena.enter(competition, [student], "student")
    loaded = arena.ledger.competition(competition)
    employee = loaded.entrant(worker)
    assert employee["entrant_number"] == 1 and employee["name"] == "王师傅"
    assert employee["employer_id"] == str(arena.employer)
    assert employee["employer_name"] == "天津港集团"
    assert loaded.entrant(student)["employer_name"] == "天津职业技术学院"
    with pytest.raises(DomainRuleViolation) as twice:
        arena.enter(competition, [worker])
    assert rule_of(twice) == "already-registered"
    outsider = arena.worker("外单位", employed=False)
    with pytest.raises(DomainRuleViolation) as not_staff:
        arena.ledger.competitions.register_entrant(
            competition,
            worker_id=outsider,
            entrant_kind="employee",
            employer_id=arena.employer,
            actor=ORGANISER,
        )
    assert rule_of(not_staff) == "not-employed-by"
    with pytest.raises(InvalidValue):  # an unemployed employee must name whom they compete for
        arena.enter(competition, [outsider])
