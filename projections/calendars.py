"""Recorded working-day calendars: the holiday arrangement in force for each recorded year.

Projection ``Calendars`` (name ``"calendars"``); query ``CalendarsQuery(store)``::

    query.recorded() -> list[RecordedArrangement]     # ordered by year
        RecordedArrangement(year, version, arrangement: HolidayArrangement, added_by, added_at)

Only arrangements an administrator added (``CalendarYear.ArrangementAdded``) are here, the
newest version of each year; the shipped files and the ``chinesecalendar`` package are not
events, and ``service.calendars`` lists them beside these.

Tables::

    calendars_arrangement(year PK, version, arrangement JSON (the file format), added_by,
                          added_at)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from domain.holiday_arrangement import HolidayArrangement, parse_arrangement
from projections.projection import Projection, RecordedEvent, handles, iso_datetime, to_json
from projections.query import ProjectionQuery
from projections.store import Transaction


class Calendars(Projection):
    """The newest recorded holiday arrangement of each year."""

    name = "calendars"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {"calendars_arrangement": ("year",)}
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS calendars_arrangement (
            year INTEGER PRIMARY KEY,
            version INTEGER NOT NULL,
            arrangement TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        )""",
    )

    @handles("craftledger:CalendarYear.ArrangementAdded")
    def arrangement_added(self, tx: Transaction, event: RecordedEvent) -> None:
        arrangement = event["arrangement"]
        tx.upsert(
            "calendars_arrangement",
            ("year",),
            {
                "year": int(arrangement["year"]),
                "version": int(event["version"]),
                "arrangement": to_json(arrangement),
                "added_by": event["actor"],
                "added_at": iso_datetime(event["at"]),
            },
        )


@dataclass(frozen=True)
class RecordedArrangement:
    """A year's recorded arrangement in force: its version, who added it and when."""

    year: int
    version: int
    arrangement: HolidayArrangement
    added_by: str
    added_at: str


class CalendarsQuery(ProjectionQuery):
    """Reads of the ``Calendars`` projection (see the module docstring)."""

    def recorded(self) -> list[RecordedArrangement]:
        with self.store.read() as tx:
            rows = tx.rows(
                "SELECT year, version, arrangement, added_by, added_at"
                " FROM calendars_arrangement ORDER BY year"
            )
        return [
            RecordedArrangement(
                year=int(year),
                version=int(version),
                arrangement=parse_arrangement(json.loads(data)),
                added_by=added_by,
                added_at=added_at,
            )
            for year, version, data, added_by, added_at in rows
        ]
