"""Working-day arithmetic over versioned year calendars, with no package behind it."""

from __future__ import annotations

import pickle
from datetime import date, datetime

import pytest

from domain.errors import DomainRuleViolation
from domain.holiday_arrangement import parse_arrangement
from domain.working_day_calendar import (
    CalendarSource,
    CalendarYearMissing,
    WorkingDayCalendar,
    YearCalendar,
    by_precedence,
)
from tests.factories import fictitious_arrangement

PLAIN_2026 = YearCalendar(
    year=2026,
    source=CalendarSource.PACKAGE,
    name="plain weeks",
    rest_days=frozenset({date(2026, 12, 31)}),  # a Thursday off
    workdays=frozenset({date(2026, 12, 26)}),  # a Saturday worked
)
FIXTURE_2027 = YearCalendar.from_arrangement(
    parse_arrangement(fictitious_arrangement()), CalendarSource.RECORDED, version=1
)


def calendar(*years: YearCalendar, remedy: str = "") -> WorkingDayCalendar:
    known = {year.year: year for year in years}
    return WorkingDayCalendar(known.get, remedy=remedy)


def test_weekdays_work_rest_days_do_not_make_up_weekend_days_do() -> None:
    days = calendar(PLAIN_2026)
    assert days.is_working_day(date(2026, 12, 30))  # Wednesday
    assert not days.is_working_day(date(2026, 12, 31))  # a rest day on a Thursday
    assert not days.is_working_day(date(2026, 12, 27))  # Sunday
    assert days.is_working_day(date(2026, 12, 26))  # a make-up Saturday


def test_a_window_crosses_into_the_next_year_on_that_years_calendar_and_names_both() -> None:
    # Mon 12-28 → Tue 29, Wed 30, [Thu 31 off], [Fri 2027-01-01 off by the fixture], Mon 04, Tue 05
    window = calendar(PLAIN_2026, FIXTURE_2027).window(date(2026, 12, 28), 4)
    assert window.ends_on == date(2027, 1, 5)
    assert window.calendars == (PLAIN_2026, FIXTURE_2027)
    assert window.calendar_name == f"plain weeks; {FIXTURE_2027.name}"
    assert FIXTURE_2027.name.startswith("2027 arrangement v1 (测试用虚构节假日安排")
    assert FIXTURE_2027.name.endswith(", 2026-11-05)")


def test_a_window_within_one_year_names_only_that_years_calendar() -> None:
    window = calendar(PLAIN_2026, FIXTURE_2027).window(date(2026, 12, 21), 2)
    assert window.ends_on == date(2026, 12, 23)
    assert window.calendar_name == "plain weeks"


def test_a_window_reaching_a_year_no_calendar_covers_is_refused_naming_it() -> None:
    days = calendar(PLAIN_2026, remedy="add it with X")
    with pytest.raises(CalendarYearMissing) as caught:
        days.window(date(2026, 12, 28), 5)
    error = caught.value
    assert isinstance(error, DomainRuleViolation)
    assert (error.rule, error.year, error.facts) == ("calendar-missing-year", 2027, {"year": 2027})
    assert error.detail == (
        "a 5-working-day window opened on 2026-12-28 reaches 2027-01-01; no working-day "
        "calendar covers 2027: its holiday arrangement "
        "(国务院办公厅关于2027年部分节假日安排的通知) has not been added; add it with X"
    )


def test_the_refusal_survives_pickling_with_its_year() -> None:
    error = pickle.loads(pickle.dumps(CalendarYearMissing(2027, "missing")))
    assert (error.rule, error.year, error.detail) == ("calendar-missing-year", 2027, "missing")


def test_the_day_of_publication_needs_no_calendar_only_the_days_counted() -> None:
    assert calendar(FIXTURE_2027).add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_working_days_between_inverts_add_working_days() -> None:
    days = calendar(PLAIN_2026, FIXTURE_2027)
    start = date(2026, 12, 20)
    for n in range(1, 8):
        end = days.add_working_days(start, n)
        assert days.working_days_between(start, end) == n
        assert days.working_days_between(start, date.fromordinal(end.toordinal() - 1)) == n - 1


def test_precedence_is_recorded_then_file_then_package() -> None:
    package = PLAIN_2026
    file = YearCalendar(2026, CalendarSource.FILE, "file", frozenset(), frozenset())
    recorded = YearCalendar(2026, CalendarSource.RECORDED, "rec", frozenset(), frozenset(), 3)
    assert by_precedence([package, file, recorded]) == [recorded, file, package]
    assert by_precedence([package, file]) == [file, package]


@pytest.mark.parametrize("n", [0, -1])
def test_a_window_needs_at_least_one_working_day(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar(PLAIN_2026).window(date(2026, 12, 1), n)


def test_window_length_must_be_an_int() -> None:
    with pytest.raises(TypeError):
        calendar(PLAIN_2026).window(date(2026, 12, 1), True)


def test_a_datetime_is_refused_because_the_china_date_is_the_callers_choice() -> None:
    with pytest.raises(TypeError, match="China date"):
        calendar(PLAIN_2026).is_working_day(datetime(2026, 12, 1, 1, 0))
