"""A small durable runner for long commands: a jobs table in the data store, one worker thread.

Some commands are too long for one HTTP request -- confirming a 5,000-candidate session issues
5,000 certificates in one atomic save. The API records a **job** instead and answers 202 with the
job's URL; a worker thread in the process runs it and writes its progress to the table, which the
caller polls (``GET /api/v1/jobs/{id}``).

Durability
----------
Jobs live in a table ``craftledger_jobs``: in the ledger's PostgreSQL schema, or in a SQLite file
``jobs.sqlite3`` beside the ledger's. A job is claimed with a compare-and-set on its state, so two
processes never run it at once; a ``running`` job whose heartbeat (refreshed with every progress
report) is older than :data:`LEASE_SECONDS` is taken back, after a crash, and run again, up to
:data:`MAX_ATTEMPTS` times. Handlers must therefore be safe to re-run: the confirmation handler
is, because its work is one atomic save and a re-run that finds the session issued reports what
was issued.

States: ``queued`` → ``running`` → ``succeeded`` | ``failed``. A job is submitted with a
``dedupe_key``; while a job with that key is queued or running, submitting again returns it
instead of queuing a twin.

Errors of failed jobs are stored as problem details (``type``, ``title``, ``status``, ``detail``,
``rule``), the same shape the API answers with, so a client handles both alike.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.errors import DomainRuleViolation, InvalidValue
from projections.sealing import Sealer
from projections.store import private_file
from service.persistence.side_tables import PostgresSideTable, SideTable, sqlite_transaction

__all__ = [
    "LEASE_SECONDS",
    "Job",
    "JobProgress",
    "JobRunner",
    "JobStore",
    "default_handlers",
    "job_store_for",
]

log = logging.getLogger(__name__)

LEASE_SECONDS = 300.0
MAX_ATTEMPTS = 3
POLL_SECONDS = 1.0
PROGRESS_INTERVAL_SECONDS = 0.25

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
ACTIVE = (QUEUED, RUNNING)


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    state: str
    owner: str | None
    actor: str
    params: dict[str, Any]
    stage: str
    done: int
    total: int
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    updated_at: float

    @property
    def finished(self) -> bool:
        return self.state in (SUCCEEDED, FAILED)


_COLUMNS = (
    "id, kind, state, owner, actor, params, stage, done, total, result, error, attempts,"
    " created_at, started_at, finished_at, updated_at"
)


def _job(row: Any, sealer: Sealer) -> Job:
    values = (
        [row[name.strip()] for name in _COLUMNS.split(",")]
        if isinstance(row, Mapping)
        else list(row)
    )
    (
        id_,
        kind,
        state,
        owner,
        actor,
        params,
        stage,
        done,
        total,
        result,
        error,
        attempts,
        created,
        started,
        finished,
        updated,
    ) = values
    return Job(
        id=id_,
        kind=kind,
        state=state,
        owner=owner,
        actor=actor,
        params=json.loads(sealer.open(params)),
        stage=stage,
        done=int(done),
        total=int(total),
        result=json.loads(sealer.open(result)) if result else None,
        error=json.loads(sealer.open(error)) if error else None,
        attempts=int(attempts),
        created_at=float(created),
        started_at=float(started) if started is not None else None,
        finished_at=float(finished) if finished is not None else None,
        updated_at=float(updated),
    )


class JobStore(SideTable):
    """The jobs table, in SQL both SQLite and PostgreSQL accept (``%s`` → ``?`` for SQLite)."""

    table = "craftledger_jobs"
    sealer: Sealer = Sealer.none()
    """With the ledger's cipher key, params, results and errors (which may name a worker or
    quote a reason) are sealed like the read models' personal values (``projections.sealing``)."""

    def _seal(self, value: Mapping[str, Any]) -> str:
        return str(self.sealer.seal(json.dumps(dict(value))))

    def create_table(self) -> None:
        index = self.table.split(".")[-1].strip('"')
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} ("
                    " id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,"
                    " owner TEXT, actor TEXT NOT NULL, params TEXT NOT NULL,"
                    " stage TEXT NOT NULL, done INTEGER NOT NULL, total INTEGER NOT NULL,"
                    " result TEXT, error TEXT, attempts INTEGER NOT NULL,"
                    " dedupe_key TEXT, claimed_by TEXT,"
                    " created_at DOUBLE PRECISION NOT NULL, started_at DOUBLE PRECISION,"
                    " finished_at DOUBLE PRECISION, updated_at DOUBLE PRECISION NOT NULL)"
                )
            )
            cursor.execute(
                self._sql(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {index}_active_key ON {{t}} (dedupe_key)"
                    " WHERE state IN ('queued', 'running')"
                )
            )
            cursor.execute(
                self._sql(f"CREATE INDEX IF NOT EXISTS {index}_state ON {{t}} (state, created_at)")
            )

    # -- writing -------------------------------------------------------------------------------

    def submit(
        self,
        kind: str,
        params: Mapping[str, Any],
        *,
        actor: str,
        owner: str | None = None,
        dedupe_key: str | None = None,
    ) -> tuple[Job, bool]:
        """Queue a job; ``(job, True)``, or ``(the active job with this key, False)``."""
        for _ in range(5):
            now = time.time()
            job_id = str(uuid.uuid4())
            with self._cursor() as cursor:
                cursor.execute(
                    self._sql(
                        "INSERT INTO {t} (id, kind, state, owner, actor, params, stage, done,"
                        " total, attempts, dedupe_key, created_at, updated_at)"
                        " VALUES (%s, %s, 'queued', %s, %s, %s, 'queued', 0, 0, 0, %s, %s, %s)"
                        " ON CONFLICT DO NOTHING"
                    ),
                    (job_id, kind, owner, actor, self._seal(params), dedupe_key, now, now),
                )
                inserted = cursor.rowcount == 1
            if inserted:
                job = self.get(job_id)
                assert job is not None
                return job, True
            existing = self.active(dedupe_key) if dedupe_key else None
            if existing is not None:
                return existing, False
        raise RuntimeError("could not queue the job")  # pragma: no cover

    def claim(self, worker: str, lease: float = LEASE_SECONDS) -> Job | None:
        """Take the oldest queued job (or a running one whose lease ran out) for ``worker``."""
        now = time.time()
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "SELECT id, state, attempts FROM {t} WHERE state = 'queued'"
                    " OR (state = 'running' AND updated_at < %s)"
                    " ORDER BY created_at LIMIT 5"
                ),
                (now - lease,),
            )
            candidates = [
                tuple(row.values()) if isinstance(row, Mapping) else row
                for row in cursor.fetchall()
            ]
        for job_id, state, attempts in candidates:
            if state == RUNNING and attempts >= MAX_ATTEMPTS:
                self.finish(
                    job_id,
                    error=problem(
                        500,
                        "job-abandoned",
                        "Job abandoned",
                        f"the job stopped without finishing {attempts} times",
                    ),
                )
                continue
            with self._cursor() as cursor:
                cursor.execute(
                    self._sql(
                        "UPDATE {t} SET state = 'running', claimed_by = %s,"
                        " attempts = attempts + 1, started_at = %s, updated_at = %s,"
                        " stage = 'started'"
                        " WHERE id = %s AND state = %s AND attempts = %s"
                    ),
                    (worker, now, now, job_id, state, attempts),
                )
                claimed = cursor.rowcount == 1
            if claimed:
                return self.get(job_id)
        return None

    def progress(self, job_id: str, stage: str, done: int, total: int) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE {t} SET stage = %s, done = %s, total = %s, updated_at = %s"
                    " WHERE id = %s AND state = 'running'"
                ),
                (stage, done, total, time.time(), job_id),
            )

    def finish(
        self,
        job_id: str,
        *,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        now = time.time()
        state = FAILED if error is not None else SUCCEEDED
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE {t} SET state = %s, stage = %s, result = %s, error = %s,"
                    " finished_at = %s, updated_at = %s, done = CASE WHEN %s THEN total ELSE done"
                    " END WHERE id = %s"
                ),
                (
                    state,
                    state,
                    self._seal(result) if result is not None else None,
                    self._seal(error) if error is not None else None,
                    now,
                    now,
                    error is None,
                    job_id,
                ),
            )

    # -- reading -------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        with self._cursor() as cursor:
            cursor.execute(self._sql(f"SELECT {_COLUMNS} FROM {{t}} WHERE id = %s"), (job_id,))
            row = cursor.fetchone()
        return _job(row, self.sealer) if row is not None else None

    def active(self, dedupe_key: str) -> Job | None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    f"SELECT {_COLUMNS} FROM {{t}} WHERE dedupe_key = %s"
                    " AND state IN ('queued', 'running')"
                ),
                (dedupe_key,),
            )
            row = cursor.fetchone()
        return _job(row, self.sealer) if row is not None else None

    def pending(self) -> int:
        """Jobs waiting to run (queued, or running and possibly orphaned)."""
        with self._cursor() as cursor:
            cursor.execute(
                self._sql("SELECT COUNT(*) FROM {t} WHERE state IN ('queued', 'running')")
            )
            row = cursor.fetchone()
        value = next(iter(row.values())) if isinstance(row, Mapping) else row[0]
        return int(value)

    def close(self) -> None:
        pass


