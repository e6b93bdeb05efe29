"""Working days on the Chinese calendar from the shipped sources: the ``chinesecalendar``
package and the arrangement files, make-up workdays (调休) included."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.holiday_arrangement import shipped_arrangements
from domain.working_day_calendar import CalendarSource, CalendarYearMissing, YearCalendar
from service.working_days import (
    PACKAGE_NAME,
    package_year,
    package_years,
    working_day_calendar,
    year_calendars,
)

SHIPPED = working_day_calendar()
FIRST = date(package_years()[0], 1, 1)
LAST = date(max(package_years()[-1], *shipped_arrangements()), 12, 31)


def every_day_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


# --- the sources agree ------------------------------------------------------------------------


def test_the_2026_file_gives_exactly_chinesecalendars_working_days_for_every_day() -> None:
    """The shipped file transcribes the State Council's notice; the package's maintainers
    transcribed the same notice independently. Any difference is a mistake in one of them."""
    file = YearCalendar.from_arrangement(shipped_arrangements()[2026], CalendarSource.FILE)
    differences = [
        day.isoformat()
        for day in every_day_of(2026)
        if file.is_working_day(day) != chinese_calendar.is_workday(day)
    ]
    assert differences == []


def test_the_package_adapter_agrees_with_the_package_on_every_day_it_covers() -> None:
    for year in package_years():
        calendar = package_year(year)
        assert calendar is not None
        for day in every_day_of(year):
            assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day


def test_the_2026_file_overrides_the_package_and_earlier_years_are_the_packages() -> None:
    assert [c.source for c in year_calendars(2026)] == [CalendarSource.FILE, CalendarSource.PACKAGE]
    assert [c.name for c in year_calendars(2025)] == [PACKAGE_NAME]
    assert year_calendars(2027) == []
    version = chinese_calendar.__version__
    assert f"chinesecalendar {version} (mainland China working days)" == PACKAGE_NAME


# --- make-up days and holidays ------------------------------------------------------------------


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
        (date(2026, 1, 4), True),  # Sunday, make-up workday after New Year 2026 (the file)
        (date(2026, 2, 23), False),  # last day of the Spring Festival break 2026, a Monday
        (date(2026, 9, 20), True),  # Sunday, make-up workday before National Day 2026
    ],
)
def test_working_days_follow_the_holiday_arrangement_including_make_up_days(
    day: date, expected: bool
) -> None:
    assert SHIPPED.is_working_day(day) is expected


def test_window_across_national_day_2024_counts_the_make_up_sunday() -> None:
    # Published Friday 09-27: Sun 09-29 (make-up), Mon 09-30, Tue 10-08, Wed 10-09, Thu 10-10.
    window = SHIPPED.window(date(2024, 9, 27), 5)
    assert window.ends_on == date(2024, 10, 10)
    assert window.calendar_name == PACKAGE_NAME


def test_window_after_national_day_2024_ends_on_the_make_up_saturday() -> None:
    # Published Mon 09-30: Tue 10-08, Wed 10-09, Thu 10-10, Fri 10-11, Sat 10-12 (make-up).
    assert SHIPPED.add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)


def test_window_across_spring_festival_2025() -> None:
    # Published Fri 01-24: Sun 01-26 (make-up), Mon 01-27, then 02-05, 02-06, 02-07.
    assert SHIPPED.add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    # Published Mon 01-27: 02-05, 02-06, 02-07, Sat 02-08 (make-up), Mon 02-10.
    assert SHIPPED.add_working_days(date(2025, 1, 27), 5) == date(2025, 2, 10)


def test_a_window_from_2025_into_2026_names_the_package_and_the_2026_file() -> None:
    # Published Tue 2025-12-30: Wed 12-31, [01-01..03 off], Sun 01-04 (make-up), Mon 01-05...
    window = SHIPPED.window(date(2025, 12, 30), 3)
    assert window.ends_on == date(2026, 1, 5)
    assert window.calendar_name == (
        f"{PACKAGE_NAME}; 2026 arrangement as shipped "
        "(国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04)"
    )


def test_publication_day_itself_never_counts_even_on_a_working_day() -> None:
    assert SHIPPED.add_working_days(date(2024, 10, 14), 1) == date(2024, 10, 15)


def test_window_opened_on_a_holiday_starts_at_the_next_working_day() -> None:
    assert SHIPPED.add_working_days(date(2024, 10, 3), 1) == date(2024, 10, 8)


# --- the date bomb ------------------------------------------------------------------------------


def test_a_window_opened_in_the_last_week_of_2026_reaches_2027_and_is_refused() -> None:
    assert SHIPPED.add_working_days(date(2026, 12, 23), 5) == date(2026, 12, 30)
    with pytest.raises(CalendarYearMissing) as caught:
        SHIPPED.window(date(2026, 12, 28), 5)
    assert caught.value.year == 2027
    assert "reaches 2027-01-01" in caught.value.detail


def test_a_year_before_the_package_is_refused_too() -> None:
    with pytest.raises(CalendarYearMissing) as caught:
        SHIPPED.add_working_days(FIRST - timedelta(days=10), 1)
    assert caught.value.year == FIRST.year - 1


# --- properties ---------------------------------------------------------------------------------

starts = st.dates(min_value=FIRST, max_value=LAST - timedelta(days=90))


@given(start=starts, n=st.integers(min_value=1, max_value=30))
def test_window_end_is_the_first_day_with_n_working_days_after_start(start: date, n: int) -> None:
    end = SHIPPED.add_working_days(start, n)
    assert end > start
    assert SHIPPED.is_working_day(end)
    assert SHIPPED.working_days_between(start, end) == n
    assert SHIPPED.working_days_between(start, end - timedelta(days=1)) == n - 1


@given(start=starts, n=st.integers(min_value=1, max_value=29))
def test_a_longer_window_ends_later(start: date, n: int) -> None:
    assert SHIPPED.add_working_days(start, n + 1) > SHIPPED.add_working_days(start, n)


@given(start=starts, n=st.integers(min_value=1, max_value=30))
def test_agrees_with_the_librarys_find_workday_from_a_working_day(start: date, n: int) -> None:
    # find_workday(n, d) is the n-th working day after the first working day >= d.
    if SHIPPED.is_working_day(start):
        assert SHIPPED.add_working_days(start, n) == chinese_calendar.find_workday(n, start)
    else:
        assert SHIPPED.add_working_days(start, n) == chinese_calendar.find_workday(n - 1, start)
