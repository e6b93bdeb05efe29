"""Certificate number series: serials per (evaluator prefix, issue year, level), gap-free.

One small aggregate per allocation key. Allocating serials is an event on it, saved in the same
atomic ``save`` as the certificates that use them, so optimistic concurrency on the series makes
duplicates impossible and a failed save leaves no gap.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.certificate_number import CertificateNumber
from domain.errors import DomainRuleViolation
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate
from domain.skill_level import SkillLevel

LAST_SERIAL = 999_999


class CertificateNumberSeries(LedgerAggregate):
    """The serial counter behind certificate numbers of one evaluator, year and level."""

    TOPIC = "craftledger:CertificateNumberSeries"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:CertificateNumberSeries.Created"

    @staticmethod
    def create_id(evaluator_prefix: str, issue_year: str, level: str, **_: Any) -> UUID:
        return natural_id("certificate-number-series", evaluator_prefix, issue_year, level)

    @event("Opened", topic="craftledger:CertificateNumberSeries.Opened")
    def __init__(self, evaluator_prefix: str, issue_year: str, level: str) -> None:
        self.evaluator_prefix = evaluator_prefix
        self.issue_year = issue_year
        self.level = level
        self.last_serial = 0

    def allocate(self, count: int, actor: str) -> list[CertificateNumber]:
        """Allocate the next ``count`` numbers, in order, with no gaps."""
        if count < 1:
            raise DomainRuleViolation("invalid-allocation", "allocate at least one number")
        if self.last_serial + count > LAST_SERIAL:
            raise DomainRuleViolation(
                "number-series-exhausted",
                f"{self.evaluator_prefix} {self.issue_year} level {self.level} has "
                f"{LAST_SERIAL - self.last_serial} serials left, {count} asked",
            )
        first = self.last_serial + 1
        self._serials_allocated(first, count, actor)
        level = SkillLevel.from_code(self.level)
        return CertificateNumber.consecutive(
            self.evaluator_prefix, self.issue_year, level, first, count
        )

    @event("SerialsAllocated", topic="craftledger:CertificateNumberSeries.SerialsAllocated")
    def _serials_allocated(self, first: int, count: int, actor: str) -> None:
        self.last_serial = first + count - 1
