"""Sessions in every state for the API authorisation matrix (``tests/api/test_authorisation``).

The matrix's ledger runs on the real clock, and a session can only be confirmed after its
publication window, so the states are built with the domain's own methods on past dates (as a
session planned weeks ago would have recorded them) and saved; the commands under test then run
through the API today.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.eligibility import find_route
from domain.evaluation import Evaluation
from domain.skill_level import SkillLevel
from service.evaluations.evidence import candidate_facts
from tests.factories import ELECTRICIAN, LONG_SERVICE, PANEL_MARKERS

_count = iter(range(1, 10**9))


def session_of(
    world: Any,
    *,
    enrolled: int = 0,
    scored: bool = False,
    published: bool = False,
    objection: bool = False,
    days_ago: int = 40,
) -> dict[str, Any]:
    """A level-5 electrician session of employer A, ``days_ago`` days old, in the state asked."""
    ledger = world.ledger
    today = ledger.china_today()
    starts = today - timedelta(days=days_ago)
    ends = starts + timedelta(days=2)
    body = ledger.organisation(world.ids["org_a"])
    evaluation = Evaluation.plan(
        body=body,
        reference=f"PAST-{next(_count)}",
        occupation=ledger.occupation(ELECTRICIAN),
        level=SkillLevel.LEVEL_5,
        starts_on=starts,
        ends_on=ends,
        panels={"practical": ["甲", "乙", "丙"]},
        actor="test",
    )
    workers: list[UUID] = []
    for _ in range(enrolled):
        worker = ledger.worker(world.fresh_worker(world.ids["org_a"]))
        facts = candidate_facts(
            LONG_SERVICE, ELECTRICIAN, ledger.evaluations.held_level_facts(worker)
        )
        route = find_route("5-years", ELECTRICIAN, ends)
        evaluation.enrol(body=body, worker=worker, route=route, facts=facts, on=ends, actor="t")
        if scored:
            for component, examiner in PANEL_MARKERS:
                evaluation.record_score(
                    body=body,
                    worker_id=worker.id,
                    component=component,
                    score=80,
                    examiner=examiner,
                    on=ends,
                    actor="test",
                )
        workers.append(worker.id)
    if published:
        window = ledger.calendars.working_day_calendar().window(ends, 5)
        evaluation.publish(
            body=body,
            on=ends,
            working_days=5,
            window_ends_on=window.ends_on,
            calendar=window.calendar_name,
            actor="test",
        )
    if objection:
        evaluation.lodge_objection(
            worker_id=workers[0], grounds="疑似替考", lodged_by="匿名", on=ends, actor="test"
        )
    ledger.save(evaluation)
    return {"target": evaluation.id, "candidate": workers[0] if workers else None}


def planned(world: Any) -> dict[str, Any]:
    context = session_of(world, days_ago=0)
    context["fresh"] = world.fresh_worker(world.ids["org_a"])
    return context


def with_candidate(world: Any) -> dict[str, Any]:
    return session_of(world, enrolled=1, days_ago=1)


def with_scores(world: Any) -> dict[str, Any]:
    return session_of(world, enrolled=1, scored=True, days_ago=3)


def published_recently(world: Any) -> dict[str, Any]:
    """Published today's window: open for objections (the window ends in 5 working days)."""
    context = session_of(world, enrolled=1, scored=True, published=True, days_ago=2)
    context["objection"] = "O-1"
    return context


def with_open_objection(world: Any) -> dict[str, Any]:
    context = session_of(world, enrolled=1, scored=True, published=True, objection=True, days_ago=2)
    context["objection"] = "O-1"
    return context


def confirmable(world: Any) -> dict[str, Any]:
    return session_of(world, enrolled=1, scored=True, published=True)


def issued(world: Any) -> dict[str, Any]:
    context = confirmable(world)
    world.ledger.evaluations.confirm_evaluation(context["target"], actor="test")
    return context


def queued_job(world: Any) -> dict[str, Any]:
    """A confirmation job of employer A's session (queued or already run)."""
    from service.api.jobs import job_runner
    from service.evaluations.confirmation import CONFIRM_JOB

    context = confirmable(world)
    with world.app.app_context():
        job, _ = job_runner().submit(
            CONFIRM_JOB,
            {"evaluation_id": str(context["target"]), "actor": "test"},
            actor="test",
            owner=str(world.ids["org_a"]),
        )
    context["job"] = job.id
    return context


def finished_archive(world: Any) -> dict[str, Any]:
    """A certificate-archive job of employer A's issued session, run to its end."""
    import time

    from service.app_services import job_runner, submit_archive

    context = issued(world)
    with world.app.app_context():
        job, _ = submit_archive(world.ledger.evaluation(context["target"]), "test")
        deadline = time.monotonic() + 60
        while not job.finished:
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
            job = job_runner().get(job.id)
    assert job.state == "succeeded", job
    context["job"] = job.id
    return context


def candidates_csv(world: Any, context: dict[str, Any]) -> bytes:
    number = world.id_numbers[context["fresh"]].reveal()
    return f"身份证号,姓名,申报条件,从业起始日期\n{number},王五,5-years,2015-01-01\n".encode()


def scores_csv(world: Any, context: dict[str, Any]) -> bytes:
    number = world.id_numbers[context["candidate"]].reveal()
    return f"身份证号,理论知识,理论考评员\n{number},80,丁\n".encode()


def upload(data: bytes) -> dict[str, Any]:
    return {"file": (io.BytesIO(data), "upload.csv")}
