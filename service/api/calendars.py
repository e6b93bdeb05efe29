"""Working-day calendars: every year's holiday arrangement (节假日安排) and where it comes from.

Publication windows (公示) count working days on the calendar in force for each year: an
arrangement an administrator recorded (newest version), else the file shipped with craftledger,
else the ``chinesecalendar`` package. When a window would reach a year none of them covers, it
is refused (``calendar-missing-year``); the HR bureau (admin) then adds the State Council's
notice for that year here. The calendars are public, as the notices are; who recorded one is
shown to admins and auditors.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from domain.api_token import Role
from domain.calendar_year import CalendarYear
from domain.holiday_arrangement import (
    ARRANGEMENT_FORMAT,
    FIRST_YEAR,
    LAST_YEAR,
    Holiday,
    HolidayArrangement,
    NoticeSource,
)
from domain.working_day_calendar import CalendarSource, YearCalendar
from projections.calendars import CalendarsQuery
from projections.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from projections.projection import iso_datetime
from service.api.auth import access, current_principal
from service.api.fields import text
from service.api.openapi import Blueprint, located_at
from service.api.problems import Problem, field_errors
from service.api.reads import list_page
from service.app_services import ledger, services
from service.calendars import calendar_years
from service.commands import NotFound

blp = Blueprint(
    "calendars",
    __name__,
    url_prefix="/api/v1/calendars",
    description="Working-day calendars: each year's holiday arrangement (节假日安排), from the "
    "chinesecalendar package, a shipped file or one an administrator recorded.",
)

EVERYONE = {
    "public": "anyone (the notices are public)",
    "admin": "with who recorded each arrangement",
    "auditor": "with who recorded each arrangement",
    "issuer": "anyone",
    "organiser": "anyone",
    "worker": "anyone",
}


# -- request ------------------------------------------------------------------------------------


class NoticeSourceSchema(ma.Schema):
    title = text(200, required=True, description="国务院办公厅关于2027年部分节假日安排的通知")
    issuer = text(100, required=True, description="国务院办公厅")
    url = ma.fields.Url(
        load_default=None,
        schemes={"http", "https"},
        validate=validate.Length(max=500),
        metadata={"description": "where the notice is published"},
    )


def day_list(**kwargs: Any) -> ma.fields.List:
    return ma.fields.List(ma.fields.Date(), validate=validate.Length(max=366), **kwargs)


class HolidaySchema(ma.Schema):
    name = text(50, required=True, description="元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节")
    rest_days = day_list(required=True, metadata={"description": "every day off (放假)"})
    workdays = day_list(
        load_default=list, metadata={"description": "make-up workdays (调休上班), weekends"}
    )


class HolidayArrangementSchema(ma.Schema):
    """A year's holiday arrangement: the format of ``domain/data/calendars/<year>.json``."""

    format = ma.fields.Integer(
        load_default=ARRANGEMENT_FORMAT, strict=True, validate=validate.Equal(ARRANGEMENT_FORMAT)
    )
    year = ma.fields.Integer(
        required=True, strict=True, validate=validate.Range(FIRST_YEAR, LAST_YEAR)
    )
    source = ma.fields.Nested(NoticeSourceSchema, required=True)
    published_on = ma.fields.Date(required=True, metadata={"description": "the notice's date"})
    holidays = ma.fields.List(
        ma.fields.Nested(HolidaySchema), required=True, validate=validate.Length(min=1, max=30)
    )
    notes = ma.fields.List(text(500), load_default=list, validate=validate.Length(max=50))


# -- responses ----------------------------------------------------------------------------------


class CalendarSchema(ma.Schema):
    source = ma.fields.String(
        required=True, validate=validate.OneOf([source.value for source in CalendarSource])
    )
    version = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "recorded arrangements: 1, 2…"}
    )
    name = ma.fields.String(
        required=True, metadata={"description": "what a publication window counted on it records"}
    )
    title = ma.fields.String(required=True, allow_none=True)
    issuer = ma.fields.String(required=True, allow_none=True)
    url = ma.fields.String(required=True, allow_none=True)
    published_on = ma.fields.String(required=True, allow_none=True, metadata={"format": "date"})


class CalendarYearSummarySchema(ma.Schema):
    year = ma.fields.Integer(required=True)
    in_force = ma.fields.Nested(CalendarSchema, required=True)
    overridden = ma.fields.List(ma.fields.Nested(CalendarSchema), required=True)
    added_by = ma.fields.String(required=True, allow_none=True)
    added_at = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class RecordedVersionSchema(ma.Schema):
    version = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    published_on = ma.fields.String(required=True, metadata={"format": "date"})
    added_by = ma.fields.String(required=True, allow_none=True)
    added_at = ma.fields.String(required=True, metadata={"format": "date-time"})


class CalendarYearSchema(CalendarYearSummarySchema):
    rest_days = ma.fields.List(
        ma.fields.String(metadata={"format": "date"}),
        required=True,
        metadata={"description": "rest days of the calendar in force"},
    )
    workdays = ma.fields.List(
        ma.fields.String(metadata={"format": "date"}),
        required=True,
        metadata={"description": "make-up workdays (调休上班) of the calendar in force"},
    )
    recorded = ma.fields.List(
        ma.fields.Nested(RecordedVersionSchema),
        required=True,
        metadata={"description": "every arrangement recorded for the year, oldest first"},
    )


