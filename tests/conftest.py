"""Shared fixtures: real ledgers on SQLite files and on the PostgreSQL server
(``tests/support/stores.py``), a stepping clock, the projection store beside the ledger, the
command line's environment for the ledger, (``tests/support/api_fixtures.py``) the API
world, and (``tests/support/documents_server.py``) a loopback server of another issuer's
documents.

PostgreSQL tests never skip: if the server is down they fail loudly. Each test gets its own
schema, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from projections.store import ProjectionStore
from service.ledger import Ledger
from tests.support.clocks import SteppingClock
from tests.support.stores import BACKENDS, cli_env_of, fresh_schema, settings_for

pytest_plugins = ["tests.support.api_fixtures", "tests.support.documents_server"]


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(datetime(2025, 3, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server, dropped after the test."""
    with fresh_schema() as schema:
        yield schema


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_ledger(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Ledger]]:
    """Open ledgers on one store (same SQLite file or PostgreSQL schema) for this test."""
    schema = request.getfixturevalue("postgres_schema") if backend == "postgres" else None
    opened: list[Ledger] = []

    def open_ledger(**kwargs: object) -> Ledger:
        ledger = Ledger(settings_for(backend, tmp_path / "data", schema), **kwargs)  # type: ignore[arg-type]
        opened.append(ledger)
        return ledger

    yield open_ledger
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(make_ledger: Callable[..., Ledger], clock: SteppingClock) -> Ledger:
    return make_ledger(clock=clock)


@pytest.fixture
def store(ledger: Ledger) -> Iterator[ProjectionStore]:
    """The live projection store next to the ledger (SQLite file or the same PG schema)."""
    opened = ProjectionStore.from_settings(ledger.settings)
    yield opened
    opened.close()


@pytest.fixture
def cli_env(ledger: Ledger) -> dict[str, str]:
    """The environment that makes the command line's ``Ledger()`` open the test's ledger."""
    return cli_env_of(ledger)
