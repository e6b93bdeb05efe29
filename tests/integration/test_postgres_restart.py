"""The PostgreSQL pool and the projection worker recover by themselves from a server restart.

A thread keeps registering workers (one atomic save each) while the server is restarted with
``pg_ctlcluster``; like an API client answered 503, it retries a command that failed. Afterwards,
with no manual step: every acknowledged write is in the log exactly once, new writes succeed
on the same ledger, and the projection runner (a thread of the same process, as in ``serve``)
has applied the whole log. Bounded: the restart and the wait for the server are capped.

Marked ``pg_restart`` (included in the default run): the restart breaks any other test using the
same server at that moment, so run it alone (``pytest -m pg_restart``) on a shared server.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.ledger import Ledger
from tests.factories import id_number
from tests.support.stores import POSTGRES_URL, settings_for

pytestmark = [pytest.mark.postgres, pytest.mark.pg_restart]

SERIAL_BASE = 700_000


def restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        timeout=60,
        capture_output=True,
    )


def wait_for_server(timeout: float = 60.0) -> object:
    """When the server started, once it answers (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(POSTGRES_URL, connect_timeout=2) as connection:
                row = connection.execute("SELECT pg_postmaster_start_time()").fetchone()
                return row[0] if row else None
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_writes_and_projections_survive_a_server_restart(
    postgres_schema: str, tmp_path: Path
) -> None:
    started = wait_for_server()
    settings = settings_for("postgres", tmp_path, postgres_schema)
    ledger = Ledger(settings)
    store = ProjectionStore.from_settings(settings)
    runner = ProjectionRunner(ledger, store, all_projections())
    runner.ensure_ready()
    runner.start()
    acknowledged: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def write_load() -> None:
        serial = SERIAL_BASE
        while not stop.is_set():
            serial += 1
            for _attempt in range(200):  # a client retrying a 503, for at most ~40 s
                try:
                    ledger.workers.register_worker(
                        id_number=id_number(serial), name=f"工人{serial}", actor="test"
                    )
                    break
                except Exception as error:
                    if getattr(error, "rule", None) == "already-registered":
                        break  # the earlier attempt did commit; its answer was lost
                    failures.append(f"{type(error).__name__}: {error}"[:200])
                    time.sleep(0.2)
            else:
                return
            acknowledged.append(serial)

    writer = threading.Thread(target=write_load, name="write-load", daemon=True)
    try:
        writer.start()
        time.sleep(1.0)
        before = len(acknowledged)
        assert before > 0, failures
        restart_postgres()
        assert wait_for_server() != started  # it did restart
        time.sleep(2.0)  # writes go on after the restart
        stop.set()
        writer.join(60)
        assert not writer.is_alive()
        after = len(acknowledged)
        assert after > before + 1, f"no writes after the restart: {failures[-3:]}"

        # nothing lost, nothing twice: every acknowledged worker is in the log once
        registered = [
            n.originator_id
            for n in ledger.notifications()
            if n.topic == "craftledger:Worker.Registered"
        ]
        assert len(registered) == len(set(registered))
        for serial in acknowledged:
            assert ledger.worker_id_for(id_number(serial)) in set(registered)
        # the same ledger keeps writing, and the runner catches up, with no manual step
        ledger.workers.register_worker(id_number=id_number(SERIAL_BASE), name="之后", actor="test")
        assert runner.wait_for(ledger.log_position, timeout=60), runner.last_error
        print(
            f"\npostgres restart: {before} writes before, {after - before} after; "
            f"{len(failures)} failed attempts retried ({'; '.join(sorted(set(failures))[:3])})"
        )
    finally:
        stop.set()
        runner.stop()
        store.close()
        ledger.close()
