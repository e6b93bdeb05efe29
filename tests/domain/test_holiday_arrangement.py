"""Holiday arrangements (节假日安排) as rule data: the file format, its rules, the shipped 2026."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidValue
from domain.holiday_arrangement import parse_arrangement, shipped_arrangements
from tests.factories import fictitious_arrangement


def refusal(data: Any) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        parse_arrangement(data, source="2027.json")
    return caught.value


def changed(path: str, value: Any) -> dict[str, Any]:
    """The fictitious arrangement with the value at a dotted ``path`` replaced (or deleted
    when ``value`` is ``...``)."""
    data = copy.deepcopy(fictitious_arrangement())
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is ...:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


def test_the_shipped_2026_arrangement_is_the_state_councils_notice() -> None:
    arrangement = shipped_arrangements()[2026]
    assert arrangement.source.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert arrangement.source.issuer == "国务院办公厅"
    assert arrangement.published_on == date(2025, 11, 4)
    days_off = {holiday.name: len(holiday.rest_days) for holiday in arrangement.holidays}
    assert days_off == {
        "元旦": 3,
        "春节": 9,
        "清明节": 3,
        "劳动节": 5,
        "端午节": 3,
        "中秋节": 3,
        "国庆节": 7,
    }
    assert sorted(arrangement.workdays) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]


def test_no_2027_arrangement_is_shipped_before_its_notice_exists() -> None:
    assert 2027 not in shipped_arrangements()


def test_an_arrangement_round_trips_through_its_file_format() -> None:
    arrangement = parse_arrangement(fictitious_arrangement())
    assert parse_arrangement(arrangement.as_data()) == arrangement
    assert arrangement.rest_days == {date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}
    assert arrangement.workdays == frozenset()


@pytest.mark.parametrize(
    ("data", "field", "detail"),
    [
        (
            changed("holidays.0.rest_days.0", "2026-12-31"),
            "2027.json.holidays[0].rest_days[0]",
            "2026-12-31 is not in 2027",
        ),
        (
            changed("holidays.0.workdays", ["2027-01-02"]),
            "2027.json.holidays[0].workdays[0]",
            "2027-01-02 is both a rest day (holidays[0].rest_days[1]) and a make-up workday",
        ),
        (
            changed("holidays.0.rest_days", ["2027-01-01", "2027-01-01"]),
            "2027.json.holidays[0].rest_days[1]",
            "already listed at holidays[0].rest_days[0]",
        ),
        (
            changed("holidays.0.workdays", ["2027-01-05"]),
            "2027.json.holidays[0].workdays[0]",
            "2027-01-05 is a Tuesday; a make-up workday (调休上班) is a Saturday or a Sunday",
        ),
        (changed("source", ...), "2027.json.source", "is required"),
        (changed("source.title", " "), "2027.json.source.title", "non-empty string"),
        (changed("source.issuer", ...), "2027.json.source.issuer", "is required"),
        (changed("source.url", "ftp://x"), "2027.json.source.url", "http(s) address"),
        (changed("published_on", ...), "2027.json.published_on", "is required"),
        (changed("published_on", "2028-01-01"), "2027.json.published_on", "after the end of"),
        (changed("published_on", "5 Nov"), "2027.json.published_on", "ISO date"),
        (changed("holidays", []), "2027.json.holidays", "at least one holiday"),
        (changed("holidays.0.rest_days", []), "2027.json.holidays[0].rest_days", "day off"),
        (changed("holidays.0.rest_days.0", 20270101), "2027.json.holidays[0].rest_days[0]", "ISO"),
        (changed("year", "2027"), "2027.json.year", "integer"),
        (changed("year", 3000), "2027.json.year", "1949..2100"),
        (changed("format", 2), "2027.json.format", "unsupported format 2"),
        (changed("holidays.0.workday", []), "2027.json.holidays[0]", "unknown fields"),
        (
            changed("holidays", [*fictitious_arrangement()["holidays"]] * 2),
            "2027.json.holidays[1].name",
            "元旦 is listed twice",
        ),
    ],
)
def test_a_bad_arrangement_is_refused_naming_the_field(
    data: dict[str, Any], field: str, detail: str
) -> None:
    error = refusal(data)
    assert error.field == field
    assert detail in error.detail


def test_a_notice_may_be_published_during_its_own_year() -> None:
    """An amending notice (2020: the Spring Festival holiday extended on 27 January)."""
    assert parse_arrangement(changed("published_on", "2027-01-27")).published_on.year == 2027
