"""Fixtures for projection tests: a runner over the ledger's own store (``store``, from the
top-level conftest), fresh stores, and a small cast (``tests/projections/cast.py``).

Every test runs on a SQLite file and on the PostgreSQL server (``backend`` from the top-level
conftest); PostgreSQL schemas are unique per test and dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import PostgresProjectionStore, ProjectionStore, SQLiteProjectionStore
from service.ledger import Ledger
from tests.projections.cast import World
from tests.support.stores import POSTGRES_URL


@pytest.fixture
def runner(ledger: Ledger, store: ProjectionStore) -> Iterator[ProjectionRunner]:
    made = ProjectionRunner(ledger, store, all_projections(), batch_size=7)
    yield made
    made.stop()


@pytest.fixture
def fresh_store(backend: str, tmp_path: Path) -> Iterator[Callable[[], ProjectionStore]]:
    """Make new, empty stores on the test's backend (for rebuilds and as-of builds)."""
    made: list[ProjectionStore] = []

    def make() -> ProjectionStore:
        if backend == "sqlite":
            opened: ProjectionStore = SQLiteProjectionStore(
                tmp_path / f"fresh-{len(made)}" / "projections.sqlite3"
            )
        else:
            opened = PostgresProjectionStore(POSTGRES_URL, schema=f"p_{uuid.uuid4().hex[:12]}")
        made.append(opened)
        return opened

    yield make
    for opened in made:
        if isinstance(opened, PostgresProjectionStore):
            opened.drop_schema()
        else:
            opened.close()


@pytest.fixture
def world(ledger: Ledger) -> World:
    return World(ledger)
