"""Processes that start together on a new PostgreSQL schema all come up.

``craftledger serve`` workers and ``craftledger projections run`` start at the same moment on a
new database; ``CREATE TYPE`` / ``CREATE TABLE IF NOT EXISTS`` are not safe against themselves
(a duplicate ``pg_type`` row, "tuple concurrently updated"). Each round here starts several real
processes, lets them all past a barrier at once, and has each create everything a server or a
projection worker creates -- the event and snapshot tables, the read models, the service's own
tables, the signing-key table, the transparency log -- on a schema that does not exist yet.
Without the schema lock (and with the schema made beforehand) the first round failed in each of
four runs.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.stores import POSTGRES_URL

PROCESSES = 4
ROUNDS = 3
pytestmark = pytest.mark.postgres


def start_everything(schema: str, barrier: Any, results: Any) -> None:
    """What a server worker and a projection worker create on start-up (in a child process)."""
    try:
        from projections import all_projections
        from projections.runner import ProjectionRunner
        from projections.store import ProjectionStore
        from service.api.idempotency import store_for
        from service.audit import Audit
        from service.config import Settings
        from service.jobs import job_store_for
        from service.ledger import Ledger

        data_dir = Path(tempfile.mkdtemp(prefix="schema-race-"))
        settings = Settings(data_dir=data_dir, database_url=POSTGRES_URL, postgres_schema=schema)
        barrier.wait(timeout=60)
        ledger = Ledger(settings)
        store = ProjectionStore.from_settings(settings)
        ProjectionRunner(ledger, store, all_projections()).ensure_ready()
        store_for(ledger, data_dir)
        job_store_for(ledger)
        ledger.credentials.key_store.get("nobody", "no-key")
        Audit(ledger, store).ensure_ready()
        store.close()
        ledger.close()
        results.put("ok")
    except BaseException as error:  # reported to the test, which names it
        results.put(f"{type(error).__name__}: {error}")


def drop(schema: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def tables_of(schema: str) -> set[str]:
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    return {row[0] for row in rows}


def test_processes_starting_together_on_a_new_schema_all_start() -> None:
    context = multiprocessing.get_context("spawn")
    for round_ in range(ROUNDS):
        schema = f"race_{uuid.uuid4().hex[:12]}"
        barrier = context.Barrier(PROCESSES)
        results = context.Queue()
        processes = [
            context.Process(target=start_everything, args=(schema, barrier, results))
            for _ in range(PROCESSES)
        ]
        try:
            for process in processes:
                process.start()
            outcomes = [results.get(timeout=120) for _ in processes]
            for process in processes:
                process.join(timeout=30)
            failed = [outcome for outcome in outcomes if outcome != "ok"]
            assert not failed, f"round {round_}: {len(failed)} of {PROCESSES} failed: {failed}"
            tables = tables_of(schema)
            for table in (
                "craftledger_events",
                "craftledger_snapshots",
                "projection_state",
                "craftledger_idempotency",
                "craftledger_jobs",
                "craftledger_signing_keys",
                "transparency_tree_head",
            ):
                assert table in tables, (table, sorted(tables))
        finally:
            for process in processes:
                if process.is_alive():
                    process.kill()
                    process.join(timeout=10)
            drop(schema)