# -- views --------------------------------------------------------------------------------------


def shows_recorder() -> bool:
    return current_principal().is_(Role.ADMIN, Role.AUDITOR)


def calendar_view(calendar: YearCalendar) -> dict[str, Any]:
    arrangement = calendar.arrangement
    return {
        "source": calendar.source.value,
        "version": calendar.version,
        "name": calendar.name,
        "title": arrangement.source.title if arrangement else None,
        "issuer": arrangement.source.issuer if arrangement else None,
        "url": arrangement.source.url if arrangement else None,
        "published_on": arrangement.published_on.isoformat() if arrangement else None,
    }


def year_view(calendars: list[YearCalendar], recorded: CalendarYear | None) -> dict[str, Any]:
    in_force, *overridden = calendars
    history = recorded.arrangements if recorded else []
    newest = history[-1] if history and in_force.source is CalendarSource.RECORDED else None
    return {
        "year": in_force.year,
        "in_force": calendar_view(in_force),
        "overridden": [calendar_view(calendar) for calendar in overridden],
        "added_by": newest["added_by"] if newest and shows_recorder() else None,
        "added_at": iso_datetime(newest["added_at"]) if newest else None,
        "rest_days": sorted(day.isoformat() for day in in_force.rest_days),
        "workdays": sorted(day.isoformat() for day in in_force.workdays),
        "recorded": [
            {
                "version": item["version"],
                "title": item["arrangement"]["source"]["title"],
                "published_on": item["arrangement"]["published_on"],
                "added_by": item["added_by"] if shows_recorder() else None,
                "added_at": iso_datetime(item["added_at"]),
            }
            for item in history
        ],
    }


def arrangement_of(body: dict[str, Any]) -> HolidayArrangement:
    """The request's arrangement; a broken rule is a field error at its JSON pointer."""
    with field_errors():
        return HolidayArrangement(
            year=body["year"],
            source=NoticeSource(**body["source"]),
            published_on=body["published_on"],
            holidays=tuple(
                Holiday(
                    name=holiday["name"],
                    rest_days=tuple(holiday["rest_days"]),
                    workdays=tuple(holiday["workdays"]),
                )
                for holiday in body["holidays"]
            ),
            notes=tuple(body["notes"]),
        )


LOCATION = located_at("calendars.get_calendar", "year", "year")


@blp.route("", methods=["POST"])
@access(admin="the HR bureau adds a year's arrangement, or an amended one")
@blp.command(HolidayArrangementSchema, CalendarYearSchema, status=201, errors=(), location=LOCATION)
def add_calendar(body: dict[str, Any]) -> Any:
    """Add a year's holiday arrangement (国务院办公厅关于 YYYY 年部分节假日安排的通知).

    It becomes the year's next recorded version and is in force from now on, over the shipped
    file and the chinesecalendar package. Every date must lie in the year, no day may be both a
    rest day and a make-up workday, make-up workdays are weekends, and the notice's title,
    issuer and publication date are required; an arrangement identical to the one in force is
    refused (``arrangement-unchanged``). Nothing is recorded when it is refused."""
    recorded = ledger().calendars.add_holiday_arrangement(
        arrangement_of(body), actor=current_principal().actor
    )
    calendars = ledger().calendars.year_calendars(recorded.aggregate.year)
    return recorded, year_view(calendars, recorded.aggregate)


@blp.route("", methods=["GET"])
@access(**EVERYONE)
@list_page(blp, CalendarYearSummarySchema, read_model="calendars")
def list_calendars(page: dict[str, Any]) -> Any:
    """Every year a calendar covers, in year order: the source in force (package, file or
    recorded), its version and name, and the sources it overrides."""
    store = services().projection_store
    if store is None:
        raise Problem(503, "read-model-unavailable", "the calendars are not available yet")
    key = decode_cursor("calendars", page["cursor"], 1)
    if key is not None and (isinstance(key[0], bool) or not isinstance(key[0], int)):
        raise InvalidCursor("cursor is not one this list handed out")
    entries = [
        entry
        for entry in calendar_years(CalendarsQuery(store).recorded())
        if key is None or entry.in_force.year > key[0]
    ]
    shown = entries[: page["limit"]]
    items = [
        {
            "year": entry.in_force.year,
            "in_force": calendar_view(entry.in_force),
            "overridden": [calendar_view(calendar) for calendar in entry.overridden],
            "added_by": entry.added_by if shows_recorder() else None,
            "added_at": entry.added_at,
        }
        for entry in shown
    ]
    more = len(entries) > len(shown)
    return Page(items, encode_cursor("calendars", [shown[-1].in_force.year]) if more else None)


@blp.route("/<int:year>", methods=["GET"])
@access(**EVERYONE)
@blp.query(CalendarYearSchema)
def get_calendar(year: int) -> Any:
    """One year: the calendar in force with its rest days and make-up workdays, the sources
    it overrides, and every arrangement recorded for the year."""
    calendars = ledger().calendars.year_calendars(year)
    if not calendars:
        raise NotFound(f"no calendar covers {year}")
    return year_view(calendars, ledger().calendars.calendar_year(year))
