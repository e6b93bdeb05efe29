"""Self-evaluation sessions on real ledgers (SQLite and PostgreSQL) with a settable clock:
``session`` is a planned level-4 electrician session (``tests/factories/sessions.py``),
``make_session`` plans others, ``api`` is the HTTP API of a filed body with four staff
(``tests/evaluation/session_api.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.api_token import Role
from service.app import create_app
from service.ledger import Ledger
from tests.evaluation.session_api import Api
from tests.factories import PLAN_DAY, file_employer, id_number, register
from tests.factories.sessions import Session, plan_session
from tests.factories.tokens import grant
from tests.support.api_world import close_app
from tests.support.clocks import SteppingClock, on_day
from tests.support.stores import store_for_backend


@pytest.fixture
def session(ledger: Ledger, clock: SteppingClock) -> Session:
    return plan_session(ledger, clock)


@pytest.fixture
def make_session(ledger: Ledger, clock: SteppingClock) -> Callable[..., Session]:
    def make(**kwargs: Any) -> Session:
        return plan_session(ledger, clock, **kwargs)

    return make


@pytest.fixture
def api(backend: str, tmp_path: Path, clock: SteppingClock) -> Iterator[Api]:
    with store_for_backend(backend, tmp_path / "data") as (settings, _schema):
        ledger = Ledger(settings, clock=clock)
        app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}, ledger=ledger)
        on_day(clock, PLAN_DAY)
        body = file_employer(ledger)
        other = file_employer(ledger, code="11-Y-000002", prefix="Y000011000002", name="别家")
        world = Api(app, app.test_client(), ledger, clock, body.id)
        for name, role, organisation in (
            ("admin", Role.ADMIN, None),
            ("issuer", Role.ISSUER, body.id),
            ("other_issuer", Role.ISSUER, other.id),
            ("auditor", Role.AUDITOR, None),
        ):
            _, world.tokens[name] = grant(ledger, role, organisation=organisation, label=name)
        for serial, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
            worker = register(
                ledger, id_number(serial), name, employer=body.id, since=date(2015, 1, 1)
            )
            world.staff.append(worker)
        try:
            yield world
        finally:
            close_app(app, ledger)
