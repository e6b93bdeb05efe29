"""The ``chinesecalendar`` package as a source of working-day calendars, and the shipped files.

``chinesecalendar`` (import name ``chinese_calendar``) is the maintained record of the State
Council's holiday arrangements; it knows the years whose arrangement had been published when
the installed release was made (1.11.0: 2004-2026). :func:`package_year` turns one of its years
into a ``domain.working_day_calendar.YearCalendar`` (source ``package``); arrangement files
shipped in ``domain/data/calendars`` override or extend it (source ``file``), and arrangements
an administrator recorded override both (``service.calendars``). The working-day arithmetic
itself is the domain's (``WorkingDayCalendar``); nothing here counts days.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import chinese_calendar  # type: ignore[import-untyped]  # the package ships no type hints

from domain.holiday_arrangement import shipped_arrangements
from domain.working_day_calendar import (
    CalendarSource,
    WorkingDayCalendar,
    YearCalendar,
    by_precedence,
)

__all__ = [
    "PACKAGE_NAME",
    "package_year",
    "package_years",
    "working_day_calendar",
    "year_calendars",
]

PACKAGE_NAME = f"chinesecalendar {chinese_calendar.__version__} (mainland China working days)"
"""What a window counted on the package's data records (as before calendar files existed)."""


@cache
def package_years() -> range:
    """The years the installed ``chinesecalendar`` covers (whole years)."""
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


@cache
def package_year(year: int) -> YearCalendar | None:
    """The package's calendar of ``year``, or None for a year it does not cover."""
    if year not in package_years():
        return None
    return YearCalendar(
        year=year,
        source=CalendarSource.PACKAGE,
        name=PACKAGE_NAME,
        rest_days=frozenset(day for day in chinese_calendar.holidays if day.year == year),
        workdays=frozenset(day for day in chinese_calendar.workdays if day.year == year),
    )


def year_calendars(year: int, recorded: YearCalendar | None = None) -> list[YearCalendar]:
    """Every calendar of ``year``, the one in force first (empty: no source knows the year):
    the ``recorded`` arrangement if given, the shipped file, the package's."""
    found = [] if recorded is None else [recorded]
    arrangement = shipped_arrangements().get(year)
    if arrangement is not None:
        found.append(YearCalendar.from_arrangement(arrangement, CalendarSource.FILE))
    package = package_year(year)
    if package is not None:
        found.append(package)
    return by_precedence(found)


def working_day_calendar(
    recorded: Callable[[int], YearCalendar | None] = lambda year: None, *, remedy: str = ""
) -> WorkingDayCalendar:
    """Working days from the calendar in force for each year (:func:`year_calendars`);
    ``recorded(year)`` gives a year's recorded arrangement (none by default)."""

    def in_force(year: int) -> YearCalendar | None:
        found = year_calendars(year, recorded(year))
        return found[0] if found else None

    return WorkingDayCalendar(in_force, remedy=remedy)
