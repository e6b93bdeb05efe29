"""Audit test fixtures: ``Audit`` beside the test's ledger (over the top-level ``store``), an
app over it, and the stored event rows to tamper with (``tests/audit/stored_rows.py``).

Every fixture follows the test's ``backend`` (a SQLite file, or a fresh PostgreSQL schema).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from projections.store import ProjectionStore
from service.app import create_app
from service.audit import Audit, HeadPolicy
from service.ledger import Ledger
from tests.audit.stored_rows import StoredRows
from tests.support.clients import CaughtUpClient


@pytest.fixture
def audit(ledger: Ledger, store: ProjectionStore) -> Audit:
    return Audit(ledger, store, policy=HeadPolicy(every_seconds=3600, every_events=10**9))


@pytest.fixture
def app(ledger: Ledger) -> Iterator[Flask]:
    """The API over the test's ledger; no runner thread: its test client does the background's
    work (catch-up, a head when due) before each request. A head is due after every new event."""
    made = create_app(
        {
            "TESTING": True,
            "RUN_PROJECTIONS": False,
            "AUDIT_HEAD_EVERY_EVENTS": 1,
            "VERIFY_RATE_LIMIT": "10000 per minute",
        },
        ledger=ledger,
    )
    made.test_client_class = CaughtUpClient
    yield made
    made.extensions["craftledger"].close()


@pytest.fixture
def rows(ledger: Ledger) -> StoredRows:
    return StoredRows(ledger)
