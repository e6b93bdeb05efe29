"""Clocks the tests hand to a ``Ledger``: stepping, running from a fixed start, travelling."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta


class SteppingClock:
    """A clock that advances a fixed step on every reading, for reproducible timelines."""

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


class RunningClock:
    """Real time, but starting from a fixed moment: tests that run "today" see the same dates
    whenever they run (the working-day calendar covers a fixed range of years), and time
    still passes as it does for a live server."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


class TravelClock:
    """Now, moving one second on every reading; ``travel_to`` jumps forward to a day."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def travel_to(self, day: date, hour: int = 8) -> None:
        target = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
        assert target >= self.now, f"the clock only moves forward ({self.now} → {target})"
        self.now = target

    @property
    def today(self) -> date:
        return self.now.date()


def on_day(clock: SteppingClock, day: date, hour: int = 10) -> None:
    """Move the clock to ``hour`` o'clock China time (UTC+8) on ``day``."""
    clock.now = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)


class ShiftedClock:
    """Real time, shifted: ``advance`` moves it forward by whole days (a 公示 window passes in
    a moment) while seconds still pass as they do for a live server and its users."""

    def __init__(self) -> None:
        self.shift = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift

    def advance(self, days: int) -> None:
        self.shift += timedelta(days=days)
