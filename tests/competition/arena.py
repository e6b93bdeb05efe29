"""A competition arena on a real ledger (SQLite and PostgreSQL): a union that organises, a
filed social training-evaluation organisation that issues promotion certificates, an employer,
and helpers that register, mark, lock and finalise.

Marks are given so that totals are easy to read: ``field({worker: (practical, theory)})`` has
three judges give every entrant exactly those marks, so the component scores are the marks and
the total is ``0.7 * practical + 0.3 * theory``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.competition import Competition, MarkEntry
from domain.promotion_rules import CompetitionTier
from domain.skill_level import SkillLevel
from service.ledger import Ledger
from tests.factories.marking import marking_scheme
from tests.factories.organisations import ALL_LEVELS, WELDER, file_employer, file_union
from tests.factories.people import id_number, register

SCHEME = marking_scheme("trimmed")
JUDGES = ("judge-甲", "judge-乙", "judge-丙")
ADMIN = "admin:人社局"
ORGANISER = "organiser:总工会"

_serials = itertools.count(100)


@dataclass
class Arena:
    ledger: Ledger
    union: UUID
    body: UUID
    employer: UUID
    names: dict[UUID, str] = field(default_factory=dict)

    # -- people ----------------------------------------------------------------------------

    def worker(self, name: str | None = None, *, employed: bool = True) -> UUID:
        serial = next(_serials)
        name = name or f"选手{serial}"
        born = date(1985 + serial % 20, 1 + serial % 12, 5)
        employer = self.employer if employed else None
        worker = register(self.ledger, id_number(serial, born=born), name, employer=employer)
        self.names[worker] = name
        return worker

    def certify(self, worker: UUID, level: SkillLevel, occupation: str = WELDER) -> str:
        """Give the worker a level through an ordinary evaluation (direct recognition bypass)."""
        return self.ledger.certificates.issue_certificate(  # type: ignore[no-any-return]
            issuer_id=self.body,
            worker_id=worker,
            occupation_code=occupation,
            level=level,
            basis={
                "kind": "direct_recognition",
                "reference": f"DR-{next(_serials)}",
                "bypass": "direct_recognition",
                "evidence": "test: held before the competition",
            },
            actor="test",
        ).aggregate.number

    # -- competitions ----------------------------------------------------------------------

    def announce(
        self,
        tier: CompetitionTier = CompetitionTier.PROVINCIAL_1,
        *,
        rule_set: str | None = "tianjin-2024",
        year: int = 2025,
        scheme: Mapping[str, Any] = SCHEME,
        tie_breaks: Mapping[str, Any] | None = None,
        programme: str | None = None,
        separate_groups: bool = False,
    ) -> UUID:
        return self.ledger.competitions.announce_competition(  # type: ignore[no-any-return]
            organiser_id=self.union,
            reference=f"TJ-{next(_serials)}",
            name=f"天津市焊工职业技能竞赛 {tier.value}",
            tier=tier,
            occupation_code=WELDER,
            exam_level="3",
            year=year,
            region="天津市",
            issuing_body_id=self.body,
            marking_scheme=dict(scheme),
            tie_breaks=None if tie_breaks is None else dict(tie_breaks),
            promotion_rule_set=rule_set,
            programme=programme,
            separate_groups=separate_groups,
            actor=ORGANISER,
        ).aggregate.id

    def enter(self, competition: UUID, workers: Iterable[UUID], kind: str = "employee") -> None:
        for worker in workers:
            self.ledger.competitions.register_entrant(
                competition,
                worker_id=worker,
                entrant_kind=kind,
                employer_name=None if kind == "employee" else "天津职业技术学院",
                actor=ORGANISER,
            )

    def mark(self, competition: UUID, marks: Mapping[UUID, tuple[object, object]]) -> None:
        """Every judge gives each entrant (practical, theory)."""
        entries = [
            MarkEntry(worker, component, judge, mark)
            for worker, pair in marks.items()
            for component, mark in zip(("practical", "theory"), pair, strict=True)
            for judge in JUDGES
        ]
        self.ledger.competitions.record_marks(competition, entries, actor=ORGANISER)

    def correct(
        self,
        competition: UUID,
        worker: UUID,
        component: str,
        judge: str,
        mark: object,
        reason: str,
    ) -> None:
        """The organiser corrects one judge's mark, with a reason."""
        self.ledger.competitions.correct_mark(
            competition,
            worker_id=worker,
            component=component,
            judge=judge,
            mark=mark,
            reason=reason,
            actor=ORGANISER,
        )

    def lock(self, competition: UUID) -> None:
        for component in ("practical", "theory"):
            self.ledger.competitions.lock_component(competition, component, actor=ORGANISER)

    def run(
        self,
        competition: UUID,
        employees: Mapping[UUID, tuple[object, object]] = {},
        students: Mapping[UUID, tuple[object, object]] = {},
        *,
        submit: bool = True,
    ) -> Competition:
        """Enter, mark, lock and finalise; submit the proposals to the HR bureau (报送) unless
        told not to (or none were made); the finalised competition."""
        self.enter(competition, employees)
        self.enter(competition, students, "student")
        self.mark(competition, {**employees, **students})
        self.lock(competition)
        self.ledger.competitions.finalise_competition(competition, actor=ORGANISER)
        if submit and self.ledger.competition(competition).proposals:
            self.ledger.competitions.submit_proposals(competition, actor=ORGANISER)
        return self.ledger.competition(competition)

    def ranked_field(self, count: int) -> list[UUID]:
        """``count`` workers, to be marked best first."""
        return [self.worker() for _ in range(count)]


def descending(workers: Sequence[UUID], top: int = 95) -> dict[UUID, tuple[object, object]]:
    """Distinct totals, best first: entrant i gets practical and theory ``top - i``."""
    return {worker: (top - i, top - i) for i, worker in enumerate(workers)}


def build_arena(ledger: Ledger) -> Arena:
    """天津市总工会 organising, a Tianjin social body issuing the promotions, an employer."""
    union = file_union(ledger, "12-FTU-0001", "天津市总工会", province="12")
    body = file_employer(
        ledger, "12-S-000001", "S000012000001", {WELDER: ALL_LEVELS}, "天津市职业技能鉴定指导中心"
    )
    employer = file_employer(
        ledger, "12-Y-000001", "Y000012000001", {WELDER: ["5", "4"]}, "天津港集团"
    )
    return Arena(ledger, union, body.id, employer.id)