class SQLiteJobStore(JobStore):
    """The jobs table in its own SQLite file (WAL), one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = private_file(path)  # 0600 (and so its -wal and -shm), in a 0700 directory
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        connection = self._connection()
        connection.execute("PRAGMA journal_mode=WAL")
        self.create_table()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Cursor]:
        with sqlite_transaction(self._connection()) as cursor:
            yield cursor

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


class PostgresJobStore(PostgresSideTable, JobStore):
    """The jobs table in the ledger's PostgreSQL schema, through the ledger's connection pool."""


def job_store_for(ledger: Any) -> JobStore:
    """PostgreSQL when the ledger records there, otherwise ``jobs.sqlite3`` in its data dir."""
    datastore = getattr(ledger.recorder, "datastore", None)
    store: JobStore
    if datastore is not None and type(datastore).__name__ == "PostgresDatastore":
        store = PostgresJobStore(datastore)
    else:
        store = SQLiteJobStore(Path(ledger.settings.data_dir) / "jobs.sqlite3")
    store.sealer = Sealer(getattr(ledger.settings, "cipher_key", None))
    return store


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"urn:craftledger:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }


def problem_of(error: Exception) -> dict[str, Any]:
    """A failed job's error as problem details (the API's shapes; nothing internal leaks)."""
    if isinstance(error, DomainRuleViolation):
        return {
            "type": f"urn:craftledger:rule:{error.rule}",
            "title": error.rule.replace("-", " ").capitalize(),
            "status": 422,
            "detail": error.detail,
            "rule": error.rule,
        }
    if isinstance(error, InvalidValue):
        return problem(422, "validation-failed", "The request is not valid", str(error))
    from service.ledger import ConcurrencyConflict, NotFound

    if isinstance(error, NotFound):
        return problem(404, "not-found", "Not found", str(error))
    if isinstance(error, ConcurrencyConflict):
        return problem(409, "concurrency-conflict", "Concurrent change", str(error))
    return problem(500, "internal-error", "Internal error", "an unexpected error was logged")


class JobProgress:
    """Given to a handler: ``progress(stage, done, total)`` writes at most every 0.25 s."""

    def __init__(self, store: JobStore, job_id: str) -> None:
        self.store = store
        self.job_id = job_id
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < PROGRESS_INTERVAL_SECONDS:
            return
        self._last = now
        self.store.progress(self.job_id, stage, done, total)


Handler = Callable[[Any, Mapping[str, Any], JobProgress], Mapping[str, Any]]
"""``handler(ledger, params, progress) -> result`` (JSON-safe); raise to fail the job."""


class JobRunner:
    """Runs queued jobs, one at a time, in one daemon thread of this process."""

    def __init__(
        self,
        ledger: Any,
        store: JobStore,
        handlers: Mapping[str, Handler],
        *,
        poll_seconds: float = POLL_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.ledger = ledger
        self.store = store
        self.handlers = dict(handlers)
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.name = f"jobs-{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(
        self,
        kind: str,
        params: Mapping[str, Any],
        *,
        actor: str,
        owner: str | None = None,
        dedupe_key: str | None = None,
    ) -> tuple[Job, bool]:
        if kind not in self.handlers:
            raise ValueError(f"no handler for jobs of kind {kind!r}")
        job, created = self.store.submit(
            kind, params, actor=actor, owner=owner, dedupe_key=dedupe_key
        )
        self.start()
        self._wake.set()
        return job, created

    def get(self, job_id: str) -> Job | None:
        return self.store.get(job_id)

    def start(self) -> None:
        """Start the worker thread unless it is running (it stops itself when idle)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Stop after the job in hand (if any) finishes."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def run_pending(self) -> int:
        """Run queued jobs in the calling thread until none is left (for tools and tests)."""
        ran = 0
        while self._run_one():
            ran += 1
        return ran

    def _run(self) -> None:
        """Run jobs until none is queued or running anywhere, then end the thread.

        The thread lives only while there is work, so an idle process holds no thread and no
        connection; ``submit`` (and the API at start-up, if jobs are pending) starts it again.
        """
        while not self._stop.is_set():
            self._wake.clear()
            try:
                worked = self._run_one()
            except Exception:  # the store is unreachable: log, wait, try again
                log.exception("job runner %s could not poll the jobs table", self.name)
                worked = False
            if worked:
                continue
            with self._lock:
                try:
                    idle = self.store.pending() == 0
                except Exception:
                    idle = False
                if idle and not self._wake.is_set():
                    self._thread = None
                    return
            self._wake.wait(self.poll_seconds)

    def _run_one(self) -> bool:
        job = self.store.claim(self.name, self.lease_seconds)
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        if handler is None:
            self.store.finish(
                job.id,
                error=problem(500, "unknown-job", "Unknown job", f"no handler for {job.kind}"),
            )
            return True
        try:
            result = handler(self.ledger, job.params, JobProgress(self.store, job.id))
        except Exception as error:
            details = problem_of(error)
            if details["status"] >= 500:
                log.exception("job %s (%s) failed", job.id, job.kind)
            self.store.finish(job.id, error=details)
        else:
            self.store.finish(job.id, result=result)
        return True


def default_handlers() -> dict[str, Handler]:
    """The jobs this service runs: confirming a self-evaluation session, and a session's
    certificates as one ZIP of signed PDFs."""
    from service.certificate_pdf.archive import ARCHIVE_JOB
    from service.certificate_pdf.archive_job import archive_job
    from service.evaluations.confirmation import CONFIRM_JOB, confirmation_job

    return {CONFIRM_JOB: confirmation_job, ARCHIVE_JOB: archive_job}


def timestamp(seconds: float | None) -> str | None:
    """A stored time as an ISO 8601 UTC timestamp."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
