"""The two backends a test runs on: a SQLite data directory, or a fresh PostgreSQL schema.

PostgreSQL tests never skip: if the server named by ``CRAFTLEDGER_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``) is down they fail loudly.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

from service.config import Settings
from service.ledger import Ledger

POSTGRES_URL = os.environ.get(
    "CRAFTLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgres"]


@contextlib.contextmanager
def fresh_schema(prefix: str = "t") -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def settings_for(backend: str, data_dir: Path, schema: str | None) -> Settings:
    if backend == "sqlite":
        return Settings(data_dir=data_dir)
    return Settings(data_dir=data_dir, database_url=POSTGRES_URL, postgres_schema=schema)


@contextlib.contextmanager
def store_for_backend(backend: str, data_dir: Path) -> Iterator[tuple[Settings, str | None]]:
    """Settings for a fresh SQLite directory or a fresh PostgreSQL schema (dropped after)."""
    if backend == "sqlite":
        yield settings_for("sqlite", data_dir, None), None
        return
    with fresh_schema("api") as schema:
        yield settings_for("postgres", data_dir, schema), schema


def cli_env_of(ledger: Ledger) -> dict[str, str]:
    """The environment under which the command line's ``Ledger()`` opens ``ledger``'s store."""
    settings = ledger.settings
    url = ""
    if settings.database_url:
        url = f"{settings.database_url}?schema={settings.postgres_schema}"
    return {"CRAFTLEDGER_DATA_DIR": str(settings.data_dir), "DATABASE_URL": url}
