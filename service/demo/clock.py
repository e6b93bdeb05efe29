"""The demo's simulated clock (模拟时钟): a history from 2022 to today, told in order.

The demo records its history through the real commands, each on the day it happened. Two
things read the time: the ledger's ``clock`` (the ``at`` and ``on`` of every command) and the
``eventsourcing`` library's ``create_timestamp`` (every stored event's timestamp, which
``replay --as-of`` and the audit read). :class:`SimulatedClock` drives both while the demo
runs, through the library's own extension point (``CanCreateTimestamp.create_timestamp``),
and only in the context that runs the demo: other threads keep the real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import eventsourcing.domain
from eventsourcing.domain import CanCreateTimestamp

CHINA_OFFSET = timedelta(hours=8)

_simulated: ContextVar[datetime | None] = ContextVar("craftledger_simulated_now", default=None)


def _create_timestamp() -> datetime:
    """The simulated moment in a demo's context; everywhere else the library's own clock,
    looked up when called (as the library's own ``create_timestamp`` does, so whatever
    replaces ``datetime_now_with_tzinfo`` is still honoured)."""
    moment = _simulated.get()
    return eventsourcing.domain.datetime_now_with_tzinfo() if moment is None else moment


CanCreateTimestamp.create_timestamp = staticmethod(_create_timestamp)  # type: ignore[method-assign]


class SimulatedClock:
    """A clock that stands where the demo puts it (China time, stored as UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2022, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def on(self, day: date, hour: int = 10, minute: int = 0) -> None:
        """Move to ``hour:minute`` China time on ``day``; time never runs backwards."""
        moment = datetime.combine(day, time(hour, minute), tzinfo=UTC) - CHINA_OFFSET
        if moment < self.now:
            raise ValueError(f"the demo's history is told in order: {moment} < {self.now}")
        self.now = moment
        _simulated.set(moment)

    def tick(self, seconds: int = 1) -> None:
        self.now += timedelta(seconds=seconds)
        _simulated.set(self.now)

    @contextmanager
    def driving(self, ledger: Any) -> Iterator[SimulatedClock]:
        """Run the ledger's commands, and time its events, on this clock."""
        real = ledger.clock
        token = _simulated.set(self.now)
        ledger.clock = self
        try:
            yield self
        finally:
            ledger.clock = real
            _simulated.reset(token)
