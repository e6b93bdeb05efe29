"""One of every ``Evaluation`` event, made by the domain's own methods (for round-trip tests)."""

from __future__ import annotations

from datetime import date, datetime

from domain.eligibility import CandidateFacts, ExperiencePeriod, find_route
from domain.evaluation import Evaluation, ObjectionOutcome
from domain.number_series import CertificateNumberSeries
from domain.occupation import find_occupation
from domain.organisation import Organisation
from domain.worker import EmploymentRelation, Worker


def run_whole_session(
    evaluation: Evaluation,
    body: Organisation,
    series: CertificateNumberSeries,
    issued_at: datetime,
) -> list[object]:
    """Enrol two staff, score, correct, publish, object (upheld), confirm, issue and report.

    ``evaluation`` is a planned level-4 electrician session of ``body`` ending before
    2025-01-03 with practical examiners ``a``, ``b``, ``c``; returns the other aggregates made.
    """
    occupation = find_occupation(evaluation.occupation_code)
    assert occupation is not None
    enrolled_on = date(2025, 1, 3)
    route = find_route("4-years", evaluation.occupation_code, enrolled_on)
    facts = CandidateFacts(
        occupation_code=evaluation.occupation_code,
        experience=(ExperiencePeriod(evaluation.occupation_code, date(2015, 1, 1)),),
    )
    workers = []
    for serial in (1, 2):
        worker = Worker.register(
            identity_hash=f"{serial:02d}" * 32,
            id_kind="resident",
            masked_id_number=f"110105********12{serial:02d}",
            name=f"考生{serial}",
            actor="a",
        )
        worker.start_employment(body.id, EmploymentRelation.DISPATCHED, date(2015, 1, 1), "a")
        scores = [
            {
                "body": body,
                "worker_id": worker.id,
                "component": component,
                "score": "75.5",
                "examiner": examiner,
                "on": enrolled_on,
                "actor": "a",
            }
            for component in evaluation.components
            for examiner in evaluation.marking_panel(component) or ["a"]
        ]
        if serial == 1:  # one at a time: CandidateEnrolled, ScoreRecorded
            evaluation.enrol(
                body=body, worker=worker, route=route, facts=facts, on=enrolled_on, actor="a"
            )
            for score in scores:
                evaluation.record_score(**score)
        else:  # as an import does: CandidatesEnrolled, ScoresRecorded
            evaluation.enrol_all(
                [
                    evaluation.enrolment(
                        body=body,
                        worker=worker,
                        route=route,
                        facts=facts,
                        on=enrolled_on,
                        actor="a",
                    )
                ]
            )
            evaluation.record_scores([evaluation.score(**score) for score in scores])
        workers.append(worker)
    evaluation.correct_score(
        body=body,
        worker_id=workers[0].id,
        component="practical",
        score=80,
        examiner="b",
        reason="复核",
        on=enrolled_on,
        actor="a",
    )
    evaluation.publish(
        body=body,
        on=date(2025, 1, 3),
        working_days=5,
        window_ends_on=date(2025, 1, 10),
        calendar="test",
        actor="a",
    )
    objection = evaluation.lodge_objection(
        worker_id=workers[1].id, grounds="代考", lodged_by="匿名", on=date(2025, 1, 6), actor="a"
    )
    evaluation.resolve_objection(
        body=body,
        objection_id=objection,
        outcome=ObjectionOutcome.UPHELD,
        reason="查实",
        on=date(2025, 1, 7),
        actor="a",
    )
    from_the_page = evaluation.lodge_public_objection(
        worker_id=workers[0].id, grounds="成绩存疑", contact="13800000000", by_candidate=False,
        on=date(2025, 1, 6), actor="public",
    )  # fmt: skip
    evaluation.resolve_objection(
        body=body,
        objection_id=from_the_page,
        outcome=ObjectionOutcome.DISMISSED,
        reason="核实无误",
        on=date(2025, 1, 7),
        actor="a",
    )
    certificates = evaluation.confirm_and_issue(
        evaluation.check_confirmable(body, date(2025, 1, 13)),
        occupation=occupation,
        series=series,
        workers={worker.id: worker for worker in workers},
        held_levels={},
        issued_at=issued_at,
        actor="a",
    )
    evaluation.report_issue(reported_to="人社局", reference="R", on=date(2025, 1, 14), actor="a")
    return [*workers, *certificates]
