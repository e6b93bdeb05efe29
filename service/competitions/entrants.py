"""Entrants to register for a competition, who they compete for, and the registration of one on a
loaded competition (shared by ``Competitions.register_entrants`` and the spreadsheet import)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.china_time import china_date
from domain.competition import Competition
from domain.promotion_rules import EntrantKind
from domain.worker import Worker

__all__ = ["EntrantRegistration", "register_on"]


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


def register_on(
    competition: Competition,
    worker: Worker,
    entry: EntrantRegistration,
    *,
    at: datetime,
    actor: str,
    organisation_name: Callable[[UUID], str],
) -> None:
    """Register ``worker`` on ``competition`` as ``entry`` asks (the domain decides; it raises
    what it refuses). ``organisation_name``: an employer's name in the ledger."""
    kind = EntrantKind(entry.entrant_kind)
    employer_id = entry.employer_id
    if employer_id is None and kind is EntrantKind.EMPLOYEE and not entry.employer_name:
        employer_id = worker.employer_on(china_date(at))
    employer_name = entry.employer_name
    on_staff = None
    if employer_id is not None:
        employer_name = employer_name or organisation_name(employer_id)
        on_staff = worker.is_staff_of(employer_id, china_date(at))
    competition.register_entrant(
        worker_id=worker.id,
        name=worker.name,
        entrant_kind=kind,
        employer_id=employer_id,
        employer_name=employer_name or "",
        at=at,
        actor=actor,
        on_staff=on_staff,
    )
