"""Instants as the pages show them: UTC and China Standard Time (UTC+8) to the second, read from
tree-head milliseconds, ISO 8601 event timestamps or datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.pages.moments import moment


@pytest.mark.parametrize(
    "value",
    [
        1_767_225_599_123,  # ms since the epoch: 2025-12-31 23:59:59.123 UTC
        "2025-12-31T23:59:59.123+00:00",
        "2026-01-01T07:59:59.123+08:00",
        datetime(2025, 12, 31, 23, 59, 59, 123000, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 123000),  # naive: taken as UTC
        datetime(2025, 12, 31, 18, 59, 59, 123000, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_one_instant_reads_the_same_from_every_form(value):
    shown = moment(value)
    assert shown is not None
    assert shown.iso == "2025-12-31T23:59:59.123Z"
    assert shown.utc == "2025-12-31 23:59:59"
    assert shown.china == "2026-01-01 07:59:59", "China time crosses into the new year"


@pytest.mark.parametrize("value", [None, "", "not a time", True])
def test_nothing_or_no_time_is_none(value):
    assert moment(value) is None
