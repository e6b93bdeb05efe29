"""Every year a calendar covers, with the source in force and the sources it overrides (the
list ``GET /api/v1/calendars`` and ``craftledger calendar list`` answer), from the ``calendars``
read model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.holiday_arrangement import shipped_arrangements
from domain.working_day_calendar import CalendarSource, YearCalendar
from projections.calendars import RecordedArrangement
from service.working_days import package_years, year_calendars

__all__ = ["CalendarYearEntry", "calendar_years"]


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
