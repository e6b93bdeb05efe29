"""What the evaluations capability asks of the capabilities it is composed with.

Typed as protocols, so that ``service.evaluations`` imports none of them: credentials (status
list entries and the signing key of an issue) and calendars (the Chinese working-day calendar
of a 公示 window). Certificates (number series) and workers (levels held) are asked the same as
by competitions: ``service.capabilities``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.domain import Aggregate

from domain.certificate import Certificate
from domain.id_number import IdNumber
from domain.organisation import Organisation
from domain.worker import Worker
from domain.working_day_calendar import WorkingDayCalendar

__all__ = ["CredentialRecords", "WorkingDays"]


class CredentialRecords(Protocol):
    """The credentials capability: what an issue saves for its credentials."""

    def credential_records_for(
        self,
        issuer: Organisation,
        certificates: Sequence[Certificate],
        *,
        actor: str | None = None,
        reservation: Any = None,
    ) -> list[Aggregate]: ...

    def signing_key_for(self, organisation: Organisation, at: datetime) -> tuple[str, datetime]: ...

    def subject_identifier_for(self, worker: Worker, id_number: IdNumber) -> list[Aggregate]: ...


class WorkingDays(Protocol):
    """The calendars capability: the working-day calendar in force."""

    def working_day_calendar(self) -> WorkingDayCalendar: ...
