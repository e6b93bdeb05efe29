"""Planning a session and enrolling candidates: scope, body status, panels, own staff, routes."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainRuleViolation, InvalidValue
from domain.organisation import OrganisationKind
from domain.skill_level import SkillLevel
from domain.worker import EmploymentRelation
from service.ledger import Ledger
from tests.factories import (
    ELECTRICIAN,
    ESTATE_AGENT,
    LONG_SERVICE,
    SESSION_END,
    SESSION_START,
    Session,
    file_employer,
    plan_session,
)
from tests.support.assertions import rule_of
from tests.support.clocks import SteppingClock, on_day

# -- plan ---------------------------------------------------------------------------------------


def plan(ledger: Ledger, body_id, level=SkillLevel.LEVEL_4, panels=None, **kwargs):
    return ledger.evaluations.plan_evaluation(
        body_id=body_id,
        reference=kwargs.pop("reference", "EV-1"),
        occupation_code=kwargs.pop("occupation_code", ELECTRICIAN),
        level=level,
        starts_on=kwargs.pop("starts_on", SESSION_START),
        ends_on=kwargs.pop("ends_on", SESSION_END),
        panels=panels if panels is not None else {"practical": ["甲", "乙", "丙"]},
        actor="issuer",
    )


def test_a_session_lists_theory_and_practical_and_for_technicians_the_review(
    ledger: Ledger,
) -> None:
    body = file_employer(ledger, scope={ELECTRICIAN: ["4", "2"]})
    level_4 = plan(ledger, body.id).aggregate
    technician = plan(
        ledger,
        body.id,
        SkillLevel.LEVEL_2,
        {"practical": ["甲", "乙", "丙"], "review": ["A", "B", "C", "D", "E"]},
        reference="EV-2",
    ).aggregate
    assert level_4.components == ["theory", "practical"]
    assert technician.components == ["theory", "practical", "review"]
    assert (level_4.starts_on, level_4.ends_on) == ("2024-09-09", "2024-09-20")
    assert level_4.status == "planned"


def test_a_session_outside_the_filed_scope_is_refused(ledger: Ledger) -> None:
    body = file_employer(ledger, scope={ELECTRICIAN: ["5", "4"]})
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(ledger, body.id, SkillLevel.LEVEL_3)
    assert rule_of(excinfo) == "outside-filed-scope"
    assert "三级" in excinfo.value.detail
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(ledger, body.id, occupation_code="6-18-02-04")
    assert rule_of(excinfo) == "outside-filed-scope"


def test_a_level_the_occupation_does_not_have_is_refused(ledger: Ledger) -> None:
    body = file_employer(ledger, scope={ESTATE_AGENT: ["4"]})
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(ledger, body.id, SkillLevel.LEVEL_5, occupation_code=ESTATE_AGENT)
    assert rule_of(excinfo) == "level-not-allowed-for-occupation"


@pytest.mark.parametrize(
    ("action", "rule"), [("suspend", "issuer-suspended"), ("revoke", "issuer-revoked")]
)
def test_a_suspended_or_revoked_body_plans_nothing(ledger: Ledger, action: str, rule: str) -> None:
    body = file_employer(ledger)
    ledger.organisations.change_organisation_status(
        body.id, action, actor="admin", reason="质量督导检查"
    )
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(ledger, body.id)
    assert rule_of(excinfo) == rule


@pytest.mark.parametrize(
    ("panels", "detail"),
    [
        ({"practical": ["甲", "乙"]}, "has 2"),
        ({"practical": ["甲", "乙", "丙", "丁"]}, "has 4"),
        ({"practical": []}, "has 0"),
        ({}, "has 0"),
    ],
)
def test_the_practical_panel_is_an_odd_number_of_at_least_three(
    ledger: Ledger, panels: dict, detail: str
) -> None:
    body = file_employer(ledger)
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(ledger, body.id, panels=panels)
    assert rule_of(excinfo) == "panel-size"
    assert "practical panel needs an odd number of at least 3" in excinfo.value.detail
    assert detail in excinfo.value.detail


def test_a_technician_session_needs_a_lawful_review_panel_too(ledger: Ledger) -> None:
    body = file_employer(ledger, scope={ELECTRICIAN: ["2"]})
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(ledger, body.id, SkillLevel.LEVEL_2, {"practical": ["甲", "乙", "丙"]})
    assert rule_of(excinfo) == "panel-size"
    assert "review panel" in excinfo.value.detail
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(
            ledger,
            body.id,
            SkillLevel.LEVEL_2,
            {"practical": ["甲", "乙", "丙"], "review": ["A", "B", "A"]},
        )
    assert rule_of(excinfo) == "panel-duplicate-examiner"


def test_a_session_that_ends_before_it_starts_is_refused(ledger: Ledger) -> None:
    body = file_employer(ledger)
    with pytest.raises(DomainRuleViolation) as excinfo:
        plan(ledger, body.id, starts_on=date(2024, 9, 9), ends_on=date(2024, 9, 8))
    assert rule_of(excinfo) == "invalid-dates"


# -- enrolment ----------------------------------------------------------------------------------


def test_a_y_body_enrols_its_own_staff_including_dispatched_workers(session: Session) -> None:
    staff = session.hire("张三")
    dispatched = session.hire("李四", relation=EmploymentRelation.DISPATCHED)
    session.enrol(staff)
    session.enrol(dispatched)
    candidates = session.evaluation.candidates
    assert [c["name"] for c in candidates.values()] == ["张三", "李四"]
    enrolled = candidates[str(staff)]
    assert enrolled["route"]["id"] == "4-years"
    assert enrolled["route"]["edition"] == "generic-default@2022"
    assert enrolled["masked_id_number"].count("*") == 8
    assert enrolled["evidence"]["experience"] == [
        {"occupation_code": ELECTRICIAN, "start": "2015-01-01", "end": None}
    ]
    assert any("9 years" in text for text in enrolled["satisfied"])


def test_a_y_body_does_not_enrol_another_employers_worker(
    ledger: Ledger, clock: SteppingClock, session: Session
) -> None:
    other = file_employer(ledger, code="11-Y-999999", prefix="Y000011999999", name="别家公司")
    outsider = session.hire("王五", employer=other.id)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(outsider)
    assert rule_of(excinfo) == "not-own-staff"
    assert "北京链家 evaluates only its own staff" in excinfo.value.detail
    assert "王五" in excinfo.value.detail
    assert session.ledger.worker(outsider).masked_id_number in excinfo.value.detail
    assert session.evaluation.candidates == {}


def test_a_former_employee_is_not_own_staff(session: Session) -> None:
    leaver = session.hire("赵六")
    session.ledger.workers.end_employment(
        leaver, session.body_id, until=date(2024, 6, 30), actor="hr"
    )
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(leaver)
    assert rule_of(excinfo) == "not-own-staff"


def test_an_s_body_evaluates_the_public(ledger: Ledger, clock: SteppingClock) -> None:
    school = plan_session(ledger, clock, kind=OrganisationKind.SOCIAL)
    member_of_public = school.hire("孙七", employed=False)
    school.enrol(member_of_public)
    assert str(member_of_public) in school.evaluation.candidates


def test_an_ineligible_candidate_is_refused_naming_the_route_and_what_failed(
    session: Session,
) -> None:
    junior = session.hire("周八")
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(junior, evidence={"experience": [{"start": "2021-03-01"}]})
    assert rule_of(excinfo) == "candidate-ineligible"
    assert excinfo.value.detail == (
        "route 4-years (generic-default@2022) for 四级/中级工: needs 6 years in 6-31-01-03; "
        "3 years 6 months counted"
    )
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(junior, route="4-level5-plus-4y")
    assert excinfo.value.detail.startswith("route 4-level5-plus-4y (generic-default@2022)")
    assert "needs 五级/初级工 in 6-31-01-03 held for 4 years; holds none" in excinfo.value.detail
    assert session.evaluation.candidates == {}


def test_a_bypass_route_needs_its_evidence_reference(session: Session) -> None:
    promoted = session.hire("吴九")
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(promoted, route="4-competition-promotion", evidence={})
    assert rule_of(excinfo) == "candidate-ineligible"
    assert "competition_promotion needs an evidence reference" in excinfo.value.detail
    session.enrol(
        promoted,
        route="4-competition-promotion",
        evidence={"evidence_reference": "京人社核〔2024〕12号"},
    )
    basis = session.evaluation.basis_for(promoted)
    assert basis["bypass"] == "competition_promotion"
    assert basis["evidence"] == "京人社核〔2024〕12号"


def test_levels_held_come_from_the_ledger_not_from_the_request(session: Session) -> None:
    holder = session.hire("郑十")
    on_day(session.clock, date(2019, 9, 1))
    session.ledger.certificates.issue_certificate(
        issuer_id=session.body_id,
        worker_id=holder,
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_5,
        basis={"kind": "evaluation", "reference": "EV-2019"},
        actor="issuer",
    )
    on_day(session.clock, SESSION_END)
    evidence = {
        "experience": [{"start": "2015-01-01"}],
        "levels_held": [{"level": "3"}],  # claims in the evidence are not read
    }
    session.enrol(holder, route="4-level5-plus-4y", evidence=evidence)
    enrolled = session.evaluation.candidates[str(holder)]
    assert [h["level"] for h in enrolled["evidence"]["levels_held"]] == ["5"]
    assert enrolled["evidence"]["levels_held"][0]["obtained_on"] == "2019-09-01"
    assert "basis" not in enrolled


def test_an_unknown_route_names_the_field_and_the_routes(session: Session) -> None:
    worker = session.hire()
    with pytest.raises(InvalidValue) as excinfo:
        session.enrol(worker, route="4-yrs")
    assert excinfo.value.field == "eligibility route"
    assert "4-years" in excinfo.value.detail


def test_a_worker_is_enrolled_once(session: Session) -> None:
    worker = session.hire()
    session.enrol(worker)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(worker)
    assert rule_of(excinfo) == "already-enrolled"


def test_a_suspended_body_enrols_nobody(session: Session) -> None:
    worker = session.hire()
    session.ledger.organisations.change_organisation_status(
        session.body_id, "suspend", actor="admin", reason="督导"
    )
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.enrol(worker)
    assert rule_of(excinfo) == "issuer-suspended"


def test_evidence_with_a_bad_date_names_the_field(session: Session) -> None:
    worker = session.hire()
    with pytest.raises(InvalidValue) as excinfo:
        session.enrol(worker, evidence={"experience": [{"start": "2015-02-30"}]})
    assert excinfo.value.field == "evidence.experience[0].start"


def test_free_text_evidence_never_keeps_an_id_number(session: Session) -> None:
    worker = session.hire()
    full = session.id_numbers[worker].reveal()
    session.enrol(
        worker,
        route="4-competition-promotion",
        evidence={"evidence_reference": f"核准表 {full}", **LONG_SERVICE},
    )
    reference = session.evaluation.candidates[str(worker)]["evidence"]["evidence_reference"]
    assert full not in reference
    assert session.id_numbers[worker].masked in reference
