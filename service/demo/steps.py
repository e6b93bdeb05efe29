"""A dated step of the demo's history, and telling a history in order on the simulated clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Step:
    """Something that happened on ``day`` at ``hour`` o'clock China time."""

    day: date
    hour: int
    label: str
    action: Callable[[], None]


def in_order(steps: Iterable[Step]) -> list[Step]:
    """Steps by day and hour; steps at the same moment keep the order they were given in."""
    return sorted(steps, key=lambda step: (step.day, step.hour))
