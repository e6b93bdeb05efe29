"""China Standard Time (北京时间): the calendar a fact's date is read on.

The ledger records instants in UTC; craftledger serves mainland China, so the *date* of a fact
(a certificate's 发证日期, a registration, an appointment, an award) is the date in China at
that instant: a certificate issued at 00:30 Beijing time on 2026-12-19 (16:30 UTC on the 18th)
is dated 2026-12-19, in the API, the PDF, the ladders and the statistics alike. China has kept
UTC+8 all year since 1991 (no daylight saving), so the rule is one fixed offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

__all__ = ["CHINA", "china_date", "china_year", "end_of_china_day", "start_of_china_day"]

CHINA = timezone(timedelta(hours=8), "China Standard Time")


def china_date(moment: datetime) -> date:
    """The calendar date in mainland China (UTC+8) at ``moment``; a naive datetime is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).date()


def china_year(moment: datetime) -> int:
    """The year on the China calendar at ``moment`` (a fact's year: number series, statistics)."""
    return china_date(moment).year


def start_of_china_day(day: date) -> datetime:
    """The first instant of ``day`` on the China calendar (16:00 UTC the day before)."""
    return datetime.combine(day, time.min, tzinfo=CHINA)


def end_of_china_day(day: date) -> datetime:
    """The last instant of ``day`` on the China calendar (15:59:59.999999 UTC that day): what
    "on ``day``" and "as of ``day``" mean when facts are compared with a date."""
    return datetime.combine(day, time.max, tzinfo=CHINA)
