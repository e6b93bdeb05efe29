"""Working days (工作日) on the Chinese calendar, year by year from versioned sources.

A working day is Monday to Friday unless it is a rest day of the year's holiday arrangement,
plus the weekend make-up workdays (调休上班) the arrangement names. Each year's days come from
one :class:`YearCalendar`, and a year can be known to several sources; the one in force is the
first in :data:`PRECEDENCE`:

1. ``recorded`` -- an arrangement an administrator added to the ledger (an event), newest
   version of that year;
2. ``file`` -- an arrangement file shipped in ``domain/data/calendars``;
3. ``package`` -- the ``chinesecalendar`` package (adapted in ``service.working_days``).

A year no source knows is never guessed: counting into it raises :class:`CalendarYearMissing`
(rule ``calendar-missing-year``), naming the year.

Publication windows (公示期)
---------------------------
:meth:`WorkingDayCalendar.window` gives the window of ``n`` working days opened on ``start``.
Counting begins on the **next working day after** ``start`` -- the day of publication itself
never counts, even if it is a working day -- and the window **includes** its ``n``-th working
day and ends when that day ends (24:00 China Standard Time); the earliest day the window is
over is the day after. The window names the calendar of every year it counted in
(:attr:`PublicationWindow.calendar_name`).

Example: published on Friday 2024-09-27, a 5-working-day window covers Sun 09-29 (make-up
workday), Mon 09-30, Tue 10-08, Wed 10-09, Thu 10-10 and ends at the end of 2024-10-10.

Dates are ``datetime.date`` values on the China calendar; a ``datetime`` is refused, because
turning a UTC timestamp into a China date is the caller's decision (UTC+8), not ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.errors import DomainRuleViolation
from domain.holiday_arrangement import HolidayArrangement

__all__ = [
    "PRECEDENCE",
    "CalendarSource",
    "CalendarYearMissing",
    "PublicationWindow",
    "WorkingDayCalendar",
    "YearCalendar",
    "by_precedence",
]


class CalendarSource(StrEnum):
    """Where a year's working days come from."""

    PACKAGE = "package"
    FILE = "file"
    RECORDED = "recorded"


PRECEDENCE = (CalendarSource.RECORDED, CalendarSource.FILE, CalendarSource.PACKAGE)
"""The first source that knows a year is in force for it."""


class CalendarYearMissing(DomainRuleViolation):
    """No calendar covers ``year``: its holiday arrangement has not been added."""

    RULE = "calendar-missing-year"

    def __init__(self, year: int, detail: str) -> None:
        super().__init__(self.RULE, detail, year=year)
        self.year = year

    def __reduce__(self) -> tuple[type[CalendarYearMissing], tuple[int, str]]:
        return type(self), (self.year, self.detail)


@dataclass(frozen=True)
class YearCalendar:
    """One year's rest days and make-up workdays from one source, and the name windows record.

    ``version`` counts the recorded arrangements of the year (None for the other sources).
    """

    year: int
    source: CalendarSource
    name: str
    rest_days: frozenset[date]
    workdays: frozenset[date]
    version: int | None = None
    arrangement: HolidayArrangement | None = field(default=None, compare=False)

    @classmethod
    def from_arrangement(
        cls, arrangement: HolidayArrangement, source: CalendarSource, version: int | None = None
    ) -> YearCalendar:
        """The calendar of an arrangement file (``file``) or a recorded one (``recorded``)."""
        label = "as shipped" if version is None else f"v{version}"
        return cls(
            year=arrangement.year,
            source=source,
            name=f"{arrangement.year} arrangement {label} ({arrangement.source.title}, "
            f"{arrangement.published_on.isoformat()})",
            rest_days=arrangement.rest_days,
            workdays=arrangement.workdays,
            version=version,
            arrangement=arrangement,
        )

    def is_working_day(self, day: date) -> bool:
        if day.year != self.year:
            raise ValueError(f"{day.isoformat()} is not in {self.year}")
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.rest_days


def by_precedence(calendars: Iterable[YearCalendar]) -> list[YearCalendar]:
    """``calendars`` of one year, the one in force first (see :data:`PRECEDENCE`)."""
    return sorted(calendars, key=lambda calendar: PRECEDENCE.index(calendar.source))


@dataclass(frozen=True)
class PublicationWindow:
    """A window of ``working_days`` opened on ``opens_on``, ending with ``ends_on``."""

    opens_on: date
    working_days: int
    ends_on: date
    calendars: tuple[YearCalendar, ...]

    @property
    def calendar_name(self) -> str:
        """The calendars of the years counted, e.g. ``"chinesecalendar 1.11.0 (...)"`` or
        ``"2026 arrangement as shipped (...); 2027 arrangement v1 (...)"``."""
        return "; ".join(dict.fromkeys(calendar.name for calendar in self.calendars))


class WorkingDayCalendar:
    """Working days across years; ``year_calendar(year)`` gives the calendar in force for a
    year, or None when no source knows it. ``remedy`` ends the refusal of a missing year
    (how to add one)."""

    def __init__(
        self, year_calendar: Callable[[int], YearCalendar | None], *, remedy: str = ""
    ) -> None:
        self._lookup = year_calendar
        self._remedy = remedy
        self._years: dict[int, YearCalendar] = {}

    def year(self, year: int, context: str = "") -> YearCalendar:
        """The calendar in force for ``year``; :class:`CalendarYearMissing` if none is."""
        found = self._years.get(year)
        if found is None:
            found = self._lookup(year)
            if found is None:
                raise CalendarYearMissing(
                    year,
                    (f"{context}; " if context else "")
                    + f"no working-day calendar covers {year}: its holiday arrangement "
                    f"(国务院办公厅关于{year}年部分节假日安排的通知) has not been added"
                    + (f"; {self._remedy}" if self._remedy else ""),
                )
            self._years[year] = found
        return found

    def is_working_day(self, day: date) -> bool:
        """True if ``day`` is a working day in mainland China, make-up workdays included."""
        return self.year(_check(day).year).is_working_day(day)

    def window(self, start: date, n: int) -> PublicationWindow:
        """The window of ``n`` (>= 1) working days opened on ``start`` (see the module doc)."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"a window needs at least 1 working day, got {n}")
        day = _check(start)
        counted = 0
        used: dict[int, YearCalendar] = {}
        while counted < n:
            day += timedelta(days=1)
            calendar = used.get(day.year)
            if calendar is None:
                context = (
                    f"a {n}-working-day window opened on {start.isoformat()} reaches "
                    f"{day.isoformat()}"
                )
                calendar = used[day.year] = self.year(day.year, context)
            if calendar.is_working_day(day):
                counted += 1
        return PublicationWindow(start, n, day, tuple(used.values()))

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``: the last day of its window."""
        return self.window(start, n).ends_on

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end`` (0 if ``end <= start``); the inverse
        of :meth:`add_working_days`."""
        _check(start)
        _check(end)
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count


def _check(day: date) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            f"expected a datetime.date on the China calendar, got {type(day).__name__}; "
            "convert timestamps to the China date (UTC+8) first"
        )
    return day
