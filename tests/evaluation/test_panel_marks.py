"""A component's score is the panel's result: every examiner on the panel marks it, the score is
the mean of their marks, and a session recorded before that rule keeps its one-mark results."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import DomainRuleViolation
from domain.evaluation import Evaluation
from domain.evaluation.panel import panel_result
from domain.skill_level import SkillLevel
from service.ledger import Ledger
from tests.evaluation.session_api import BASE, Api, enrol, mark, plan
from tests.factories import (
    CONFIRM_DAY,
    ELECTRICIAN,
    PUBLISH_DAY,
    SESSION_END,
    SESSION_START,
    file_employer,
)
from tests.factories.sessions import Session as SessionFactory
from tests.support.assertions import rule_of
from tests.support.clocks import SteppingClock, on_day


def test_two_marks_of_a_three_examiner_panel_are_not_enough_to_publish_or_confirm(
    api: Api,
) -> None:
    evaluation = plan(api)
    path = f"{BASE}/{evaluation}"
    on_day(api.clock, SESSION_END)
    worker = api.staff[0]
    enrol(api, path, worker)
    mark(api, path, worker, "theory", 90, "丁")
    mark(api, path, worker, "practical", 80, "甲")
    two = mark(api, path, worker, "practical", 70, "乙")
    assert two["result"] == "incomplete"
    assert two["progress"]["practical"]["missing"] == ["丙"]
    again = api.call(
        "POST",
        f"{path}/scores",
        json={"worker_id": str(worker), "component": "practical", "score": 75, "examiner": "乙"},
    )
    assert again.status_code == 422 and again.json["rule"] == "score-already-recorded"
    session = api.call("GET", path).json
    assert session["scoring"] == "panel-mean"
    assert session["progress"]["practical"]["marks_missing"] == {"甲": 0, "乙": 0, "丙": 1}
    assert session["progress"]["theory"]["rule"] == "single-mark"

    on_day(api.clock, PUBLISH_DAY)
    refused = api.call("POST", f"{path}/publish", json={})
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert refused.json["rule"] == "scores-missing"
    assert "practical (not yet marked by 丙)" in refused.json["detail"]
    not_confirmable = api.call("POST", f"{path}/confirm", json={})
    assert not_confirmable.status_code == 422
    assert not_confirmable.json["rule"] == "evaluation-is-planned"

    three = mark(api, path, worker, "practical", "59.5", "丙")
    # (80 + 70 + 59.5) / 3 = 69.833… → 69.83: the panel's mean, rounded half up
    assert three["scores"]["practical"]["score"] == "69.83"
    assert three["scores"]["practical"]["examiners"] == ["甲", "乙", "丙"]
    assert three["result"] == "passed"
    assert api.call("POST", f"{path}/publish", json={}).status_code == 200


@pytest.mark.parametrize(
    ("marks", "mean"),
    [(["80", "70", "59.5"], "69.83"), (["60", "60", "59.99"], "60"), (["59", "60", "60"], "59.67")],
)
def test_the_panels_result_is_the_mean_rounded_half_up(marks: list[str], mean: str) -> None:
    assert panel_result(marks) == mean


def test_a_review_panel_of_five_needs_five_marks(make_session: Any) -> None:
    technicians = make_session(
        level=SkillLevel.LEVEL_2,
        reference="EV-T",
        filing=2,
        panels={"practical": ["甲", "乙", "丙"], "review": ["A", "B", "C", "D", "E"]},
    )
    worker = technicians.hire("王工")
    technicians.enrol(worker, route="2-direct-recognition", evidence={"evidence_reference": "核准"})
    technicians.score(worker, theory=90, practical=90)
    for examiner in ("A", "B", "C", "D"):
        technicians.ledger.evaluations.record_score(
            technicians.evaluation_id,
            worker_id=worker,
            component="review",
            score=70,
            examiner=examiner,
            actor="issuer",
        )
    evaluation = technicians.evaluation
    progress = evaluation.progress(evaluation.candidate(worker))["review"]
    assert (progress["marked_by"], progress["missing"]) == (["A", "B", "C", "D"], ["E"])
    assert evaluation.result_of(evaluation.candidate(worker)).value == "incomplete"


def _plan_before_the_rule(ledger: Ledger, clock: SteppingClock) -> SessionFactory:
    """A session whose ``Planned`` event was stored before the panel rule: no ``scoring``."""
    on_day(clock, SESSION_START)
    body = file_employer(ledger, code="11-Y-000009", prefix="Y000011000009")
    evaluation = Evaluation.plan(
        body=ledger.organisation(body.id),
        reference="EV-OLD",
        occupation=ledger.occupation(ELECTRICIAN),
        level=SkillLevel.LEVEL_4,
        starts_on=SESSION_START,
        ends_on=SESSION_END,
        panels={"practical": ["甲", "乙", "丙"]},
        actor="issuer",
    )
    (planned,) = evaluation._pending_events  # writing an old event's shape
    object.__delattr__(planned, "scoring")
    ledger.record(evaluation)
    on_day(clock, SESSION_END)
    return SessionFactory(ledger, clock, body.id, evaluation.id, SkillLevel.LEVEL_4)


def test_a_session_recorded_before_the_rule_keeps_its_one_mark_results(
    ledger: Ledger, clock: SteppingClock
) -> None:
    old = _plan_before_the_rule(ledger, clock)
    assert old.evaluation.scoring == "single-mark"
    worker = old.hire("张三")
    old.enrol(worker)
    for component, examiner in (("theory", "丁"), ("practical", "甲")):
        ledger.evaluations.record_score(
            old.evaluation_id,
            worker_id=worker,
            component=component,
            score=80,
            examiner=examiner,
            actor="issuer",
        )
    evaluation = old.evaluation  # replayed from the store
    candidate = evaluation.candidate(worker)
    assert candidate["scores"]["practical"]["examiner"] == "甲"
    assert evaluation.result_of(candidate).value == "passed"
    assert evaluation.progress(candidate)["practical"]["rule"] == "single-mark"
    with pytest.raises(DomainRuleViolation) as excinfo:
        ledger.evaluations.record_score(
            old.evaluation_id,
            worker_id=worker,
            component="practical",
            score=70,
            examiner="乙",
            actor="issuer",
        )
    assert rule_of(excinfo) == "score-already-recorded"
    old.publish(PUBLISH_DAY)
    recorded = old.confirm(CONFIRM_DAY)
    assert recorded.aggregate.issued["count"] == 1
