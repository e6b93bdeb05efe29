"""The pages' world (``tests/pages/pages_world.py``), shared by a test module, on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pages.pages_world import PagesWorld, build_pages_world
from tests.support.api_world import running_world


@pytest.fixture(scope="module")
def pages_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagesWorld]:
    with running_world("sqlite", tmp_path_factory.mktemp("pages")) as world:
        yield build_pages_world(world)
