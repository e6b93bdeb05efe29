"""A year's holiday arrangement (节假日安排): the rest days and make-up workdays of one year.

Each autumn the State Council's General Office publishes the next year's arrangement
(国务院办公厅关于 YYYY 年部分节假日安排的通知): for each public holiday the days off (放假, some of
them weekdays taken as 调休) and the weekend days worked instead (调休上班). Working days, and so
every publication window (公示期), follow from it. The arrangement is rule data: it names its
source (the notice's title and issuer, optionally its address) and its publication date, and
every window computed from it names it (``domain.working_day_calendar``).

Arrangement files
=================

JSON, UTF-8, one year per object (``domain/data/calendars/<year>.json`` for the shipped ones,
the same object for ``craftledger calendar add FILE`` and ``POST /api/v1/calendars``)::

    {
      "format": 1,                                   # optional; only 1 exists
      "year": 2026,
      "source": {"title": "国务院办公厅关于2026年部分节假日安排的通知",
                 "issuer": "国务院办公厅",
                 "url": "https://..."},              # url optional
      "published_on": "2025-11-04",
      "holidays": [
        {"name": "元旦", "rest_days": ["2026-01-01", "2026-01-02", "2026-01-03"],
         "workdays": ["2026-01-04"]},
        ...
      ],
      "notes": ["..."]                               # optional
    }

``rest_days`` lists every day off of the holiday, weekend days included (as the notice says
"1月1日至3日放假"); ``workdays`` (optional) the make-up workdays (调休上班) it names.

Rules (an :class:`~domain.errors.InvalidValue` naming the field otherwise): the year is
1949..2100; title and issuer are given; the notice is published no later than the year's last
day; at least one holiday, names distinct, each with at least one rest day; every date lies in
the year (a notice's days in the previous year -- 2019's notice made 2018-12-29 a workday --
belong to that year's arrangement, amended); no date is listed twice, so no day is both a rest
day and a workday; a make-up workday is a Saturday or a Sunday (a weekday is a workday anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from domain.errors import InvalidValue
from domain.rule_data import DataReader, load_packaged_files

__all__ = [
    "ARRANGEMENT_FORMAT",
    "FIRST_YEAR",
    "LAST_YEAR",
    "Holiday",
    "HolidayArrangement",
    "NoticeSource",
    "parse_arrangement",
    "shipped_arrangements",
]

ARRANGEMENT_FORMAT = 1
FIRST_YEAR = 1949
LAST_YEAR = 2100
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class NoticeSource:
    """The notice an arrangement comes from: its title, who issued it, where it is published."""

    title: str
    issuer: str
    url: str | None = None


@dataclass(frozen=True)
class Holiday:
    """One holiday of the arrangement: its days off (放假) and make-up workdays (调休上班)."""

    name: str
    rest_days: tuple[date, ...]
    workdays: tuple[date, ...] = ()


@dataclass(frozen=True)
class HolidayArrangement:
    """One year's holiday arrangement (节假日安排), checked against the rules above.

    Fields named in errors are paths into the file format (``holidays[1].workdays[0]``).
    """

    year: int
    source: NoticeSource
    published_on: date
    holidays: tuple[Holiday, ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise InvalidValue("year", f"must be an integer, got {self.year!r}")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise InvalidValue("year", f"must be {FIRST_YEAR}..{LAST_YEAR}, got {self.year}")
        for name in ("title", "issuer"):
            value = getattr(self.source, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(f"source.{name}", "is required: the notice the days come from")
        url = self.source.url
        if url is not None and not url.startswith(("https://", "http://")):
            raise InvalidValue("source.url", "must be an http(s) address")
        if self.published_on > date(self.year, 12, 31):
            raise InvalidValue(
                "published_on",
                f"{self.published_on.isoformat()} is after the end of {self.year}; "
                "an arrangement is published before or during its year",
            )
        if not self.holidays:
            raise InvalidValue("holidays", "an arrangement names at least one holiday")
        self._check_days()

    def _check_days(self) -> None:
        listed: dict[date, str] = {}
        names: set[str] = set()
        for index, holiday in enumerate(self.holidays):
            where = f"holidays[{index}]"
            if not holiday.name.strip():
                raise InvalidValue(f"{where}.name", "is required (元旦, 春节, ...)")
            if holiday.name in names:
                raise InvalidValue(f"{where}.name", f"{holiday.name} is listed twice")
            names.add(holiday.name)
            if not holiday.rest_days:
                raise InvalidValue(f"{where}.rest_days", "a holiday has at least one day off")
            for kind, days in (("rest_days", holiday.rest_days), ("workdays", holiday.workdays)):
                for position, day in enumerate(days):
                    path = f"{where}.{kind}[{position}]"
                    self._check_day(day, path, kind, listed)
                    listed[day] = path

    def _check_day(self, day: date, path: str, kind: str, listed: dict[date, str]) -> None:
        text = day.isoformat()
        if day.year != self.year:
            raise InvalidValue(
                path,
                f"{text} is not in {self.year}; days in another year belong to that year's "
                "arrangement",
            )
        if day in listed:
            earlier = listed[day]
            both = kind == "workdays" and ".rest_days[" in earlier
            raise InvalidValue(
                path,
                f"{text} is both a rest day ({earlier}) and a make-up workday"
                if both
                else f"{text} is already listed at {earlier}",
            )
        if kind == "workdays" and day.weekday() < 5:
            raise InvalidValue(
                path,
                f"{text} is a {_WEEKDAYS[day.weekday()]}; a make-up workday (调休上班) is a "
                "Saturday or a Sunday",
            )

    @property
    def key(self) -> str:
        """The name of its shipped file, without ``.json``."""
        return str(self.year)

    @property
    def rest_days(self) -> frozenset[date]:
        return frozenset(day for holiday in self.holidays for day in holiday.rest_days)

    @property
    def workdays(self) -> frozenset[date]:
        return frozenset(day for holiday in self.holidays for day in holiday.workdays)

    def as_data(self) -> dict[str, Any]:
        """The file format (what :func:`parse_arrangement` reads and events store)."""
        source: dict[str, Any] = {"title": self.source.title, "issuer": self.source.issuer}
        if self.source.url is not None:
            source["url"] = self.source.url
        data: dict[str, Any] = {
            "format": ARRANGEMENT_FORMAT,
            "year": self.year,
            "source": source,
            "published_on": self.published_on.isoformat(),
            "holidays": [
                {
                    "name": holiday.name,
                    "rest_days": [day.isoformat() for day in holiday.rest_days],
                    "workdays": [day.isoformat() for day in holiday.workdays],
                }
                for holiday in self.holidays
            ],
        }
        if self.notes:
            data["notes"] = list(self.notes)
        return data


# --- parsing -----------------------------------------------------------------------------------


def parse_arrangement(data: object, *, source: str = "arrangement") -> HolidayArrangement:
    """A :class:`HolidayArrangement` from the decoded file format.

    ``source`` (a file name) prefixes the field of any :class:`InvalidValue`:
    ``2027.json.holidays[1].workdays[0]``.
    """
    top = DataReader(data, source)
    top.reject_unknown({"format", "year", "source", "published_on", "holidays", "notes"})
    version = top.data.get("format", ARRANGEMENT_FORMAT)
    if type(version) is not int or version != ARRANGEMENT_FORMAT:
        raise top.fail("format", f"unsupported format {version!r}; expected {ARRANGEMENT_FORMAT}")
    year = top.raw("year")
    if isinstance(year, bool) or not isinstance(year, int):
        raise top.fail("year", f"must be an integer, got {year!r}")
    notice = DataReader(top.raw("source"), f"{source}.source")
    notice.reject_unknown({"title", "issuer", "url"})
    holidays = []
    for index, item in enumerate(top.items("holidays")):
        holiday = DataReader(item, f"{source}.holidays[{index}]")
        holiday.reject_unknown({"name", "rest_days", "workdays"})
        holidays.append(
            Holiday(
                name=holiday.text("name"),
                rest_days=_dates(holiday, "rest_days"),
                workdays=_dates(holiday, "workdays"),
            )
        )
    try:
        return HolidayArrangement(
            year=year,
            source=NoticeSource(
                title=notice.text("title"),
                issuer=notice.text("issuer"),
                url=notice.text("url") if "url" in notice.data else None,
            ),
            published_on=top.iso_date("published_on"),
            holidays=tuple(holidays),
            notes=tuple(top.strings("notes")),
        )
    except InvalidValue as error:
        if error.field.startswith(f"{source}."):
            raise
        raise InvalidValue(f"{source}.{error.field}", error.detail) from None


def _dates(reader: DataReader, key: str) -> tuple[date, ...]:
    days = []
    for position, value in enumerate(reader.items(key)):
        try:
            days.append(date.fromisoformat(value if isinstance(value, str) else ""))
        except ValueError:
            raise reader.fail(
                f"{key}[{position}]", f"must be an ISO date YYYY-MM-DD, got {value!r}"
            ) from None
    return tuple(days)


# --- the shipped files -------------------------------------------------------------------------


def shipped_arrangements() -> dict[int, HolidayArrangement]:
    """The arrangements shipped in ``domain/data/calendars``, by year."""
    return dict(_load_shipped())


@cache
def _load_shipped() -> tuple[tuple[int, HolidayArrangement], ...]:
    loaded: Iterable[HolidayArrangement] = load_packaged_files(
        "domain.data.calendars", parse_arrangement, "holiday arrangement"
    )
    return tuple((item.year, item) for item in sorted(loaded, key=lambda item: item.year))
