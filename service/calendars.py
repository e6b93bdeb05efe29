"""Working-day calendars of the ledger: adding a year's holiday arrangement, and the calendar
publication windows are counted on.

A mixin of ``service.ledger.Ledger``. The calendar in force for a year is the newest
arrangement an administrator recorded for it (``CalendarYear``), else the arrangement file
shipped in ``domain/data/calendars``, else the ``chinesecalendar`` package
(``service.working_days``); see ``docs/calendars.md``. :func:`calendar_years` lists every known
year with the source in force and what it overrides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eventsourcing.application import AggregateNotFoundError

from domain.calendar_year import CalendarYear
from domain.holiday_arrangement import HolidayArrangement, shipped_arrangements
from domain.working_day_calendar import (
    CalendarSource,
    WorkingDayCalendar,
    YearCalendar,
)
from projections.calendars import RecordedArrangement
from service.commands import Recorded, retried
from service.working_days import package_years, working_day_calendar, year_calendars

__all__ = ["ADD_CALENDAR_REMEDY", "CalendarRecords", "CalendarYearEntry", "calendar_years"]

ADD_CALENDAR_REMEDY = (
    "add that year's holiday arrangement with `craftledger calendar add FILE` or "
    "`POST /api/v1/calendars` (an administrator)"
)
"""How a refused window (``calendar-missing-year``) is fixed."""


class CalendarRecords:
    """Commands and reads of recorded holiday arrangements (a ``Ledger`` mixin)."""

    @retried
    def add_holiday_arrangement(self, arrangement: HolidayArrangement, *, actor: str) -> Recorded:
        """Record ``arrangement`` as its year's next version, in force from now on."""
        year = arrangement.year
        calendar_year = self.calendar_year(year) or CalendarYear.open(year, actor)
        calendar_year.add_arrangement(arrangement, at=self.clock(), actor=actor)
        return self.record(calendar_year)

    def calendar_year(self, year: int) -> CalendarYear | None:
        """The arrangements recorded for ``year``, or None if none ever was."""
        try:
            found = self.repository.get(CalendarYear.create_id(year))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, CalendarYear) else None

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


@dataclass(frozen=True)
class CalendarYearEntry:
    """One known year: the calendar in force, the ones it overrides, and who recorded it."""

    in_force: YearCalendar
    overridden: tuple[YearCalendar, ...]
    added_by: str | None = None
    added_at: str | None = None


def calendar_years(recorded: Iterable[RecordedArrangement]) -> list[CalendarYearEntry]:
    """Every year a source knows, in year order: the package's years, the shipped files and
    the ``recorded`` arrangements (from the ``calendars`` read model)."""
    by_year = {item.year: item for item in recorded}
    years = sorted({*package_years(), *shipped_arrangements(), *by_year})
    entries = []
    for year in years:
        item = by_year.get(year)
        recorded_calendar = (
            None
            if item is None
            else YearCalendar.from_arrangement(
                item.arrangement, CalendarSource.RECORDED, item.version
            )
        )
        first, *rest = year_calendars(year, recorded_calendar)
        entries.append(
            CalendarYearEntry(
                in_force=first,
                overridden=tuple(rest),
                added_by=item.added_by if item else None,
                added_at=item.added_at if item else None,
            )
        )
    return entries
