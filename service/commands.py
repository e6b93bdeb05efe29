"""What every Ledger command shares: the retry on optimistic-concurrency conflicts, the
``Recorded`` it returns, and the two refusals it may raise besides a domain rule
(``NotFound``, HTTP 404; ``ConcurrencyConflict``, HTTP 409).

Its own module so that ``service.ledger`` and every capability composed around it import it
directly.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from eventsourcing.persistence import IntegrityError, RecordConflictError

__all__ = [
    "BACKOFF_CAP_SECONDS",
    "MAX_ATTEMPTS",
    "ConcurrencyConflict",
    "NotFound",
    "Recorded",
    "retried",
]

P = ParamSpec("P")
R = TypeVar("R")

MAX_ATTEMPTS = 20
BACKOFF_CAP_SECONDS = 0.25


class ConcurrencyConflict(RuntimeError):
    """Another command kept changing the same aggregates; try again later (HTTP 409)."""


class NotFound(LookupError):
    """No such aggregate (HTTP 404). The message names what was looked for."""


@dataclass(frozen=True)
class Recorded:
    """What a command did: the aggregate it is about and the log position it reached."""

    aggregate: Any
    position: int | None


def retried(method: Callable[P, R]) -> Callable[P, R]:
    """Re-run a command on an optimistic-concurrency conflict, then give up with a 409.

    Waits grow exponentially with full jitter (capped), so writers contending for one
    aggregate (a busy number series) spread out instead of colliding again in lockstep.
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(MAX_ATTEMPTS):
            try:
                return method(*args, **kwargs)
            except (IntegrityError, RecordConflictError):
                time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, 0.004 * 2**attempt)))
        raise ConcurrencyConflict(
            f"{method.__name__}: the aggregates kept changing; {MAX_ATTEMPTS} attempts failed"
        )

    return wrapper
