"""Shared fixtures: real ledgers on SQLite files and on the PostgreSQL server.

PostgreSQL tests never skip: if the server named by ``CRAFTLEDGER_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``) is down they fail loudly. Each test gets its own
schema, dropped afterwards.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from flask.testing import FlaskClient

from service.config import Settings
from service.ledger import Ledger

POSTGRES_URL = os.environ.get(
    "CRAFTLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgres"]


class SteppingClock:
    """A clock that advances a fixed step on every reading, for reproducible timelines."""

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


class RunningClock:
    """Real time, but starting from a fixed moment: tests that run "today" see the same dates
    whenever they run (the working-day calendar covers a fixed range of years), and time
    still passes as it does for a live server."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(datetime(2025, 3, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
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
def cli_env(backend: str, ledger: Ledger, request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment that makes the command line's ``Ledger()`` open the test's ledger."""
    env = {"CRAFTLEDGER_DATA_DIR": str(ledger.settings.data_dir)}
    if backend == "postgres":
        schema = request.getfixturevalue("postgres_schema")
        parts = urlsplit(POSTGRES_URL)
        env["DATABASE_URL"] = urlunsplit(parts._replace(query=f"schema={schema}"))
    else:
        env["DATABASE_URL"] = ""
    return env


class CaughtUpClient(FlaskClient):
    """A test client that lets the background settle before each request: the projection
    runner has applied the log's head (its thread is waited for; without one, its catch-up is
    run here) and its listener has signed a tree head if one is due -- so requests see read
    models and heads as a settled server's would. The request itself never does that work."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        shared = self.application.extensions["craftledger"]
        if shared.runner.running:
            shared.runner.wait_for(shared.ledger.log_position, timeout=30.0)
        else:
            shared.runner.catch_up()
        shared.audit.publish_due()
        return super().open(*args, **kwargs)
