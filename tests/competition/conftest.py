"""The competition arena (``tests/competition/arena.py``) on the test's ledger."""

from __future__ import annotations

import pytest

from service.ledger import Ledger
from tests.competition.arena import Arena, build_arena


@pytest.fixture
def arena(ledger: Ledger) -> Arena:
    return build_arena(ledger)
