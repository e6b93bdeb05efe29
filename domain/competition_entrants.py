"""Entrants of a competition (参赛选手): registered workers, each an employee (职工) or a student
(学生) with the employer (or school) they compete for, numbered 1, 2, 3 … in registration
order. Registration closes when the first component is locked; an entrant may be withdrawn
(缺考, 取消资格) with a reason until the results are final, and is then not ranked. An entrant's
finish time is a tie-break."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.china_time import china_date
from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import require_reason
from domain.promotion_rules import EntrantKind

__all__ = [
    "Registration",
    "finish_time",
    "registration",
    "require_not_withdrawn",
]


@dataclass(frozen=True)
class Registration:
    """A checked registration: exactly the fields of the ``EntrantRegistered`` event."""

    worker_id: UUID
    name: str
    entrant_number: int
    entrant_kind: str
    employer_id: UUID | None
    employer_name: str
    registered_at: datetime
    actor: str

    def event_fields(self) -> dict[str, Any]:
        return asdict(self)


def require_not_withdrawn(entrant: dict[str, Any]) -> dict[str, Any]:
    """``entrant``, refused (``entrant-withdrawn``) when withdrawn."""
    if entrant["withdrawn"] is not None:
        raise DomainRuleViolation(
            "entrant-withdrawn",
            f"entrant {entrant['entrant_number']} was withdrawn: {entrant['withdrawn']}",
        )
    return entrant


def registration(
    *,
    competition: str,
    registered: Mapping[str, Any],
    locks: Mapping[str, Any],
    worker_id: UUID,
    name: str,
    entrant_kind: EntrantKind | str,
    employer_id: UUID | None,
    employer_name: str,
    at: datetime,
    actor: str,
    on_staff: bool | None,
) -> Registration:
    """Check a registration for ``competition`` (its name), given the entrants ``registered``
    so far (by worker id text) and its ``locks``; see ``Competition.register_entrant``."""
    if locks:
        raise DomainRuleViolation(
            "registration-closed",
            f"registration closed when {', '.join(sorted(locks))} was locked",
        )
    try:
        kind = EntrantKind(entrant_kind)
    except ValueError:
        raise InvalidValue("entrant kind", "expected employee or student") from None
    if str(worker_id) in registered:
        raise DomainRuleViolation(
            "already-registered", f"worker {worker_id} is already an entrant of {competition}"
        )
    if not isinstance(employer_name, str) or not employer_name.strip():
        raise InvalidValue(
            "employer", "an entrant competes for an employer (or, for students, a school)"
        )
    if not isinstance(name, str) or not name.strip():
        raise InvalidValue("name", "an entrant needs a name")
    if kind is EntrantKind.EMPLOYEE and employer_id is not None and on_staff is False:
        raise DomainRuleViolation(
            "not-employed-by",
            f"{name.strip()} is not on the staff of {employer_name.strip()} on "
            f"{china_date(at).isoformat()}, so cannot compete as its employee",
        )
    return Registration(
        worker_id=worker_id,
        name=name.strip(),
        entrant_number=len(registered) + 1,
        entrant_kind=kind.value,
        employer_id=employer_id,
        employer_name=employer_name.strip(),
        registered_at=at,
        actor=actor,
    )


def finish_time(
    finished_at: datetime, previous: datetime | None, reason: str | None
) -> tuple[datetime, str]:
    """A finish time to record (in UTC) and its reason: needed to replace a ``previous`` one."""
    if not isinstance(finished_at, datetime) or finished_at.utcoffset() is None:
        raise InvalidValue("finish time", "expected a timezone-aware time")
    if previous is not None:
        reason = require_reason(reason or "", "changing a recorded finish time")
    return finished_at.astimezone(UTC), reason or ""
