"""Working days on the Chinese calendar (工作日), for publication windows (公示期).

A working day is a day people work in mainland China: Monday to Friday unless it is a public
holiday or a rest day of a holiday arrangement, plus the weekend make-up workdays (调休上班) the
State Council announces each year (e.g. Saturday 2024-10-12 after National Day). The data comes
from the maintained ``chinesecalendar`` package (import name ``chinese_calendar``), never from a
hand-kept list; that package only knows the years whose arrangement has been published, and a
date outside them raises :class:`CalendarOutOfRange` rather than guessing.

Publication windows
-------------------
``add_working_days(start, n)`` is the last day of a window of ``n`` working days opened on
``start``. Counting begins on the **next working day after** ``start`` -- the day of publication
itself never counts, even if it is a working day -- and the returned date is the ``n``-th working
day after ``start``. The window **includes** that day and ends when it ends (24:00 China Standard
Time); the earliest day the window is over, and results may be confirmed, is the day after.

Example: published on Friday 2024-09-27, a 5-working-day window covers Sun 09-29 (make-up
workday), Mon 09-30, Tue 10-08, Wed 10-09, Thu 10-10 and ends at the end of 2024-10-10.

Dates are ``datetime.date`` values on the China calendar; a ``datetime`` is refused, because
turning a UTC timestamp into a China date is the caller's decision (UTC+8), not ours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar  # type: ignore[import-untyped]  # the package ships no type hints

__all__ = [
    "CalendarOutOfRange",
    "add_working_days",
    "is_working_day",
    "supported_range",
    "working_days_between",
]


class CalendarOutOfRange(ValueError):
    """The date lies outside the years the installed ``chinesecalendar`` knows.

    Holiday arrangements are published year by year; until the package is upgraded with the
    new year's arrangement, working days in that year cannot be known.
    """

    def __init__(self, day: date, first: date, last: date, context: str = "") -> None:
        self.day = day
        self.first = first
        self.last = last
        super().__init__(
            (f"{context}: " if context else "")
            + f"{day.isoformat()} is outside the Chinese working-day calendar, which covers "
            f"{first.isoformat()}..{last.isoformat()} (chinesecalendar "
            f"{chinese_calendar.__version__}); upgrade chinesecalendar once that year's "
            "holiday arrangement is published"
        )


def supported_range() -> tuple[date, date]:
    """First and last date the installed calendar data covers (whole years)."""
    known = chinese_calendar.holidays.keys()
    return date(min(known).year, 1, 1), date(max(known).year, 12, 31)


def _check(day: date) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            f"expected a datetime.date on the China calendar, got {type(day).__name__}; "
            "convert timestamps to the China date (UTC+8) first"
        )
    first, last = supported_range()
    if not first <= day <= last:
        raise CalendarOutOfRange(day, first, last)
    return day


def is_working_day(day: date) -> bool:
    """True if ``day`` is a working day in mainland China, make-up workdays included."""
    _check(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the library's own range check; keep one clear error
        first, last = supported_range()
        raise CalendarOutOfRange(day, first, last) from None


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``: the last day of an ``n``-working-day window.

    ``start`` itself never counts. ``n`` must be at least 1. Raises
    :class:`CalendarOutOfRange` if ``start`` or any day the count passes through is outside
    the calendar data.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"a window needs at least 1 working day, got {n}")
    day = _check(start)
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        try:
            working = is_working_day(day)
        except CalendarOutOfRange as error:
            raise CalendarOutOfRange(
                error.day,
                error.first,
                error.last,
                f"a {n}-working-day window opened on {start.isoformat()} runs past the data",
            ) from None
        if working:
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days ``d`` with ``start < d <= end`` (0 if ``end <= start``).

    The inverse of :func:`add_working_days`: ``working_days_between(s, add_working_days(s, n))
    == n``.
    """
    _check(start)
    _check(end)
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count
