"""Working days on the Chinese calendar, make-up workdays (调休) included."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service import working_days
from service.working_days import (
    CalendarOutOfRange,
    add_working_days,
    is_working_day,
    supported_range,
    working_days_between,
)

FIRST, LAST = supported_range()


# --- is_working_day ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 9, 29), True),  # Sunday, make-up workday before National Day
        (date(2024, 10, 1), False),  # National Day
        (date(2024, 10, 7), False),  # last day of the National Day break (a Monday)
        (date(2024, 10, 8), True),
        (date(2024, 10, 12), True),  # Saturday, make-up workday after National Day
        (date(2024, 10, 13), False),  # the Sunday after it is an ordinary rest day
        (date(2024, 10, 19), False),  # an ordinary Saturday
        (date(2024, 10, 16), True),  # an ordinary Wednesday
        (date(2025, 1, 26), True),  # Sunday, make-up workday before Spring Festival 2025
        (date(2025, 1, 28), False),  # 除夕 2025, a Tuesday
        (date(2025, 2, 4), False),  # last day of the Spring Festival break
        (date(2025, 2, 8), True),  # Saturday, make-up workday after Spring Festival
        (date(2025, 4, 27), True),  # Sunday, make-up workday before Labour Day 2025
        (date(2025, 5, 5), False),  # Labour Day break, a Monday
        (date(2025, 10, 8), False),  # National Day + Mid-Autumn 2025
        (date(2025, 10, 11), True),  # Saturday, make-up workday
    ],
)
def test_is_working_day_follows_the_holiday_arrangement_including_make_up_days(
    day: date, expected: bool
) -> None:
    assert is_working_day(day) is expected


def test_is_working_day_refuses_a_datetime_because_the_china_date_is_the_callers_choice() -> None:
    with pytest.raises(TypeError, match="China date"):
        is_working_day(datetime(2024, 10, 12, 1, 0))


# --- add_working_days --------------------------------------------------------------------------


def test_window_across_national_day_2024_counts_the_make_up_sunday() -> None:
    # Published Friday 09-27: Sun 09-29 (make-up), Mon 09-30, Tue 10-08, Wed 10-09, Thu 10-10.
    assert add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 10)


def test_window_after_national_day_2024_ends_on_the_make_up_saturday() -> None:
    # Published Mon 09-30: Tue 10-08, Wed 10-09, Thu 10-10, Fri 10-11, Sat 10-12 (make-up).
    assert add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)


def test_window_across_spring_festival_2025() -> None:
    # Published Fri 01-24: Sun 01-26 (make-up), Mon 01-27, then 02-05, 02-06, 02-07.
    assert add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    # Published Mon 01-27: 02-05, 02-06, 02-07, Sat 02-08 (make-up), Mon 02-10.
    assert add_working_days(date(2025, 1, 27), 5) == date(2025, 2, 10)


def test_publication_day_itself_never_counts_even_on_a_working_day() -> None:
    assert add_working_days(date(2024, 10, 14), 1) == date(2024, 10, 15)


def test_window_opened_on_a_holiday_starts_at_the_next_working_day() -> None:
    assert add_working_days(date(2024, 10, 3), 1) == date(2024, 10, 8)


def test_window_opened_on_friday_skips_an_ordinary_weekend() -> None:
    assert add_working_days(date(2024, 10, 18), 1) == date(2024, 10, 21)


@pytest.mark.parametrize("n", [0, -1])
def test_a_window_needs_at_least_one_working_day(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(date(2024, 10, 14), n)


def test_window_length_must_be_an_int() -> None:
    with pytest.raises(TypeError):
        add_working_days(date(2024, 10, 14), True)


# --- out of range ------------------------------------------------------------------------------


def test_dates_after_the_calendar_data_raise_calendar_out_of_range() -> None:
    beyond = LAST + timedelta(days=1)
    with pytest.raises(CalendarOutOfRange) as caught:
        is_working_day(beyond)
    assert caught.value.day == beyond
    assert caught.value.last == LAST
    assert beyond.isoformat() in str(caught.value)
    assert "upgrade chinesecalendar" in str(caught.value)


def test_dates_before_the_calendar_data_raise_calendar_out_of_range() -> None:
    with pytest.raises(CalendarOutOfRange):
        add_working_days(FIRST - timedelta(days=1), 1)


def test_a_window_running_past_the_calendar_data_says_so() -> None:
    start = LAST - timedelta(days=2)
    with pytest.raises(CalendarOutOfRange, match="window opened on") as caught:
        add_working_days(start, 30)
    assert caught.value.day == LAST + timedelta(days=1)


def test_the_librarys_not_implemented_error_becomes_calendar_out_of_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(day: date) -> bool:
        raise NotImplementedError("no available data for year")

    monkeypatch.setattr(working_days.chinese_calendar, "is_workday", refuse)
    with pytest.raises(CalendarOutOfRange):
        is_working_day(date(2024, 10, 14))


def test_out_of_range_is_a_value_error_for_callers_that_map_bad_input() -> None:
    assert issubclass(CalendarOutOfRange, ValueError)


# --- properties --------------------------------------------------------------------------------

starts = st.dates(min_value=FIRST, max_value=LAST - timedelta(days=90))


@given(start=starts, n=st.integers(min_value=1, max_value=30))
def test_window_end_is_the_first_day_with_n_working_days_after_start(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert end > start
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    assert working_days_between(start, end - timedelta(days=1)) == n - 1


@given(start=starts, n=st.integers(min_value=1, max_value=29))
def test_a_longer_window_ends_later(start: date, n: int) -> None:
    assert add_working_days(start, n + 1) > add_working_days(start, n)


@given(start=starts, n=st.integers(min_value=1, max_value=30))
def test_agrees_with_the_librarys_find_workday_from_a_working_day(start: date, n: int) -> None:
    # find_workday(n, d) is the n-th working day after the first working day >= d.
    if is_working_day(start):
        assert add_working_days(start, n) == chinese_calendar.find_workday(n, start)
    else:
        assert add_working_days(start, n) == chinese_calendar.find_workday(n - 1, start)
