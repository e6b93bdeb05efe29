"""Audit test helpers: a projection store and ``Audit`` beside the test's ledger, the CLI's
environment for that ledger, an app over it, and direct tampering with stored event rows.

Every fixture follows the test's ``backend`` (a SQLite file, or a fresh PostgreSQL schema):
the tamper helpers write straight into ``stored_events`` (the ledger's SQLite file, by rowid)
or ``craftledger_events`` (the test schema, by notification id), the way an insider with
database access would.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask

from domain.api_token import Role
from projections.store import ProjectionStore
from service.audit import Audit, HeadPolicy
from service.ledger import Ledger
from tests.conftest import POSTGRES_URL, CaughtUpClient


def grant_tokens(ledger: Ledger, count: int) -> None:
    """Append exactly ``count`` events (one ``ApiToken.Granted`` each)."""
    for _ in range(count):
        ledger.grant_token(
            token=secrets.token_urlsafe(24), role=Role.AUDITOR, label="audit test", actor="test"
        )


def cli_env(ledger: Ledger) -> dict[str, str]:
    """The environment under which ``craftledger`` opens this test's ledger."""
    settings = ledger.settings
    url = ""
    if settings.database_url:
        url = f"{settings.database_url}?schema={settings.postgres_schema}"
    return {"CRAFTLEDGER_DATA_DIR": str(settings.data_dir), "DATABASE_URL": url}


@pytest.fixture
def store(ledger: Ledger) -> Iterator[ProjectionStore]:
    opened = ProjectionStore.from_settings(ledger.settings)
    yield opened
    opened.close()


@pytest.fixture
def audit(ledger: Ledger, store: ProjectionStore) -> Audit:
    return Audit(ledger, store, policy=HeadPolicy(every_seconds=3600, every_events=10**9))


@pytest.fixture
def app(ledger: Ledger) -> Iterator[Flask]:
    """The API over the test's ledger; no runner thread: its test client does the background's
    work (catch-up, a head when due) before each request. A head is due after every new event."""
    from service.app import create_app

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


def token_for(ledger: Ledger, role: Role, **binding: Any) -> dict[str, str]:
    token = secrets.token_urlsafe(24)
    ledger.grant_token(token=token, role=role, label="test", actor="test", **binding)
    return {"Authorization": f"Bearer {token}"}


def headers_for_every_role(ledger: Ledger) -> dict[str, dict[str, str]]:
    """Request headers for the public and a token of every role (bound where a role must be)."""
    from domain.organisation import OrganisationKind
    from tests.factories import file_employer, hire

    body = file_employer(ledger, code="11-Y-990001", prefix="Y000011990001")
    union = ledger.file_organisation(
        filing_code="11-U-990002",
        name="朝阳区总工会",
        kind=OrganisationKind.UNION,
        province_code="11",
        actor="test:admin",
    ).aggregate.id
    worker = hire(ledger, body, 901)
    return {
        "public": {},
        "admin": token_for(ledger, Role.ADMIN),
        "issuer": token_for(ledger, Role.ISSUER, organisation_id=body.id),
        "organiser": token_for(ledger, Role.ORGANISER, organisation_id=union),
        "auditor": token_for(ledger, Role.AUDITOR),
        "worker": token_for(ledger, Role.WORKER, worker_id=worker),
    }


class StoredRows:
    """Direct access to the ledger's stored event rows, by log position."""

    def __init__(self, ledger: Ledger) -> None:
        settings = ledger.settings
        self.postgres = settings.database_url is not None
        self.schema = settings.postgres_schema
        self.path = settings.data_dir / "ledger.sqlite3"

    def _run(self, sql_sqlite: str, sql_postgres: str, params: tuple[Any, ...]) -> list[Any]:
        if self.postgres:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'SET search_path TO "{self.schema}"')
                cursor = connection.execute(sql_postgres, params)
                return cursor.fetchall() if cursor.description else []
        connection = sqlite3.connect(self.path)
        try:
            with connection:
                cursor = connection.execute(sql_sqlite, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def row(self, position: int) -> tuple[str, bytes]:
        """(topic, state) of the row at ``position``."""
        (found,) = self._run(
            "SELECT topic, state FROM stored_events WHERE rowid = ?",
            "SELECT topic, state FROM craftledger_events WHERE notification_id = %s",
            (position,),
        )
        return found[0], bytes(found[1])

    def set_state(self, position: int, state: bytes, topic: str | None = None) -> None:
        current_topic, _ = self.row(position)
        self._run(
            "UPDATE stored_events SET state = ?, topic = ? WHERE rowid = ?",
            "UPDATE craftledger_events SET state = %s, topic = %s WHERE notification_id = %s",
            (state, topic or current_topic, position),
        )

    def delete(self, position: int) -> None:
        self._run(
            "DELETE FROM stored_events WHERE rowid = ?",
            "DELETE FROM craftledger_events WHERE notification_id = %s",
            (position,),
        )

    def swap(self, first: int, second: int) -> None:
        """Exchange two rows' data (topic and state), leaving their positions."""
        one, two = self.row(first), self.row(second)
        self.set_state(first, two[1], two[0])
        self.set_state(second, one[1], one[0])


@pytest.fixture
def rows(ledger: Ledger) -> StoredRows:
    return StoredRows(ledger)
