"""Fixtures of the API tests' world (``tests/support/api_world.py``), shared by a test module:
``world`` once on SQLite and once on PostgreSQL, ``sqlite_world`` on SQLite only. Registered
for every directory by the top-level conftest (``pytest_plugins``); a directory with a world of
its own (``tests/projections``) defines its own ``world``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.api_world import World, running_world
from tests.support.stores import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The shared world of a test module, once on SQLite and once on PostgreSQL."""
    backend = str(request.param)
    with running_world(backend, tmp_path_factory.mktemp(f"api-{backend}")) as world:
        yield world


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world on SQLite only (for checks that never reach the store)."""
    with running_world("sqlite", tmp_path_factory.mktemp("api-sqlite")) as world:
        yield world
