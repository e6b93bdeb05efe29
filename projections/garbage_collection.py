"""Batch commands run with Python's cyclic garbage collector paused.

A command that issues thousands of certificates at once builds hundreds of thousands of small
objects (events, aggregates, credential documents). Each allocation burst triggers the cyclic
collector, and its full collections walk every live object: measured on a 5,000-candidate
confirmation, about a third of the command's CPU time, for cycles it almost never finds
(reference counting frees the batch's objects; aggregates and events form no cycles).

:func:`collection_paused` switches the collector off for the duration of such a command and
back on when the last paused command in the process ends (commands run on several threads of
one process, so the pauses are counted). Reference counting keeps working: memory is freed as
usual, only cycle detection waits. Use it around bounded batch work, never around a loop that
waits for input.

The projection runner does not pause it: rebuilding every projection from 50,000 events was
only 1.07 times as fast paused (``benchmarks/bench_fast_paths.py``, CPU time), under the 20 %
a fast path must earn. The commands that use it are measured by their own benchmarks.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["collection_paused", "pausing_collection"]

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_paused = 0
_was_enabled = True


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic collector inside the ``with`` block (nesting and threads counted)."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


def pausing_collection(command: Callable[P, R]) -> Callable[P, R]:
    """Decorate a batch command to run under :func:`collection_paused`."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with collection_paused():
            return command(*args, **kwargs)

    return wrapper
