"""Self-evaluation sessions on real ledgers (SQLite and PostgreSQL) with a settable clock:
``session`` is a planned level-4 electrician session (``tests/factories/sessions.py``),
``make_session`` plans others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.ledger import Ledger
from tests.factories.sessions import Session, plan_session
from tests.support.clocks import SteppingClock


@pytest.fixture
def session(ledger: Ledger, clock: SteppingClock) -> Session:
    return plan_session(ledger, clock)


@pytest.fixture
def make_session(ledger: Ledger, clock: SteppingClock) -> Callable[..., Session]:
    def make(**kwargs: Any) -> Session:
        return plan_session(ledger, clock, **kwargs)

    return make
