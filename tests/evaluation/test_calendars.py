"""The 2027 date bomb: publication windows that reach a year no calendar covers, and the
holiday arrangement an administrator adds for it, on real ledgers (SQLite and PostgreSQL).

``chinesecalendar`` 1.11.0 ends with 2026 and no 2027 notice exists yet, so the 2027
arrangement here is a fictitious test fixture (``tests.factories.fictitious_arrangement``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.calendar_year import CalendarYear
from domain.errors import DomainRuleViolation
from domain.holiday_arrangement import HolidayArrangement, parse_arrangement
from domain.working_day_calendar import CalendarYearMissing
from service.ledger import Ledger
from tests.factories import Session, fictitious_arrangement, plan_session, write_arrangement
from tests.support.assertions import events_of
from tests.support.clocks import SteppingClock, on_day

LAST_MONDAY_OF_2026 = date(2026, 12, 28)
SHIPPED_2026 = (
    "2026 arrangement as shipped (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04)"
)
FIXTURE_TITLE = "测试用虚构节假日安排（2027年，非真实通知）"


def scored_session(ledger: Ledger, clock: SteppingClock) -> Session:
    session = plan_session(ledger, clock)
    session.candidate_with(theory=80, practical=80)
    return session


def from_file(path: Path) -> HolidayArrangement:
    """What ``craftledger calendar add FILE`` reads."""
    return parse_arrangement(json.loads(path.read_text(encoding="utf-8")), source=path.name)


def test_a_window_opened_on_28_december_2026_is_refused_naming_2027_and_the_fix(
    ledger: Ledger, clock: SteppingClock
) -> None:
    session = scored_session(ledger, clock)
    before = ledger.log_position
    with pytest.raises(CalendarYearMissing) as caught:
        session.publish(LAST_MONDAY_OF_2026)
    error = caught.value
    assert (error.rule, error.year, error.facts) == ("calendar-missing-year", 2027, {"year": 2027})
    assert "window opened on 2026-12-28 reaches 2027-01-01" in error.detail
    assert "`craftledger calendar add FILE`" in error.detail
    assert "`POST /api/v1/calendars`" in error.detail
    assert ledger.log_position == before
    assert session.evaluation.status == "planned"


def test_after_adding_2027_the_window_is_counted_on_that_file_and_names_its_version(
    ledger: Ledger, clock: SteppingClock, tmp_path: Path
) -> None:
    session = scored_session(ledger, clock)
    file = write_arrangement(tmp_path, fictitious_arrangement())
    on_day(clock, date(2026, 12, 27))
    added = ledger.calendars.add_holiday_arrangement(from_file(file), actor="admin:test")
    assert added.aggregate.version_in_force == 1

    publication = session.publish(LAST_MONDAY_OF_2026).aggregate.publication
    # Tue 29, Wed 30, Thu 31 (2026 file); [Fri 01-01: a rest day only the fixture knows,
    # the weekend]; Mon 01-04, Tue 01-05
    assert publication["window_ends_on"] == "2027-01-05"
    assert publication["calendar"] == (
        f"{SHIPPED_2026}; 2027 arrangement v1 ({FIXTURE_TITLE}, 2026-11-05)"
    )
    reloaded = ledger.evaluation(session.evaluation_id).publication
    assert reloaded is not None and reloaded["calendar"] == publication["calendar"]


def test_an_amended_arrangement_is_the_next_version_and_takes_over(
    ledger: Ledger, clock: SteppingClock
) -> None:
    session = scored_session(ledger, clock)
    ledger.calendars.add_holiday_arrangement(
        parse_arrangement(fictitious_arrangement()), actor="admin:a"
    )
    extended = fictitious_arrangement(
        published_on="2026-12-01",
        holidays=[
            {
                "name": "元旦",
                "rest_days": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
            }
        ],
    )
    added = ledger.calendars.add_holiday_arrangement(parse_arrangement(extended), actor="admin:b")
    assert added.aggregate.version_in_force == 2

    publication = session.publish(LAST_MONDAY_OF_2026).aggregate.publication
    assert publication["window_ends_on"] == "2027-01-06"  # Mon 01-04 is now a rest day
    assert publication["calendar"].endswith(f"2027 arrangement v2 ({FIXTURE_TITLE}, 2026-12-01)")
    history = ledger.calendars.calendar_year(2027)
    assert history is not None
    assert [(item["version"], item["added_by"]) for item in history.arrangements] == [
        (1, "admin:a"),
        (2, "admin:b"),
    ]
    assert history.arrangement(1).published_on == date(2026, 11, 5)


def test_adding_an_arrangement_records_who_when_and_which_notice(
    ledger: Ledger, clock: SteppingClock
) -> None:
    on_day(clock, date(2026, 11, 6), hour=9)
    ledger.calendars.add_holiday_arrangement(
        parse_arrangement(fictitious_arrangement()), actor="cli:hr"
    )
    opened, added = events_of(ledger, CalendarYear.create_id(2027))
    assert type(opened).__name__ == "Opened"
    assert type(added).TOPIC == "craftledger:CalendarYear.ArrangementAdded"
    assert added.actor == "cli:hr"
    assert added.version == 1
    assert added.at.astimezone(UTC).date() == date(2026, 11, 6)
    assert added.at <= clock.now and added.at > datetime(2026, 11, 6, tzinfo=UTC)
    assert added.arrangement["source"] == {
        "title": FIXTURE_TITLE,
        "issuer": "craftledger test suite",
    }
    assert added.arrangement["published_on"] == "2026-11-05"


def test_the_same_arrangement_again_is_refused_and_records_nothing(
    ledger: Ledger, clock: SteppingClock
) -> None:
    arrangement = parse_arrangement(fictitious_arrangement())
    ledger.calendars.add_holiday_arrangement(arrangement, actor="admin:a")
    before = ledger.log_position
    with pytest.raises(DomainRuleViolation) as caught:
        ledger.calendars.add_holiday_arrangement(arrangement, actor="admin:a")
    assert caught.value.rule == "arrangement-unchanged"
    assert ledger.log_position == before


def test_a_recorded_2026_arrangement_overrides_the_shipped_file(
    ledger: Ledger, clock: SteppingClock
) -> None:
    """An amended notice for a year already shipped: the administrator's version wins."""
    amended = parse_arrangement(
        fictitious_arrangement(
            year=2026,
            holidays=[{"name": "元旦", "rest_days": ["2026-12-29"]}],  # a made-up Tuesday off
        )
    )
    ledger.calendars.add_holiday_arrangement(amended, actor="admin:a")
    sources = [calendar.source.value for calendar in ledger.calendars.year_calendars(2026)]
    assert sources == ["recorded", "file", "package"]
    window = ledger.calendars.working_day_calendar().window(date(2026, 12, 21), 7)
    assert window.ends_on == date(2026, 12, 31)  # 12-29 no longer counts
    assert window.calendar_name.startswith("2026 arrangement v1 (测试用虚构节假日安排（2026年")
