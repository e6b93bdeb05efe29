"""Pausing Python's cyclic garbage collector while a command builds a large batch.

A command such as finalising a 10,000-entrant competition replays some 10,000 events and builds
hundreds of thousands of dicts and strings (entrants, marks, results) that all stay alive until
the save. Every 700 new containers the collector runs, and as they pile up its full passes
traverse everything alive -- the batch, and whatever else the process holds -- finding no
garbage: about half of such a command's CPU time. Reference counting still frees everything
that is not in a cycle; cycles made meanwhile are collected after the batch, at the next
threshold.

:func:`collection_paused` pauses the collector for the ``with`` block and resumes it after,
only if it was running before (so nested or overlapping pauses never leave it off).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collection_paused"]


@contextmanager
def collection_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused (see the module docstring)."""
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()
