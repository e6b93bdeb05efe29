"""What the evaluations capability asks of the capabilities it is composed with.

Typed as protocols, so that ``service.evaluations`` imports none of them: credentials (status
list entries and the signing key of an issue), certificates (number series), workers (levels
held) and
calendars (the Chinese working-day calendar of a 公示 window).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.domain import Aggregate

from domain.certificate import Certificate
from domain.id_number import IdNumber
from domain.number_series import CertificateNumberSeries
from domain.organisation import Organisation
from domain.skill_level import SkillLevel
from domain.worker import Worker
from domain.working_day_calendar import WorkingDayCalendar

__all__ = ["CertificateRecords", "CredentialRecords", "HeldLevels", "WorkingDays"]


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


class CertificateRecords(Protocol):
    """The certificates capability: the number series an issue draws from."""

    def number_series(
        self, issuer: Organisation, year: int, level: SkillLevel
    ) -> CertificateNumberSeries: ...


class HeldLevels(Protocol):
    """The workers capability: the levels a worker holds in an occupation."""

    def held_levels(
        self,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> list[SkillLevel]: ...


class WorkingDays(Protocol):
    """The calendars capability: the working-day calendar in force."""

    def working_day_calendar(self) -> WorkingDayCalendar: ...
