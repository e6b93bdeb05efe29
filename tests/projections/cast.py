"""A small cast for the projection tests, driven through the real Ledger commands: an
employer (北京链家), a school (青岛技师学院), a union (朝阳区总工会) and their workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.competition import CompetitionTier
from domain.skill_level import SkillLevel
from domain.worker import CareerEntryKind
from service.ledger import Ledger
from tests.factories.marking import marking_scheme
from tests.factories.organisations import ALL_LEVELS, ELECTRICIAN, WELDER, file_employer, file_union
from tests.factories.people import id_number, register


@dataclass
class World:
    """A small cast driven through the real Ledger commands."""

    ledger: Ledger
    employer: UUID = field(init=False)
    school: UUID = field(init=False)
    union: UUID = field(init=False)
    workers: list[UUID] = field(default_factory=list)
    serial: int = 0

    def __post_init__(self) -> None:
        self.employer = file_employer(
            self.ledger, scope={ELECTRICIAN: ALL_LEVELS, WELDER: ["5", "4", "3"]}
        ).id
        self.school = file_employer(
            self.ledger,
            "37-S-000002",
            "S000037000002",
            {ELECTRICIAN: ["5", "4", "3"], WELDER: ["5", "4", "3", "2"]},
            "青岛技师学院",
        ).id
        self.union = file_union(self.ledger)

    def worker(self, name: str = "张三", employed: bool = True) -> UUID:
        self.serial += 1
        employer = self.employer if employed else None
        worker_id = register(self.ledger, id_number(self.serial), name, employer=employer)
        self.workers.append(worker_id)
        return worker_id

    def issue(
        self,
        worker_id: UUID,
        level: str,
        occupation: str = ELECTRICIAN,
        issuer: UUID | None = None,
        basis: dict[str, Any] | None = None,
    ) -> str:
        recorded = self.ledger.certificates.issue_certificate(
            issuer_id=issuer or self.employer,
            worker_id=worker_id,
            occupation_code=occupation,
            level=SkillLevel.from_code(level),
            basis=basis or {"kind": "evaluation", "reference": "E-1"},
            actor="test:issuer",
        )
        return str(recorded.aggregate.number)

    def status(self, number: str, action: str, reason: str = "test") -> int | None:
        return self.ledger.certificates.change_certificate_status(
            number, action, actor="test:issuer", reason=reason
        ).position

    def career(self, worker_id: UUID, kind: CareerEntryKind, title: str, on: date) -> None:
        self.ledger.workers.record_career_entry(
            worker_id, kind=kind, title=title, on=on, actor="test", details={}
        )

    def ladder(self, name: str = "朝阳工匠荣誉体系") -> UUID:
        return self.ledger.honours.define_honour_ladder(  # type: ignore[no-any-return]
            union_id=self.union,
            name=name,
            tiers=["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"],
            actor="test:union",
        ).aggregate.id

    def competition(self, reference: str = "C-2025-1", year: int = 2025) -> UUID:
        return self.ledger.competitions.announce_competition(  # type: ignore[no-any-return]
            organiser_id=self.union,
            reference=reference,
            name=f"朝阳区电工技能大赛 {reference}",
            tier=CompetitionTier.DISTRICT,
            occupation_code=ELECTRICIAN,
            exam_level="3",
            year=year,
            region="朝阳区",
            issuing_body_id=self.employer,
            marking_scheme=marking_scheme(),
            actor="test:union",
        ).aggregate.id


def register_entrant(
    ledger: Ledger, competition_id: UUID, worker_id: UUID, entrant_kind: str = "employee"
) -> int:
    """Register an entrant through the ledger's command; returns the log position."""
    recorded = ledger.competitions.register_entrant(
        competition_id, worker_id=worker_id, entrant_kind=entrant_kind, actor="test:union"
    )
    return int(recorded.position or 0)


def finalise(ledger: Ledger, competition_id: UUID, marks: dict[UUID, tuple[str, str]]) -> None:
    """Mark every entrant (three judges, both components), lock, and finalise."""
    from domain.competition import MarkEntry

    ledger.competitions.record_marks(
        competition_id,
        [
            MarkEntry(worker, component, judge, mark)
            for worker, pair in marks.items()
            for component, mark in zip(("practical", "theory"), pair, strict=True)
            for judge in ("甲", "乙", "丙")
        ],
        actor="test:judge",
    )
    for component in ("practical", "theory"):
        ledger.competitions.lock_component(competition_id, component, actor="test:union")
    ledger.competitions.finalise_competition(competition_id, actor="test:union")


def insert_raw_event(ledger: Ledger, originator_id: UUID, topic: str, state: dict[str, Any]) -> int:
    """Store an event whose topic has no class (as a newer writer would), encoded by the
    ledger's own mapper, after the aggregate's latest event; returns its position."""
    from datetime import UTC, datetime

    from eventsourcing.persistence import StoredEvent

    found = ledger.recorder.select_events(originator_id, desc=True, limit=1)
    version = found[0].originator_version + 1 if found else 1
    mapper = ledger.mapper
    data = mapper.transcoder.encode({"timestamp": datetime.now(UTC), **state})
    if mapper.compressor:
        data = mapper.compressor.compress(data)
    if mapper.cipher:
        data = mapper.cipher.encrypt(data)
    ledger.recorder.insert_events(
        [StoredEvent(originator_id=originator_id, originator_version=version, topic=topic,
                     state=data)]
    )  # fmt: skip
    return ledger.log_position
