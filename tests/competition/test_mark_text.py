"""A judge's mark as stored: "-0" (which the judge's phone page takes, typed with a minus) is
the mark 0, stored and shown as "0", not as a negative zero."""

from __future__ import annotations

import pytest

from domain.competition_marks import mark_text


@pytest.mark.parametrize(("typed", "stored"), [("-0", "0"), ("-0.00", "0.00"), ("0", "0")])
def test_negative_zero_is_stored_as_zero(typed: str, stored: str) -> None:
    assert mark_text(typed, "mark") == stored
