"""Recorded holiday arrangements: adding a year's arrangement, and the calendar in force.

The calendar in force for a year is the newest arrangement an administrator recorded for it
(``CalendarYear``), else the arrangement file shipped in ``domain/data/calendars``, else the
``chinesecalendar`` package (``service.working_days``); see ``docs/calendars.md``.
"""

from __future__ import annotations

from domain.calendar_year import CalendarYear
from domain.holiday_arrangement import HolidayArrangement
from domain.working_day_calendar import CalendarSource, WorkingDayCalendar, YearCalendar
from service.commands import NotFound, Recorded, retried
from service.ledger_store import LedgerStore
from service.working_days import working_day_calendar, year_calendars

__all__ = ["ADD_CALENDAR_REMEDY", "Calendars"]

ADD_CALENDAR_REMEDY = (
    "add that year's holiday arrangement with `craftledger calendar add FILE` or "
    "`POST /api/v1/calendars` (an administrator)"
)
"""How a refused window (``calendar-missing-year``) is fixed."""


class Calendars:
    """Commands and reads of recorded holiday arrangements (``ledger.calendars``)."""

    def __init__(self, ledger: LedgerStore) -> None:
        self._ledger = ledger

    @retried
    def add_holiday_arrangement(self, arrangement: HolidayArrangement, *, actor: str) -> Recorded:
        """Record ``arrangement`` as its year's next version, in force from now on."""
        year = arrangement.year
        calendar_year = self.calendar_year(year) or CalendarYear.open(year, actor)
        calendar_year.add_arrangement(arrangement, at=self._ledger.clock(), actor=actor)
        return self._ledger.record(calendar_year)

    def calendar_year(self, year: int) -> CalendarYear | None:
        """The arrangements recorded for ``year``, or None if none ever was."""
        try:
            found = self._ledger.load(CalendarYear, CalendarYear.create_id(year), "calendar year")
        except NotFound:
            return None
        return found  # type: ignore[no-any-return]

    def recorded_year_calendar(self, year: int) -> YearCalendar | None:
        """The calendar of ``year``'s newest recorded arrangement, if any."""
        found = self.calendar_year(year)
        if found is None or not found.version_in_force:
            return None
        return YearCalendar.from_arrangement(
            found.arrangement(), CalendarSource.RECORDED, found.version_in_force
        )

    def working_day_calendar(self) -> WorkingDayCalendar:
        """Working days as of now: recorded arrangements, then shipped files, then the package."""
        return working_day_calendar(self.recorded_year_calendar, remedy=ADD_CALENDAR_REMEDY)

    def year_calendars(self, year: int) -> list[YearCalendar]:
        """Every calendar of ``year``, the one in force first (empty: no source knows it)."""
        return year_calendars(year, self.recorded_year_calendar(year))
