"""With ``CRAFTLEDGER_CIPHER_KEY`` set, nothing at rest gives away a worker's name, masked ID
number or a reason: the raw bytes of every file in the data directory (SQLite files and their
-wal/-shm included) after the demo history and a few commands, and on PostgreSQL the raw rows of
every table in the schema. Data files are 0600 and the data directory 0700.

Exception, on purpose: ``demo-access.json``, the demo's "try it" sheet (fictitious people and
their tokens, printed to the console too), written only by ``craftledger demo``/``serve --demo``.
"""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.cipher import AESCipher

from projections.store import ProjectionStore
from service.app import create_app
from service.config import Settings
from service.demo import seed_demo
from service.demo.cast import DEFAULT_WORKERS, demo_cast
from service.jobs import job_store_for
from service.ledger import Ledger
from tests.support.stores import POSTGRES_URL

DEMO_SHEET = "demo-access.json"


def secrets_of(workers: int) -> set[str]:
    cast = demo_cast(workers)
    return {w.name for w in cast} | {w.id_number.masked for w in cast}


def run_commands(ledger: Ledger, settings: Settings, reason: str) -> None:
    """The demo's history, then a revocation with a reason (an idempotent POST, sent twice), a
    job that names a worker, and the read models brought up to date."""
    sheet = seed_demo(ledger, workers=WORKERS[settings.database_url is None])
    admin = next(t["token"] for t in sheet["access"]["tokens"] if t["role"] == "admin")
    person = next(p for p in sheet["access"]["people"] if p["status"] == "valid")
    app = create_app(
        {"TESTING": True, "SETTINGS": settings, "RUN_PROJECTIONS": False}, ledger=ledger
    )
    client = app.test_client()
    headers = {"Authorization": f"Bearer {admin}", "Idempotency-Key": f"k-{uuid.uuid4()}"}
    url = f"/api/v1/certificates/{person['certificate']}/revoke"
    for _ in range(2):
        answer = client.post(url, json={"reason": reason}, headers=headers)
        assert answer.status_code == 200, answer.get_json()
    jobs = job_store_for(ledger)
    job, _ = jobs.submit("noop", {"holder": person["name"]}, actor="admin")
    jobs.finish(job.id, error={"status": 422, "detail": f"{person['name']}: {reason}"})
    assert jobs.get(job.id).params == {"holder": person["name"]}  # sealed, and read back
    jobs.close()
    shared = app.extensions["craftledger"]
    shared.runner.catch_up()
    found = shared.directory.get_certificate(person["certificate"])
    assert found["holder_name"] == person["name"] and found["status_reason"] == reason
    shared.runner.close()
    shared.projection_store.close()


WORKERS = {True: DEFAULT_WORKERS, False: 60}  # SQLite: the whole demo; PostgreSQL: a smaller cast


@pytest.fixture(scope="module")
def encrypted_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    data_dir = tmp_path_factory.mktemp("encrypted") / "data"
    reason = f"撤销原因-{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=data_dir, cipher_key=AESCipher.create_key(32))
    ledger = Ledger(settings)
    try:
        run_commands(ledger, settings, reason)
    finally:
        ledger.close()
    yield data_dir, reason


def test_no_file_in_an_encrypted_data_directory_holds_a_name_masked_id_number_or_reason(
    encrypted_data_dir: tuple[Path, str],
) -> None:
    data_dir, reason = encrypted_data_dir
    needles = {text.encode() for text in secrets_of(DEFAULT_WORKERS)} | {reason.encode()}
    files = [f for f in data_dir.rglob("*") if f.is_file()]
    names = {f.name for f in files}
    assert {"projections.sqlite3", "ledger.sqlite3", "jobs.sqlite3"} <= names
    assert any(n.endswith("-wal") for n in names), "the WAL files are scanned too"
    leaks = {
        f.name: sorted(n.decode() for n in needles if n in f.read_bytes())[:3]
        for f in files
        if f.name != DEMO_SHEET
    }
    assert {name: found for name, found in leaks.items() if found} == {}


def test_data_files_are_0600_and_the_data_directory_0700(
    encrypted_data_dir: tuple[Path, str],
) -> None:
    data_dir, _ = encrypted_data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    modes = {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in data_dir.iterdir()}
    for name in ("ledger.sqlite3", "projections.sqlite3", "jobs.sqlite3", "idempotency.sqlite3"):
        assert modes[name] == "0o600", modes
    assert {name: mode for name, mode in modes.items() if mode != "0o600"} == {}


def test_sqlite_files_made_without_a_key_are_private_too(tmp_path: Path) -> None:
    """-wal and -shm are created with the database file's mode, whatever the umask."""
    store = ProjectionStore.from_settings(Settings(data_dir=tmp_path / "plain"))
    with store.transaction() as tx:
        tx.execute("CREATE TABLE t (x TEXT)")
    with store.read() as tx:
        tx.rows("SELECT * FROM t")
    files = sorted((tmp_path / "plain").iterdir())
    assert [f.name for f in files] == [
        "projections.sqlite3",
        "projections.sqlite3-shm",
        "projections.sqlite3-wal",
    ]
    assert {oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {"0o600"}
    store.close()


def test_on_postgresql_no_table_holds_a_name_masked_id_number_or_reason(
    postgres_schema: str, tmp_path: Path
) -> None:
    reason = f"撤销原因-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=POSTGRES_URL,
        postgres_schema=postgres_schema,
        cipher_key=AESCipher.create_key(32),
    )
    ledger = Ledger(settings)
    try:
        run_commands(ledger, settings, reason)
    finally:
        ledger.close()
    needles = secrets_of(WORKERS[False]) | {reason}
    leaks: dict[str, Any] = {}
    with psycopg.connect(POSTGRES_URL) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (postgres_schema,),
            )
        ]
        assert {"directory_worker", "directory_certificate", "ladder_worker"} <= set(tables)
        for table in tables:
            rows = connection.execute(f'SELECT t::text FROM "{postgres_schema}"."{table}" t')
            text = "\n".join(r[0] for r in rows)
            found = sorted(n for n in needles if n in text)
            if found:
                leaks[table] = found[:3]
    assert leaks == {}
