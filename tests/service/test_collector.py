"""service.collector: the garbage collector pauses for a block and resumes only if it ran."""

from __future__ import annotations

import gc

import pytest

from service.collector import collection_paused


def test_the_collector_is_paused_in_the_block_and_resumed_after() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_resumes_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("refused")
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_collector_paused_until_the_outer_block_ends() -> None:
    with collection_paused():
        with collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
