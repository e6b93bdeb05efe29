"""CalendarYear: the holiday arrangements (节假日安排) an administrator recorded for one year.

When the State Council publishes a year's arrangement before ``chinesecalendar`` (or a
craftledger release) knows it, an administrator adds it; an amended arrangement for the same
year (the 2020 Spring Festival was extended by a later notice) is added again and becomes the
next version. Each addition is one event naming who added it, when, and the notice it follows;
the newest version is the one in force (``domain.working_day_calendar``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.holiday_arrangement import HolidayArrangement, parse_arrangement
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate


class CalendarYear(LedgerAggregate):
    """One year's recorded holiday arrangements, oldest first; the newest is in force."""

    TOPIC = "craftledger:CalendarYear"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:CalendarYear.Created"

    @staticmethod
    def create_id(year: int, **_: Any) -> UUID:
        return natural_id("calendar-year", str(year))

    @event("Opened", topic="craftledger:CalendarYear.Opened")
    def __init__(self, year: int, actor: str) -> None:
        self.year = year
        self.arrangements: list[dict[str, Any]] = []

    @classmethod
    def open(cls, year: int, actor: str) -> CalendarYear:
        """The year's record, before its first arrangement is added."""
        return cls(year=year, actor=actor)

    def add_arrangement(self, arrangement: HolidayArrangement, *, at: datetime, actor: str) -> int:
        """Add the year's arrangement, or an amended one; it is in force from now on.

        Returns its version (1 for the first). An arrangement identical to the one in force
        changes nothing and is refused (``arrangement-unchanged``).
        """
        if arrangement.year != self.year:
            raise DomainRuleViolation(
                "arrangement-year-mismatch",
                f"an arrangement for {arrangement.year} is not one for {self.year}",
            )
        data = arrangement.as_data()
        if self.arrangements and self.arrangements[-1]["arrangement"] == data:
            raise DomainRuleViolation(
                "arrangement-unchanged",
                f"the {self.year} arrangement in force (v{self.version_in_force}) is the same",
            )
        self._arrangement_added(len(self.arrangements) + 1, data, at, actor)
        return self.version_in_force

    @event("ArrangementAdded", topic="craftledger:CalendarYear.ArrangementAdded")
    def _arrangement_added(
        self, version: int, arrangement: dict[str, Any], at: datetime, actor: str
    ) -> None:
        self.arrangements.append(
            {"version": version, "arrangement": arrangement, "added_at": at, "added_by": actor}
        )

    @property
    def version_in_force(self) -> int:
        """The newest arrangement's version (0 before the first is added)."""
        return len(self.arrangements)

    def arrangement(self, version: int | None = None) -> HolidayArrangement:
        """The arrangement of ``version`` (default: the one in force)."""
        if not self.arrangements:
            raise DomainRuleViolation("no-arrangement", f"no arrangement for {self.year} yet")
        chosen = version or self.version_in_force
        if not 1 <= chosen <= self.version_in_force:
            raise DomainRuleViolation("no-arrangement", f"no v{chosen} for {self.year}")
        return parse_arrangement(self.arrangements[chosen - 1]["arrangement"])
