"""What the benchmarks share: a scratch store to measure on and a stopwatch.

Imported by the ``bench_*.py`` scripts, which run as ``python benchmarks/bench_….py`` (so this
folder is on ``sys.path``).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from service.config import Settings

POSTGRES_URL = os.environ.get(
    "CRAFTLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextmanager
def scratch_store(postgres: bool) -> Iterator[Settings]:
    """Settings for a store that is gone afterwards: SQLite in a temporary directory, or a
    fresh schema of the server named by ``CRAFTLEDGER_TEST_POSTGRES``."""
    with tempfile.TemporaryDirectory() as directory:
        if not postgres:
            yield Settings(data_dir=Path(directory))
            return
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield Settings(
                data_dir=Path(directory), database_url=POSTGRES_URL, postgres_schema=schema
            )
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def timed(action: Any) -> tuple[float, Any]:
    """Wall seconds ``action()`` took, and what it returned."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result
