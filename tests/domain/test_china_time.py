"""A fact's date is its date in China (UTC+8): ``domain.china_time`` and a certificate's
发证日期."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.certificate import Certificate
from domain.china_time import (
    china_date,
    china_year,
    end_of_china_day,
    start_of_china_day,
)
from projections.projection import iso_date

SHANGHAI = ZoneInfo("Asia/Shanghai")


def certificate_issued_at(moment: datetime) -> Certificate:
    return Certificate(
        number="Y110000000001250500001",
        worker_id=uuid4(),
        holder_name="张三",
        masked_id_number="1101**********1234",
        issuer_id=uuid4(),
        issuer_name="北京链家",
        occupation_code="6-31-01-03",
        occupation_name="电工",
        level="5",
        basis={"kind": "evaluation", "reference": "EV-1"},
        issued_at=moment,
        actor="test",
    )


def test_a_certificate_issued_after_midnight_in_beijing_carries_the_beijing_date() -> None:
    # 00:30 Beijing time on 2026-12-19 is 16:30 UTC on the 18th.
    late = certificate_issued_at(datetime(2026, 12, 18, 16, 30, tzinfo=UTC))
    assert late.issued_on == "2026-12-19"
    # 23:59:59 Beijing time on 2026-12-18 is still the 18th.
    early = certificate_issued_at(datetime(2026, 12, 18, 15, 59, 59, tzinfo=UTC))
    assert early.issued_on == "2026-12-18"


def test_the_rule_at_the_edges_of_a_china_day_and_year() -> None:
    assert china_date(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == date(2027, 1, 1)
    assert china_year(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == 2027
    assert china_year(datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=UTC)) == 2026
    # A naive datetime is UTC (the ledger's convention), never the machine's local time.
    assert china_date(datetime(2026, 12, 18, 16, 30)) == date(2026, 12, 19)
    # Another offset names the same instant.
    tokyo = timezone(timedelta(hours=9))
    assert china_date(datetime(2026, 12, 19, 0, 59, tzinfo=tokyo)) == date(2026, 12, 18)
    assert start_of_china_day(date(2026, 12, 19)) == datetime(2026, 12, 18, 16, tzinfo=UTC)
    assert end_of_china_day(date(2026, 12, 19)) == datetime(
        2026, 12, 19, 15, 59, 59, 999999, tzinfo=UTC
    )


def test_read_models_date_an_event_time_on_the_china_calendar() -> None:
    assert iso_date(datetime(2026, 12, 18, 16, 30, tzinfo=UTC)) == "2026-12-19"
    assert iso_date("2026-12-18T16:30:00+00:00") == "2026-12-19"
    assert iso_date("2026-12-18T15:30:00Z") == "2026-12-18"
    assert iso_date("2026-12-18") == "2026-12-18"
    assert iso_date(date(2026, 12, 18)) == "2026-12-18"


# China has kept UTC+8 all year since 1991 (Asia/Shanghai had daylight saving 1986-1991, which
# the ledger, recording from 2022, never meets), so the zone database agrees from 1992 on.
moments = st.datetimes(
    min_value=datetime(1992, 1, 1),
    max_value=datetime(2100, 12, 31, 23, 59, 59),
    timezones=st.sampled_from(
        [UTC, SHANGHAI, ZoneInfo("America/New_York"), timezone(timedelta(hours=-11, minutes=-30))]
    ),
)


@given(moments)
def test_china_date_is_the_date_in_shanghai(moment: datetime) -> None:
    assert china_date(moment) == moment.astimezone(SHANGHAI).date()
    assert china_year(moment) == moment.astimezone(SHANGHAI).year
    assert start_of_china_day(china_date(moment)) <= moment <= end_of_china_day(china_date(moment))
