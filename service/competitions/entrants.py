"""Entrants to register for a competition, and who they compete for."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.promotion_rules import EntrantKind

__all__ = ["EntrantRegistration"]


@dataclass(frozen=True)
class EntrantRegistration:
    """One entrant to register: a registered worker, employee or student, and whom they
    compete for. ``employer_id`` (an organisation in the ledger) or ``employer_name`` (e.g. an
    unfiled company, a school); an employee given neither competes for their current employer
    in the ledger."""

    worker_id: UUID
    entrant_kind: EntrantKind | str
    employer_id: UUID | None = None
    employer_name: str | None = None
