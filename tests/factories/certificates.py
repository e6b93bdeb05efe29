"""Certificates (职业技能等级证书) issued straight through the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.skill_level import SkillLevel
from service.ledger import Ledger
from tests.factories.organisations import ELECTRICIAN
from tests.factories.people import hire


@dataclass
class Issued:
    """A filed body, its worker and the certificate it issued."""

    body_id: UUID
    worker_id: UUID
    number: str
    serial: int


def issue(
    ledger: Ledger,
    body_id: UUID,
    worker_id: UUID,
    level: SkillLevel = SkillLevel.LEVEL_5,
    basis: dict[str, Any] | None = None,
) -> str:
    """An electrician certificate of ``level``; its number."""
    return ledger.certificates.issue_certificate(  # type: ignore[no-any-return]
        issuer_id=body_id,
        worker_id=worker_id,
        occupation_code=ELECTRICIAN,
        level=level,
        basis=basis or {"kind": "evaluation", "reference": "EV-2025-01"},
        actor="test:issuer",
    ).aggregate.number


def issue_to_new_worker(ledger: Ledger, body_id: UUID, serial: int, name: str = "张三") -> Issued:
    """Person ``serial`` hired by the body and given a level-5 certificate."""
    worker_id = hire(ledger, body_id, serial, name)
    return Issued(body_id, worker_id, issue(ledger, body_id, worker_id), serial)
