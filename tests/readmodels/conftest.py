"""An API over a real ledger whose clock (and event timestamps) the test moves, per backend.

``api`` (once on SQLite, once on PostgreSQL, fresh for every test) is ``create_app`` over a
``Ledger`` with a ``TravelClock``: commands record their times from it, and so do the events'
own timestamps (``eventsourcing.domain.datetime_now_with_tzinfo`` is pointed at it), so "as of
a date" builds see the dates the test chose. The clock only moves forward.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import eventsourcing.domain
import pytest

from domain.api_token import Role
from service.app import create_app
from service.ledger import Ledger
from tests.factories.tokens import grant
from tests.readmodels.read_model_api import ReadModelApi
from tests.support.clocks import TravelClock
from tests.support.stores import BACKENDS, store_for_backend


@pytest.fixture(params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ReadModelApi]:
    backend = str(request.param)
    clock = TravelClock(datetime(2023, 1, 2, 8, tzinfo=UTC))
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", clock)
    with store_for_backend(backend, tmp_path / "data") as (settings, _schema):
        ledger = Ledger(settings, clock=clock)
        app = create_app({"TESTING": True, "READ_WAIT_SECONDS": 10.0}, ledger=ledger)
        world = ReadModelApi(app, app.test_client(), ledger, clock, backend)
        for name, role in (("admin", Role.ADMIN), ("auditor", Role.AUDITOR)):
            _, world.tokens[name] = grant(ledger, role, label=name)
        try:
            yield world
        finally:
            app.extensions["craftledger"].close()
            ledger.close()
