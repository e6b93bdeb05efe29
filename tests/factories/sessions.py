"""Self-evaluation sessions (自主评价) of a filed body on a ledger whose clock the test moves.

Dates matter here (publication windows on the Chinese calendar), so the clock is moved to the
China date a step happens on with :func:`on_day`. ``Session`` plans a level-4 electrician
session of a filed employer and knows its staff, so a test reads as the steps it pins down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.id_number import IdNumber
from domain.organisation import OrganisationKind
from domain.skill_level import SkillLevel
from domain.worker import EmploymentRelation
from service.ledger import Ledger
from tests.factories.organisations import ALL_LEVELS, ELECTRICIAN, file_employer
from tests.factories.people import id_number, register
from tests.support.clocks import SteppingClock, on_day

PANEL_MARKERS = (("theory", "丁"), ("practical", "甲"), ("practical", "乙"), ("practical", "丙"))
"""Who marks a level-4 session planned with practical panel 甲乙丙: every one of them."""

LONG_SERVICE = {"experience": [{"start": "2015-01-01"}]}
"""Evidence for route ``4-years`` (6 years in the occupation) on any date after 2021."""


@dataclass
class Session:
    """A planned session of ``body`` with helpers for its steps."""

    ledger: Ledger
    clock: SteppingClock
    body_id: UUID
    evaluation_id: UUID
    level: SkillLevel
    staff: list[UUID] = field(default_factory=list)
    id_numbers: dict[UUID, IdNumber] = field(default_factory=dict)
    serial: int = 100

    @property
    def evaluation(self) -> Any:
        return self.ledger.evaluation(self.evaluation_id)

    def hire(
        self,
        name: str = "张三",
        *,
        since: date = date(2015, 1, 1),
        relation: EmploymentRelation = EmploymentRelation.STAFF,
        employer: UUID | None = None,
        employed: bool = True,
    ) -> UUID:
        """Register a worker, employed by ``employer`` (default: the body) since ``since``."""
        self.serial += 1
        number = id_number(self.serial)
        employer = (employer or self.body_id) if employed else None
        worker = register(
            self.ledger, number, name, employer=employer, since=since, relation=relation
        )
        self.id_numbers[worker] = number
        return worker

    def enrol(self, worker_id: UUID, route: str = "4-years", evidence: Any = None) -> Any:
        return self.ledger.evaluations.enrol_candidate(
            self.evaluation_id,
            worker_id=worker_id,
            route_id=route,
            evidence=LONG_SERVICE if evidence is None else evidence,
            actor="issuer",
        )

    def score(self, worker_id: UUID, **scores: Any) -> None:
        """Every examiner on a component's panel gives it ``value`` (theory: one examiner)."""
        panels = self.evaluation.panels
        for component, value in scores.items():
            for examiner in panels.get(component) or ["丁"]:
                self.ledger.evaluations.record_score(
                    self.evaluation_id,
                    worker_id=worker_id,
                    component=component,
                    score=value,
                    examiner=examiner,
                    actor="issuer",
                )

    def candidate_with(self, name: str = "张三", **scores: Any) -> UUID:
        worker = self.hire(name)
        self.enrol(worker)
        self.score(worker, **scores)
        return worker

    def publish(self, day: date, working_days: int | None = None) -> Any:
        on_day(self.clock, day)
        return self.ledger.evaluations.publish_results(
            self.evaluation_id, working_days=working_days, actor="issuer"
        )

    def confirm(self, day: date | None = None, **kwargs: Any) -> Any:
        if day is not None:
            on_day(self.clock, day)
        return self.ledger.evaluations.confirm_evaluation(
            self.evaluation_id, actor="issuer", **kwargs
        )


PLAN_DAY = date(2024, 9, 2)
SESSION_START = date(2024, 9, 9)
SESSION_END = date(2024, 9, 20)
PUBLISH_DAY = date(2024, 9, 27)  # a Friday before National Day 2024
WINDOW_END = date(2024, 10, 10)  # 5 working days: 09-29 (make-up Sunday), 09-30, 10-08..10-10
CONFIRM_DAY = date(2024, 10, 11)


def plan_session(
    ledger: Ledger,
    clock: SteppingClock,
    *,
    level: SkillLevel = SkillLevel.LEVEL_4,
    kind: OrganisationKind = OrganisationKind.EMPLOYER,
    scope: dict[str, list[str]] | None = None,
    panels: dict[str, list[str]] | None = None,
    reference: str = "EV-2024-09",
    filing: int = 1,
) -> Session:
    on_day(clock, PLAN_DAY)
    letter = "Y" if kind is OrganisationKind.EMPLOYER else "S"
    body = file_employer(
        ledger,
        code=f"11-{letter}-{filing:06d}",
        prefix=f"{letter}0000110{filing:05d}",
        scope=scope or {ELECTRICIAN: ALL_LEVELS},
        name="北京链家" if kind is OrganisationKind.EMPLOYER else "北京市某职业技能培训学校",
    )
    if panels is None:
        panels = {"practical": ["甲", "乙", "丙"]}
        if level in (SkillLevel.LEVEL_2, SkillLevel.LEVEL_1):
            panels["review"] = ["评审甲", "评审乙", "评审丙"]
    evaluation = ledger.evaluations.plan_evaluation(
        body_id=body.id,
        reference=reference,
        occupation_code=ELECTRICIAN,
        level=level,
        starts_on=SESSION_START,
        ends_on=SESSION_END,
        panels=panels,
        actor="issuer",
    ).aggregate
    on_day(clock, SESSION_END)
    return Session(ledger, clock, body.id, evaluation.id, level)
